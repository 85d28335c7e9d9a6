// The list of refused rows, beside the input: `<input>.错误行.csv`, UTF-8 with a BOM so that Excel and
// WPS open it in the right encoding. Columns: 行号, 错误原因, then the row as it was in the file. Written
// as rows are refused (buffered), never collected in memory.
import fs from 'node:fs';

import { cellText, type Cell } from '../../domain/import/index.js';

export const ERROR_FILE_SUFFIX = '.错误行.csv';

export function defaultErrorFilePath(input: string): string {
  return input + ERROR_FILE_SUFFIX;
}

/** One CSV field: quoted when needed; digit strings of 12+ characters get a leading tab so Excel keeps them as text. */
export function csvField(value: string): string {
  let v = value;
  if (/^\d{12,}[Xx]?$/.test(v)) v = `\t${v}`;
  return /[",\r\n\t]/.test(v) || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v;
}

export function csvLine(values: readonly string[]): string {
  return values.map(csvField).join(',') + '\r\n';
}

const FLUSH_AT = 64 * 1024;

export class ErrorFileWriter {
  private fd: number | undefined;
  private buffer = '';
  private header: string[] = [];
  count = 0;

  constructor(readonly path: string) {}

  /** The input's header cells, written after 行号 and 错误原因 (set before the first row). */
  setHeader(headers: readonly string[]): void {
    this.header = [...headers];
  }

  add(line: number, reasons: readonly string[], cells: readonly Cell[]): void {
    if (this.fd === undefined) {
      this.fd = fs.openSync(this.path, 'w');
      this.buffer = '\ufeff' + csvLine(['行号', '错误原因', ...this.header]);
    }
    const width = Math.max(this.header.length, cells.length);
    const row: string[] = [String(line), reasons.join('；')];
    for (let i = 0; i < width; i++) row.push(cellText(cells[i]));
    this.buffer += csvLine(row);
    this.count++;
    if (this.buffer.length >= FLUSH_AT) this.flush();
  }

  private flush(): void {
    if (this.fd !== undefined && this.buffer) {
      fs.writeSync(this.fd, this.buffer);
      this.buffer = '';
    }
  }

  /** True while open with at least one row written (check before close()). */
  get written(): boolean {
    return this.fd !== undefined;
  }

  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    fs.closeSync(this.fd);
    this.fd = undefined;
  }

  /** Close and delete (the import failed for another reason: a half list would mislead). */
  discard(): void {
    const had = this.written;
    this.close();
    if (had) fs.rmSync(this.path, { force: true });
  }
}
