/** Security review findings 4 (payload codec), 5 (Host allow-list) and 6 (hash key in production and in compose). */
import fs from 'node:fs';

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { loadConfig } from '../../infra/config.js';
import { resolveHashKey } from '../../infra/hash-key.js';
import { EncryptionCodec, PayloadCipherError, payloadKeyFromBase64 } from '../../infra/temporal/payload-codec.js';
import { isLocalRequest } from '../../bot/console/auth.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('payload codec', () => {
  it('refuses an unencrypted payload on decode (a plaintext Update sent straight to Temporal)', async () => {
    const codec = new EncryptionCodec(payloadKeyFromBase64(Buffer.alloc(32, 7).toString('base64')));
    const plain = { metadata: { encoding: enc('json/plain') }, data: enc('{"decision":"approve","byStaffId":1}') };
    await expect(codec.decode([plain])).rejects.toBeInstanceOf(PayloadCipherError);
    await expect(codec.decode([{ data: enc('x') }])).rejects.toBeInstanceOf(PayloadCipherError);
    const [sealed] = await codec.encode([plain]);
    const [opened] = await codec.decode([sealed!]);
    expect(new TextDecoder().decode(opened!.data!)).toContain('approve');
  });
});

describe('console and dashboard: local means loopback socket, no forwarding header, and a loopback Host', () => {
  const req = (host: string | undefined, extra: Record<string, string> = {}) => ({ socket: { remoteAddress: '127.0.0.1' }, headers: { ...(host === undefined ? {} : { host }), ...extra } });
  it('accepts loopback names with any port', () => {
    for (const host of ['127.0.0.1:3000', 'localhost:3000', 'LOCALHOST', '[::1]:8080', '127.0.0.1']) expect(isLocalRequest(req(host)), host).toBe(true);
  });
  it('refuses another Host (DNS rebinding, a proxy that keeps the public name), no Host, and forwarded requests', () => {
    for (const host of ['evil.example:3000', 'jiuzhu.county.gov.cn', '127.0.0.1.nip.io', '10.0.0.5:3000', 'localhost.evil.example']) expect(isLocalRequest(req(host)), host).toBe(false);
    expect(isLocalRequest(req(undefined))).toBe(false);
    expect(isLocalRequest(req('127.0.0.1:3000', { 'x-forwarded-for': '1.2.3.4' }))).toBe(false);
    expect(isLocalRequest({ socket: { remoteAddress: '10.0.0.9' }, headers: { host: '127.0.0.1:3000' } })).toBe(false);
  });
});

describe('hash key', () => {
  it('is required outside development, in Chinese', () => {
    expect(() => resolveHashKey({ NODE_ENV: 'production' })).toThrow(/JIUZHU_HASH_KEY/);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/必须设置环境变量 JIUZHU_HASH_KEY/);
    expect(resolveHashKey({}).isDevDefault).toBe(true);
    expect(resolveHashKey({ NODE_ENV: 'production', JIUZHU_HASH_KEY: 'k'.repeat(32) }).isDevDefault).toBe(false);
  });
  it('is set (and demanded) for every service of docker-compose.yml, which stays valid YAML', () => {
    const compose = parse(fs.readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8'), { merge: true }) as { services: Record<string, { environment?: Record<string, string>; image?: string }> };
    const app = Object.entries(compose.services).filter(([, s]) => s.image === 'jiuzhu:latest');
    expect(app.length).toBeGreaterThanOrEqual(2);
    for (const [name, s] of app) expect(s.environment?.JIUZHU_HASH_KEY, name).toMatch(/^\$\{JIUZHU_HASH_KEY:\?/);
  });
});
