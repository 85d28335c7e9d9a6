/**
 * Bank accounts (银行卡(折)号) are never stored: only a display mask and a keyed
 * hash, so that two payments to the same account can still be recognised
 * (e.g. several households paid into one card held by a village cadre).
 *
 * Uses node:crypto like domain/identity/id-hash.ts: call it from the CLI or
 * activities, never from workflow code.
 */
import { createHmac } from 'node:crypto';
import { DomainInputError } from '../errors.js';
import { maskBankCard } from '../identity/contact.js';
import { MIN_HASH_KEY_BYTES } from '../identity/id-hash.js';

/**
 * HMAC-SHA256 over the digits of the account (spaces and dashes removed), with
 * a domain prefix so an account hash can never equal an ID-number hash made
 * with the same key. 64 lower-case hex characters.
 */
export function hashBankAccount(account: string, key: string | Uint8Array): string {
  const keyBytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
  if (keyBytes.length < MIN_HASH_KEY_BYTES) {
    throw new DomainInputError(`银行账号哈希密钥过短：至少需要 ${MIN_HASH_KEY_BYTES} 字节`);
  }
  const digits = String(account).replace(/[\s-]/g, '');
  return createHmac('sha256', keyBytes).update(`bank-account:${digits}`, 'utf8').digest('hex');
}

/** Masked form and keyed hash of an account, as stored on a payment. */
export function protectAccount(account: string, key: string | Uint8Array): { masked: string; hash: string } {
  return { masked: maskBankCard(account), hash: hashBankAccount(account, key) };
}
