import { makeIdNumber } from '../../domain/identity/index.js';

let serial = Math.floor(Math.random() * 900);
const issued = new Set<string>();

const pad2 = (n: number) => String(n).padStart(2, '0');

/** A random date (YYYYMMDD) in the given year; days 1–28 so every month is valid. */
function randomBirth(year: number): string {
  return `${year}${pad2(1 + Math.floor(Math.random() * 12))}${pad2(1 + Math.floor(Math.random() * 28))}`;
}

/**
 * A fresh valid 18-digit ID number (GB 11643 check digit), different on every
 * call and across test processes, so tests sharing one database never collide.
 *
 * A fixed `birth` leaves only 1,000 sequence numbers, so a test that merely
 * needs an elderly person should pass `birthYear` (a random day of that year)
 * rather than a fixed date.
 */
export function freshIdNumber(opts: { birth?: string; birthYear?: number; female?: boolean; area?: string } = {}): string {
  // Tests share one database: a random area code in Shanxi (14xxxx) widens the
  // space 10,000-fold, so unrelated files practically never draw the same number.
  const area = opts.area ?? `14${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`;
  for (;;) {
    const birth = (opts.birth ?? randomBirth(opts.birthYear ?? 1950 + Math.floor(Math.random() * 49))).replaceAll('-', '');
    serial = (serial + 1 + Math.floor(Math.random() * 7)) % 1000;
    let seq = (serial + process.pid * 7 + Date.now()) % 1000;
    if (opts.female !== undefined && seq % 2 === (opts.female ? 1 : 0)) seq = (seq + 1) % 1000;
    const id = makeIdNumber(area, birth, seq);
    if (issued.has(id)) continue;
    issued.add(id);
    return id;
  }
}
