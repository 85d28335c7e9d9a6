/**
 * Making valid ID numbers (for demonstration data and tests): area code +
 * birth date + sequence + GB 11643 check character. Pure.
 */
import { computeCheckDigit, IdNumberError } from './id-number.js';

/**
 * The 18-digit number for an area code ('141121'), a birth date
 * ('YYYY-MM-DD' or 'YYYYMMDD') and a sequence 0–999 (odd = male, even =
 * female), with its check character.
 */
export function makeIdNumber(area: string, birth: string, seq: number): string {
  const date = birth.replaceAll('-', '');
  if (!/^\d{6}$/.test(area) || !/^\d{8}$/.test(date) || !Number.isInteger(seq) || seq < 0 || seq > 999) throw new IdNumberError('format');
  const body = `${area}${date}${String(seq).padStart(3, '0')}`;
  return body + computeCheckDigit(body);
}

/**
 * Hands out distinct ID numbers for one area: for a birth date and sex, the
 * next free sequence number of that date (so two people born the same day
 * never share a number). `taken` numbers are skipped.
 */
export class IdNumberAllocator {
  private readonly next = new Map<string, number>();
  constructor(
    readonly area: string,
    private readonly taken: Set<string> = new Set(),
  ) {}

  /** A fresh number; `start` (0–999) spreads sequences out (e.g. a random draw). */
  allocate(birth: string, female: boolean, start = 0): string {
    const date = birth.replaceAll('-', '');
    let seq = this.next.get(date) ?? start % 1000;
    for (let tries = 0; tries < 1000; tries++, seq = (seq + 1) % 1000) {
      if ((seq % 2 === 0) !== female) continue;
      const id = makeIdNumber(this.area, date, seq);
      if (this.taken.has(id)) continue;
      this.taken.add(id);
      this.next.set(date, (seq + 1) % 1000);
      return id;
    }
    throw new Error(`no free ID number left for ${this.area} ${date}`);
  }
}
