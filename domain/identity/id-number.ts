/**
 * Citizen identity numbers (居民身份证号码, GB 11643-1999).
 *
 * 18 digits: 6-digit area code, 8-digit birth date YYYYMMDD, 3-digit sequence
 * (odd = male, even = female), 1 check character (ISO 7064 MOD 11-2: weights
 * 7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2; sum mod 11 indexes '10X98765432').
 * Legacy 15-digit numbers (pre-1999) have a 6-digit birth date YYMMDD (all
 * 19YY) and no check digit; `normalizeIdNumber` converts them to 18 digits.
 *
 * Pure and workflow-safe. Keyed hashing (node:crypto) is in id-hash.ts.
 */
import { z } from 'zod';
import { DomainError } from '../errors.js';
import { isValidLocalDate, type LocalDate } from '../time/local-date.js';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';

/**
 * Province-level codes (first two digits) in use since 1997, plus 83
 * (residence permits for Taiwan residents; 81/82 are Hong Kong and Macao).
 */
const PROVINCE_CODES = new Set([
  '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65',
  '71', '81', '82', '83',
]);

/** Earliest accepted birth year (older numbers are data errors for living persons). */
const MIN_BIRTH_YEAR = 1880;

export type IdNumberErrorCode = 'format' | 'area' | 'birthDate' | 'checksum';

export const ID_NUMBER_MESSAGES: Record<IdNumberErrorCode, string> = {
  format: '身份证号格式错误：应为18位（末位可为X）或15位数字',
  area: '身份证号地区码无效',
  birthDate: '身份证号中的出生日期无效',
  checksum: '身份证号校验位错误',
};

export class IdNumberError extends DomainError {
  readonly reason: IdNumberErrorCode;
  constructor(reason: IdNumberErrorCode) {
    super(`ID_NUMBER_${reason.toUpperCase()}`, ID_NUMBER_MESSAGES[reason]);
    this.name = 'IdNumberError';
    this.reason = reason;
  }
}

