// The list of refused rows, beside the input: `<input>.错误行.csv`, UTF-8 with a BOM so that Excel and
// WPS open it in the right encoding. Columns: 行号, 错误原因, then the row as it was in the file. Written
// as rows are refused (buffered), never collected in memory.
//
// The file is personal data opened in Excel/WPS: mode 0600; ID numbers and bank accounts masked (the
// columns of those fields by their mask, any other run of 12+ digits by maskSensitive); a cell that
// begins with = + - @ (or a tab / CR) gets a leading apostrophe so that it is never run as a formula.
import fs from 'node:fs';

import { cellText, maskSensitive, type Cell } from '../../domain/import/index.js';
import { maskBankCard, maskIdNumber } from '../../domain/identity/index.js';

export const ERROR_FILE_SUFFIX = '.错误行.csv';

export function defaultErrorFilePath(input: string): string {
  return input + ERROR_FILE_SUFFIX;
}

/** A cell Excel would read as a formula (or DDE) gets a leading apostrophe (OWASP CSV injection). */
export function neutraliseFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** How a sensitive column is masked in the error file. */
export type SensitiveColumn = 'idNumber' | 'account';

/** The sensitive columns of a recognised header: fields named …IdNumber / idNumber (ID) and account. */
export function sensitiveColumns(fields: ReadonlyMap<string, number>): Map<number, SensitiveColumn> {
  const out = new Map<number, SensitiveColumn>();
  for (const [field, index] of fields) {
    if (/idNumber$/i.test(field)) out.set(index, 'idNumber');
    else if (field === 'account') out.set(index, 'account');
  }
  return out;
}

/** A cell as written to the error file: masked (by column, then any long number) and neutralised. */
export function safeCell(value: string, sensitive?: SensitiveColumn): string {
  let v = value;
  if (v.trim() !== '') {
    if (sensitive === 'idNumber') v = maskIdNumber(v.trim());
    else if (sensitive === 'account') v = maskBankCard(v.trim());
  }
  return neutraliseFormula(maskSensitive(v));
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
  private sensitive = new Map<number, SensitiveColumn>();
  count = 0;

  constructor(readonly path: string) {}

  /** The input's header cells, written after 行号 and 错误原因 (set before the first row). */
  setHeader(headers: readonly string[], sensitive?: ReadonlyMap<number, SensitiveColumn>): void {
    this.header = headers.map((h) => safeCell(h));
    this.sensitive = new Map(sensitive ?? []);
  }

  add(line: number, reasons: readonly string[], cells: readonly Cell[]): void {
    if (this.fd === undefined) {
      this.fd = fs.openSync(this.path, 'w', 0o600);
      fs.fchmodSync(this.fd, 0o600); // a list left from an earlier attempt keeps its mode otherwise
      this.buffer = '\ufeff' + csvLine(['行号', '错误原因', ...this.header]);
    }
    const width = Math.max(this.header.length, cells.length);
    const row: string[] = [String(line), safeCell(reasons.join('；'))];
    for (let i = 0; i < width; i++) row.push(safeCell(cellText(cells[i]), this.sensitive.get(i)));
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
