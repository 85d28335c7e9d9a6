/**
 * Mobile numbers and bank cards (银行卡(折)) used to receive assistance.
 * Pure and workflow-safe.
 */
import { z } from 'zod';

export const MOBILE_RE = /^1[3-9]\d{9}$/;

/** Mainland mobile number, 11 digits starting 13–19. Spaces and dashes are removed first. */
export const mobileSchema = z
  .string({ error: '手机号码必须是文字' })
  .transform((s) => s.replace(/[\s-]/g, ''))
  .pipe(z.string().regex(MOBILE_RE, { error: '手机号码格式不正确：应为以1开头的11位数字（第二位为3–9）' }));

export function isValidMobile(raw: string): boolean {
  return MOBILE_RE.test(String(raw).replace(/[\s-]/g, ''));
}

/** 13812345678 → 138****5678 (keep the first 3 and the last 4). */
export function maskMobile(raw: string): string {
  const s = String(raw).replace(/[\s-]/g, '');
  if (s.length <= 7) return '*'.repeat(s.length);
  return s.slice(0, 3) + '*'.repeat(s.length - 7) + s.slice(-4);
}

/**
 * Bank card or passbook number for display: keep the first 4 and the last 4
 * digits, spaces removed (6222020200112233445 → 6222***********3445). The
 * first 4 identify the bank for staff; the last 4 match what the family sees
 * on the card. Inputs of 8 characters or fewer are masked completely.
 */
export function maskBankCard(raw: string): string {
  const s = String(raw).replace(/[\s-]/g, '');
  if (s.length <= 8) return '*'.repeat(s.length);
  return s.slice(0, 4) + '*'.repeat(s.length - 8) + s.slice(-4);
}

/** Luhn check (most UnionPay debit cards pass it; passbook numbers often do not, so it is advisory). */
export function luhnValid(raw: string): boolean {
  const s = String(raw).replace(/[\s-]/g, '');
  if (!/^\d{12,19}$/.test(s)) return false;
  let sum = 0;
  for (let i = 0; i < s.length; i++) {
    let d = Number(s[s.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Bank card / passbook number: 12–19 digits after removing spaces (no Luhn requirement). */
export const bankAccountSchema = z
  .string({ error: '银行卡（折）号必须是文字' })
  .transform((s) => s.replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^\d{12,19}$/, { error: '银行卡（折）号格式不正确：应为12–19位数字' }));

const LONG_DIGITS_RE = /(?<![\dA-Za-z])\d{11,18}[\dXx](?![\dA-Za-z])/g;
const MOBILE_IN_TEXT_RE = /(?<!\d)1[3-9]\d{9}(?!\d)/g;

/**
 * Free text with personal numbers masked, for logs: ID numbers and bank accounts (12–19 digits,
 * first and last 4 kept) and mainland mobile numbers (138****5678). Callers mask first; this is the
 * last line of defence for values echoed back in error messages.
 */
export function maskPersonalText(text: string): string {
  return text
    .replace(LONG_DIGITS_RE, (m) => m.slice(0, 4) + '*'.repeat(m.length - 8) + m.slice(-4))
    .replace(MOBILE_IN_TEXT_RE, (m) => maskMobile(m));
}