/** The check character for the first 17 digits. */
export function computeCheckDigit(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new IdNumberError('format');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

/** Trim, remove inner spaces and upper-case a trailing x. */
export function cleanIdNumber(raw: string): string {
  return String(raw).replace(/\s+/g, '').toUpperCase();
}

function birthOf18(id: string): LocalDate {
  return `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
}

/**
 * Validate a (cleaned) 18-digit number. Returns null when valid, else the
 * first failing check in the order format → area → birth date → checksum.
 * `today` (optional) rejects birth dates after it.
 */
export function checkIdNumber18(id: string, today?: LocalDate): IdNumberErrorCode | null {
  if (!/^\d{17}[\dX]$/.test(id)) return 'format';
  if (!PROVINCE_CODES.has(id.slice(0, 2))) return 'area';
  const birth = birthOf18(id);
  if (!isValidLocalDate(birth) || Number(id.slice(6, 10)) < MIN_BIRTH_YEAR) return 'birthDate';
  if (today !== undefined && birth > today) return 'birthDate';
  if (computeCheckDigit(id.slice(0, 17)) !== id[17]) return 'checksum';
  return null;
}

/** True for a valid 18-digit number (after cleaning). */
export function isValidIdNumber(raw: string, today?: LocalDate): boolean {
  return checkIdNumber18(cleanIdNumber(raw), today) === null;
}

/**
 * Convert a legacy 15-digit number to 18 digits: insert '19' before the
 * 6-digit birth date and append the check digit.
 * 110105491231002 → 11010519491231002X.
 */
export function convert15To18(id15: string): string {
  const id = cleanIdNumber(id15);
  if (!/^\d{15}$/.test(id)) throw new IdNumberError('format');
  const first17 = `${id.slice(0, 6)}19${id.slice(6)}`;
  return first17 + computeCheckDigit(first17);
}

/**
 * Clean, convert 15 → 18 and validate. Returns the canonical 18-character
 * form (upper-case X) or throws `IdNumberError` with a Chinese message.
 */
export function normalizeIdNumber(raw: string, today?: LocalDate): string {
  const id = cleanIdNumber(raw);
  let id18: string;
  if (/^\d{15}$/.test(id)) {
    id18 = convert15To18(id);
  } else if (/^\d{17}[\dX]$/.test(id)) {
    id18 = id;
  } else {
    throw new IdNumberError('format');
  }
  const err = checkIdNumber18(id18, today);
  if (err) throw new IdNumberError(err);
  return id18;
}

export type Sex = 'male' | 'female';

export interface IdNumberInfo {
  /** Canonical 18-digit form. */
  idNumber: string;
  /** 6-digit administrative division code at issue time. */
  areaCode: string;
  provinceCode: string;
  birthDate: LocalDate;
  /** Odd sequence digit = male, even = female. */
  sex: Sex;
  /** Whether the input was a 15-digit legacy number. */
  legacy15: boolean;
}

/** Validate (15 or 18 digits) and derive area, birth date and sex. */
export function parseIdNumber(raw: string, today?: LocalDate): IdNumberInfo {
  const legacy15 = /^\d{15}$/.test(cleanIdNumber(raw));
  const id = normalizeIdNumber(raw, today);
  return {
    idNumber: id,
    areaCode: id.slice(0, 6),
    provinceCode: id.slice(0, 2),
    birthDate: birthOf18(id),
    sex: Number(id[16]) % 2 === 1 ? 'male' : 'female',
    legacy15,
  };
}

/** Birth date of a valid number. */
export function birthDateFromIdNumber(raw: string): LocalDate {
  return parseIdNumber(raw).birthDate;
}

/** Sex of a valid number. */
export function sexFromIdNumber(raw: string): Sex {
  return parseIdNumber(raw).sex;
}

/** Full years of age on `onDate`. */
export function ageOn(raw: string, onDate: LocalDate): number {
  const birth = parseIdNumber(raw).birthDate;
  const by = Number(birth.slice(0, 4));
  const oy = Number(onDate.slice(0, 4));
  return oy - by - (onDate.slice(5) < birth.slice(5) ? 1 : 0);
}

/**
 * Mask for display: keep the first 4 and the last 4 characters
 * (11010519491231002X → 1101**********002X). The first 4 (province and city)
 * tell staff where the person is registered; the last 4 (sequence and check
 * digit) let them tell two people apart when talking to the family. The
 * county, birth date and most of the sequence stay hidden, which is enough for
 * chat messages and exported lists (57号 Art. 24 asks to protect privacy).
 * Works on any length > 8; shorter input is masked completely.
 */
export function maskIdNumber(raw: string): string {
  const id = cleanIdNumber(raw);
  if (id.length <= 8) return '*'.repeat(id.length);
  return id.slice(0, 4) + '*'.repeat(id.length - 8) + id.slice(-4);
}

/**
 * A digit run in free text that is, or holds, an ID number: 17 digits and more, with an optional final
 * X. Masked whole (first and last 4 kept), so an ID number typed right after other digits (or joined to
 * them once hidden characters between them are removed) shows none of its own digits.
 */
const ID_NUMBER_IN_TEXT_RE = /\d{17,}[\dXx]?/g;

/** Free text as a group chat shows it: every ID number in it masked (maskIdNumber). */
export function maskIdNumbersInText(text: string): string {
  return text.replace(ID_NUMBER_IN_TEXT_RE, (m) => maskIdNumber(m));
}

// ---------------------------------------------------------------- zod

function idIssue(ctx: z.core.$RefinementCtx<string>, code: IdNumberErrorCode): void {
  ctx.addIssue({ code: 'custom', message: ID_NUMBER_MESSAGES[code], params: { reason: code } });
}

/**
 * Strict 18-digit citizen ID. Output: cleaned, upper-case X. Messages:
 * "身份证号格式错误…", "身份证号地区码无效", "身份证号中的出生日期无效"
 * (impossible dates such as 19990230, or a date after today in Beijing),
 * "身份证号校验位错误".
 */
export const idNumberSchema = z
  .string({ error: '身份证号必须是文字' })
  .transform(cleanIdNumber)
  .superRefine((id, ctx) => {
    const err = checkIdNumber18(id, todayInBeijing());
    if (err) idIssue(ctx, err);
  });

/** Like `idNumberSchema` but also accepts 15-digit legacy numbers and outputs the 18-digit form. */
export const idNumberInputSchema = z
  .string({ error: '身份证号必须是文字' })
  .transform((raw, ctx) => {
    try {
      return normalizeIdNumber(raw, todayInBeijing());
    } catch (e) {
      if (e instanceof IdNumberError) {
        idIssue(ctx, e.reason);
        return z.NEVER;
      }
      throw e;
    }
  });

/**
 * Today's date in Beijing from the clock. Inside a Temporal workflow `Date`
 * is the deterministic workflow clock, so this stays replay-safe.
 */
function todayInBeijing(): LocalDate {
  const d = new Date(Date.now() + 8 * 3_600_000);
  return d.toISOString().slice(0, 10);
}
