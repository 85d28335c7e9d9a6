import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { METADATA_ENCODING_KEY } from '@temporalio/common';
// CommonJS package: Node's ESM loader only offers its default export.
import proto from '@temporalio/proto';

const { temporal } = proto;

/**
 * Encrypts every payload that passes through Temporal (workflow arguments,
 * results, signals, updates, activity inputs and outputs, memos) with
 * AES-256-GCM, so ID numbers, names and bank details never sit in Temporal's
 * history in plain text. The worker and every client use the same key; the
 * key id travels with the payload, so keys can be rotated by adding the new
 * one and keeping the old one for decryption.
 */
const ENCODING = 'binary/encrypted';
const KEY_ID_METADATA = 'encryption-key-id';

export class PayloadCipherError extends Error {
  override name = 'PayloadCipherError';
}

export interface PayloadKey {
  id: string;
  key: Buffer;
}

/** A key from 32 bytes, base64-encoded; its id is derived from the key itself. */
export function payloadKeyFromBase64(base64: string): PayloadKey {
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== 32) {
    throw new PayloadCipherError('JIUZHU_PAYLOAD_KEY 必须是 32 字节密钥的 base64 编码（可用 `openssl rand -base64 32` 生成）');
  }
  return { id: createHash('sha256').update(key).digest('hex').slice(0, 16), key };
}

/**
 * The key of this installation: JIUZHU_PAYLOAD_KEY when set (production), else
 * a key generated once into the data folder (embedded defaults), readable only
 * by its owner.
 */
export function loadPayloadKey(dataDir: string, env: NodeJS.ProcessEnv = process.env): PayloadKey {
  if (env.JIUZHU_PAYLOAD_KEY) return payloadKeyFromBase64(env.JIUZHU_PAYLOAD_KEY);
  const file = path.join(dataDir, 'payload.key');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  }
  return payloadKeyFromBase64(fs.readFileSync(file, 'utf8'));
}

export class EncryptionCodec implements PayloadCodec {
  private readonly keys: Map<string, Buffer>;

  /** `current` encrypts; `current` and `previous` decrypt. */
  constructor(private readonly current: PayloadKey, previous: PayloadKey[] = []) {
    this.keys = new Map([current, ...previous].map((k) => [k.id, k.key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: new TextEncoder().encode(ENCODING),
          [KEY_ID_METADATA]: new TextEncoder().encode(this.current.id),
        },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      // Only our own ciphertext is accepted: a plain payload (e.g. an Update sent straight to the
      // Temporal frontend naming any leader as the decider) is refused, never passed through.
      if (!encoding || new TextDecoder().decode(encoding) !== ENCODING) {
        throw new PayloadCipherError('refused an unencrypted payload: every payload must be encrypted with this installation’s key');
      }
      const keyIdBytes = payload.metadata?.[KEY_ID_METADATA];
      const keyId = keyIdBytes ? new TextDecoder().decode(keyIdBytes) : '';
      const key = this.keys.get(keyId);
      if (!key) throw new PayloadCipherError(`no key ${keyId} to decrypt a payload (was JIUZHU_PAYLOAD_KEY changed?)`);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < 12 + 16) throw new PayloadCipherError('encrypted payload too short');
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(data.length - 16));
      const plain = Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

/** The data converter every client and worker of this installation uses. */
export function createDataConverter(key: PayloadKey) {
  return { payloadCodecs: [new EncryptionCodec(key)] };
}
