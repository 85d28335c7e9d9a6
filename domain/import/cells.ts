/**
 * Reading single cells: text, identity numbers, dates, months and amounts, as
 * county staff write them in Excel or WPS. Pure. Every failure comes back as a
 * Chinese message that starts with the column label, ready for the error file.
 */
import { IdNumberError, ID_NUMBER_MESSAGES, normalizeIdNumber } from '../identity/id-number.js';
import type { LocalDate } from '../time/local-date.js';
import type { Cell } from './types.js';

export type CellResult<T> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): CellResult<T> => ({ ok: true, value });
const fail = (message: string): CellResult<never> => ({ ok: false, message });

/** Longest text accepted in a name-like column. */
export const MAX_TEXT = 200;

const NEEDS_CLEANING = /[\u0000\u00a0\u3000\t\r\n]| {2}/;

/**
 * A cell as trimmed text. Numbers are written without exponent where they are
 * safe integers; dates as YYYY-MM-DD; booleans as 是/否. Full-width and
 * no-break spaces count as spaces; runs of spaces become one.
 */
export function cellText(cell: Cell): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'string') {
    if (!NEEDS_CLEANING.test(cell)) return cell.trim();
    return cell.replace(/\u0000/g, '').replace(/[\u00a0\u3000\t\r\n]+/g, ' ').replace(/ {2,}/g, ' ').trim();
  }
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  if (typeof cell === 'boolean') return cell ? '是' : '否';
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? '' : dateFromJsDate(cell);
  return String(cell);
}

/** True when every cell is empty or blank. */
export function isBlankRow(cells: readonly Cell[]): boolean {
  return cells.every((c) => cellText(c) === '');
}

/**
 * A person's or place's name: spaces between Chinese characters are removed
 * ("张 三" → "张三"); other single spaces are kept ("Ma Li").
 */
export function cellName(cell: Cell): string {
  const s = cellText(cell);
  if (!s.includes(' ')) return s;
  return s.replace(/(?<=[\u3400-\u9fff·]) (?=[\u3400-\u9fff·])/g, '');
}

// ---------------------------------------------------------------- identity numbers

const SCIENTIFIC_RE = /^\d+(\.\d+)?E\+\d+$/i;

/**
 * A citizen ID (15 or 18 digits) → canonical 18 digits. Catches the classic
 * Excel accidents: an ID stored as a number (precision lost beyond 15 digits)
 * and an ID shown in scientific notation (1.40428E+17) then saved as CSV.
 */
export function parseIdCell(cell: Cell, label: string, today?: LocalDate): CellResult<string> {
  if (typeof cell === 'number') {
    if (!Number.isSafeInteger(cell)) return fail(`${label}在表格中被存成了数字，后几位已丢失；请把该列设为“文本”格式后重新填写`);
    cell = String(cell);
  }
  const text = cellText(cell).replace(/\s+/g, '');
  if (text === '') return fail(`${label}不能为空`);
  if (SCIENTIFIC_RE.test(text)) {
    return fail(`${label}显示为科学计数法（${text}），说明在 Excel 中被当成了数字、后几位已丢失；请把该列设为“文本”格式后重新填写`);
  }
  try {
    return ok(normalizeIdNumber(text.replace(/^'/, ''), today));
  } catch (e) {
    if (e instanceof IdNumberError) {
      const msg = ID_NUMBER_MESSAGES[e.reason].replace(/^身份证号/, '');
      const birthLate = e.reason === 'birthDate' && today !== undefined ? '（或晚于今天）' : '';
      return fail(`${label}${msg}${birthLate}`);
    }
    throw e;
  }
}

// ---------------------------------------------------------------- dates

/** Excel's day 0 is 1899-12-30 (serial 60, the non-existent 1900-02-29, is ignored). */
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);
const MS_PER_DAY = 86_400_000;
/** Serials accepted as dates: 1900-01-01 … 2100-12-31. */
const MIN_SERIAL = 1;
const MAX_SERIAL = 73415;
const MIN_YEAR = 1900;
const MAX_YEAR = 2100;

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in a month without allocating a Date (this runs for every date cell of a large file). */
function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return MONTH_DAYS[m - 1]!;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * The calendar date of a JS Date as exceljs produces it (a date-formatted
 * cell is UTC midnight; float noise such as 23:59:59.999 is rounded to the
 * nearest second first).
 */
function dateFromJsDate(d: Date): LocalDate {
  const t = new Date(Math.round(d.getTime() / 1000) * 1000);
  return `${String(t.getUTCFullYear()).padStart(4, '0')}-${pad2(t.getUTCMonth() + 1)}-${pad2(t.getUTCDate())}`;
}

/** An Excel serial day number (time fraction ignored) → date, or null when out of range. */
export function excelSerialToDate(serial: number): LocalDate | null {
  if (!Number.isFinite(serial) || serial < MIN_SERIAL || serial > MAX_SERIAL) return null;
  return dateFromJsDate(new Date(EXCEL_EPOCH_MS + Math.floor(serial + 1e-9) * MS_PER_DAY));
}

type Ymd = { y: number; m: number; d: number };

const DATE_PATTERNS: RegExp[] = [
  /^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})$/, // 2024-01-05, 2024/1/5, 2024.1.5
  /^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?$/, // 2024年1月5日
  /^(\d{4})(\d{2})(\d{2})$/, // 20240105
];

