/**
 * Keyed hash of identity numbers (HMAC-SHA256), for matching and indexing
 * without storing the number in clear (e.g. cross-matching death or prison
 * lists, dedup keys, log correlation).
 *
 * Uses node:crypto: pure and I/O-free, but not available inside the Temporal
 * workflow sandbox. Call it from activities, the CLI or the bot, never from
 * workflow code; that is why it lives apart from id-number.ts.
 */
import { createHmac } from 'node:crypto';
import { DomainInputError } from '../errors.js';
import { normalizeIdNumber } from './id-number.js';

/** Minimum key length in bytes (a 128-bit secret). */
export const MIN_HASH_KEY_BYTES = 16;

/**
 * HMAC-SHA256 over the canonical 18-digit form (15-digit input is converted
 * first, so old and new numbers of one person hash alike). Returns 64 lower-case
 * hex characters. Throws `IdNumberError` for an invalid number and a Chinese
 * `DomainInputError` for a missing or short key.
 */
export function hashIdNumber(id: string, key: string | Uint8Array): string {
  const keyBytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
  if (keyBytes.length < MIN_HASH_KEY_BYTES) {
    throw new DomainInputError(`身份证号哈希密钥过短：至少需要 ${MIN_HASH_KEY_BYTES} 字节`);
  }
  const canonical = normalizeIdNumber(id);
  return createHmac('sha256', keyBytes).update(canonical, 'utf8').digest('hex');
}
