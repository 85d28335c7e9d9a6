// The key of the keyed hashes stored instead of bank account numbers (see domain/import/account.ts).
import { MIN_HASH_KEY_BYTES } from '../domain/identity/id-hash.js';

/**
 * Used when JIUZHU_HASH_KEY is unset: fine for trying the samples, not for real data (anyone with the
 * source could then test guesses of an account number against the stored hashes). Hashes made with it
 * do not match hashes made with the real key: set the key before the first real import.
 */
export const DEV_HASH_KEY = 'jiuzhu-dev-only-hash-key-NOT-FOR-PRODUCTION';

export const HASH_KEY_REQUIRED =
  '生产环境（NODE_ENV=production）必须设置环境变量 JIUZHU_HASH_KEY（至少 16 字节的随机字符串，可用 `openssl rand -base64 32` 生成），否则银行账号的哈希使用公开的开发密钥，可被离线穷举。';

export interface HashKey {
  key: string;
  /** True when the development default is in use. */
  isDevDefault: boolean;
}

export function resolveHashKey(env: NodeJS.ProcessEnv = process.env): HashKey {
  const key = env.JIUZHU_HASH_KEY;
  if (key === undefined || key === '') {
    // Outside development the public default key would let anyone test guesses of an account number.
    if (env.NODE_ENV === 'production') throw new Error(HASH_KEY_REQUIRED);
    return { key: DEV_HASH_KEY, isDevDefault: true };
  }
  if (Buffer.byteLength(key, 'utf8') < MIN_HASH_KEY_BYTES) {
    throw new Error(`JIUZHU_HASH_KEY 过短：至少需要 ${MIN_HASH_KEY_BYTES} 字节（建议 32 个以上的随机字符）`);
  }
  return { key, isDevDefault: false };
}

export const DEV_HASH_KEY_WARNING =
  '警告：未设置环境变量 JIUZHU_HASH_KEY，银行账号的哈希使用开发用默认密钥。正式数据请先设置该密钥（至少 16 字节的随机字符串），并妥善保管。';