/** Strip a trailing time ("2024/1/5 0:00:00", "2024-01-05T00:00:00"). */
function stripTime(s: string): string {
  return s.replace(/(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/i, '');
}

function checkYmd({ y, m, d }: Ymd, label: string, raw: string): CellResult<LocalDate> {
  if (y < MIN_YEAR || y > MAX_YEAR) return fail(`${label}“${raw}”的年份超出范围（${MIN_YEAR}–${MAX_YEAR}）`);
  if (m < 1 || m > 12) return fail(`${label}“${raw}”不存在：没有${m}月`);
  if (d < 1 || d > daysInMonth(y, m)) return fail(`${label}“${raw}”不存在：${y}年${m}月没有${d}日`);
  return ok(`${y}-${pad2(m)}-${pad2(d)}`);
}

const DATE_FORMATS_ZH = '2024-01-05、2024/1/5 或 2024年1月5日';

/**
 * A date: YYYY-MM-DD, YYYY/M/D, YYYY.M.D, YYYY年M月D日, YYYYMMDD (a trailing
 * time is ignored), an Excel date cell, or an Excel serial number (as a
 * number, or as 5-digit text in a CSV saved from Excel).
 */
export function parseDateCell(cell: Cell, label: string): CellResult<LocalDate | null> {
  if (cell instanceof Date) {
    if (Number.isNaN(cell.getTime())) return fail(`${label}不是有效的日期`);
    return checkYmdFromIso(dateFromJsDate(cell), label);
  }
  if (typeof cell === 'number') {
    if (Number.isInteger(cell) && cell >= 19000101 && cell <= 21001231) return parseDateText(String(cell), label);
    const d = excelSerialToDate(cell);
    return d ? ok(d) : fail(`${label}“${cell}”不是有效的日期`);
  }
  const text = cellText(cell);
  if (text === '') return ok(null);
  return parseDateText(text, label);
}

function checkYmdFromIso(iso: string, label: string): CellResult<LocalDate> {
  return checkYmd({ y: Number(iso.slice(0, 4)), m: Number(iso.slice(5, 7)), d: Number(iso.slice(8, 10)) }, label, iso);
}

function parseDateText(text: string, label: string): CellResult<LocalDate> {
  const s = stripTime(text);
  for (const re of DATE_PATTERNS) {
    const m = re.exec(s);
    if (m) return checkYmd({ y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) }, label, text);
  }
  if (/^\d{5}(\.\d+)?$/.test(s)) {
    const d = excelSerialToDate(Number(s));
    if (d) return ok(d);
  }
  return fail(`${label}“${text}”无法识别，应写成 ${DATE_FORMATS_ZH}`);
}

/** A required date. */
export function parseRequiredDateCell(cell: Cell, label: string): CellResult<LocalDate> {
  const r = parseDateCell(cell, label);
  if (!r.ok) return r;
  return r.value === null ? fail(`${label}不能为空`) : ok(r.value);
}

/**
 * A month 'YYYY-MM': YYYY-MM, YYYY/M, YYYY.M, YYYY年M月, YYYYMM, any full date
 * (its month), an Excel date cell or serial (Excel turns "2024-05" typed into a
 * cell into the date 2024-05-01).
 */
export function parseMonthCell(cell: Cell, label: string): CellResult<string> {
  if (cell instanceof Date || (typeof cell === 'number' && !(Number.isInteger(cell) && cell >= 190001 && cell <= 210012))) {
    const r = parseDateCell(cell, label);
    if (!r.ok) return r;
    return r.value === null ? fail(`${label}不能为空`) : ok(r.value.slice(0, 7));
  }
  const text = cellText(cell);
  if (text === '') return fail(`${label}不能为空`);
  const s = stripTime(text);
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:份)?$/.exec(s) ?? /^(\d{4})(\d{2})$/.exec(s);
  if (m) {
    const y = Number(m[1]);
    const mo = Number(m[2]);
    if (y < MIN_YEAR || y > MAX_YEAR) return fail(`${label}“${text}”的年份超出范围（${MIN_YEAR}–${MAX_YEAR}）`);
    if (mo < 1 || mo > 12) return fail(`${label}“${text}”不存在：没有${mo}月`);
    return ok(`${y}-${pad2(mo)}`);
  }
  const full = parseDateCell(text, label);
  if (full.ok && full.value !== null) return ok(full.value.slice(0, 7));
  return fail(`${label}“${text}”无法识别，应写成 2024-05、2024/5 或 2024年5月`);
}

