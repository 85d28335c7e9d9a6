import { makeIdNumber } from '../../domain/identity/index.js';

let serial = Math.floor(Math.random() * 900);

/**
 * A fresh valid 18-digit ID number (GB 11643 check digit), different on every
 * call and across test processes, so tests sharing one database never collide.
 */
export function freshIdNumber(opts: { birth?: string; female?: boolean; area?: string } = {}): string {
  const area = opts.area ?? '141125'; // 文水县 area code
  const birth = (opts.birth ?? `19${50 + Math.floor(Math.random() * 49)}0${1 + Math.floor(Math.random() * 9)}1${Math.floor(Math.random() * 9)}`).replaceAll('-', '');
  serial = (serial + 1 + Math.floor(Math.random() * 7)) % 1000;
  let seq = (serial + process.pid * 7 + Date.now()) % 1000;
  if (opts.female !== undefined && seq % 2 === (opts.female ? 1 : 0)) seq = (seq + 1) % 1000;
  return makeIdNumber(area, birth, seq);
}
