/**
 * Last line of defence for console output: any run of 12 or more digits (an
 * ID number, a bank account), with an optional trailing X, is masked to its
 * first 4 and last 4 characters. Messages are written without such numbers in
 * the first place; this catches values echoed back from a cell.
 */
import { maskIdNumber } from '../identity/id-number.js';

const LONG_NUMBER_RE = /(?<![\dA-Za-z])\d{11,18}[\dXx](?![\dA-Za-z])/g;

export function maskSensitive(text: string): string {
  return text.replace(LONG_NUMBER_RE, (m) => maskIdNumber(m));
}