// ---------------------------------------------------------------- amounts

/** Largest amount a DECIMAL(12,2) column holds. */
export const MAX_AMOUNT_CENTS = 999_999_999_999;

/**
 * An amount in yuan → a decimal string with 2 places ("1200.50"), exact (no
 * floating point for text input). Accepts thousands separators, ¥/￥ and a
 * trailing 元. Negative, non-numeric or more than 2 decimal places are refused.
 * Empty → null (the caller decides whether that is allowed).
 */
export function parseAmountCell(cell: Cell, label: string): CellResult<string | null> {
  if (typeof cell === 'number') {
    if (!Number.isFinite(cell)) return fail(`${label}不是有效的数字`);
    if (cell < 0) return fail(`${label}不能为负数（${cell}）`);
    const cents = Math.round(cell * 100);
    if (Math.abs(cell * 100 - cents) > 1e-6) return fail(`${label}最多两位小数（${cell}）`);
    if (cents > MAX_AMOUNT_CENTS) return fail(`${label}过大（${cell}）`);
    return ok(centsToYuan(cents));
  }
  const text = cellText(cell);
  if (text === '') return ok(null);
  const s = text.replace(/[,，\s]/g, '').replace(/^[¥￥]/, '').replace(/元$/, '');
  if (/^-/.test(s) || /^（.*）$|^\(.*\)$/.test(s)) return fail(`${label}不能为负数（${text}）`);
  const m = /^\+?(\d+)(?:\.(\d*))?$/.exec(s) ?? /^\+?()\.(\d+)$/.exec(s);
  if (!m) return fail(`${label}“${text}”不是有效的金额`);
  const frac = m[2] ?? '';
  if (frac.length > 2) {
    if (/^0*$/.test(frac.slice(2))) return amountFromParts(m[1]!, frac.slice(0, 2), label, text);
    return fail(`${label}最多两位小数（${text}）`);
  }
  return amountFromParts(m[1]!, frac, label, text);
}

function amountFromParts(intPart: string, frac: string, label: string, text: string): CellResult<string> {
  const digits = (intPart.replace(/^0+/, '') || '0') + frac.padEnd(2, '0');
  if (digits.length > 12) return fail(`${label}过大（${text}）`);
  return ok(centsToYuan(Number(digits)));
}

export function centsToYuan(cents: number): string {
  const s = String(cents).padStart(3, '0');
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}

/** "1200.50" → 120050. */
export function yuanToCents(yuan: string): number {
  // The shape centsToYuan writes (1–12 digits, a dot, 2 digits), read digit by digit; anything else
  // the general way (same result: the digits are the same number).
  const n = yuan.length;
  if (n >= 4 && n <= 15 && yuan.charCodeAt(n - 3) === 46) {
    let v = 0;
    for (let i = 0; i < n; i++) {
      if (i === n - 3) continue;
      const d = yuan.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return yuanToCentsSlow(yuan);
      v = v * 10 + d;
    }
    return v;
  }
  return yuanToCentsSlow(yuan);
}

/** yuanToCents for any text (exported for its property test). */
export function yuanToCentsSlow(yuan: string): number {
  const [i, f = ''] = yuan.split('.');
  return Number(i) * 100 + Number(f.padEnd(2, '0').slice(0, 2));
}

/** A required amount. */
export function parseRequiredAmountCell(cell: Cell, label: string): CellResult<string> {
  const r = parseAmountCell(cell, label);
  if (!r.ok) return r;
  return r.value === null ? fail(`${label}不能为空`) : ok(r.value);
}

// ---------------------------------------------------------------- bank accounts

/**
 * A bank card or passbook number (12–19 digits after removing spaces and
 * dashes). A number cell beyond 15 digits has lost its last digits in Excel.
 */
export function parseAccountCell(cell: Cell, label: string): CellResult<string | null> {
  if (typeof cell === 'number') {
    if (!Number.isSafeInteger(cell)) return fail(`${label}在表格中被存成了数字，后几位已丢失；请把该列设为“文本”格式后重新填写`);
    cell = String(cell);
  }
  const text = cellText(cell).replace(/[\s-]/g, '').replace(/^'/, '');
  if (text === '') return ok(null);
  if (SCIENTIFIC_RE.test(text)) {
    return fail(`${label}显示为科学计数法（${text}），后几位已丢失；请把该列设为“文本”格式后重新填写`);
  }
  if (!/^\d{12,19}$/.test(text)) return fail(`${label}格式不正确：应为12–19位数字`);
  return ok(text);
}
