import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../infra/config.js';

// No Docker engine runs here, so the production compose file is checked by
// reading it: the services, images, ports, health checks and the environment
// the application needs, resolved the way `docker compose` resolves it.
const root = path.resolve(import.meta.dirname, '../..');
const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, {
    image?: string;
    build?: unknown;
    command?: string[];
    ports?: string[];
    environment?: Record<string, string>;
    healthcheck?: { test: string[] };
    depends_on?: Record<string, { condition: string }>;
    volumes?: string[];
  }>;
  volumes?: Record<string, unknown>;
};

/** `${VAR:?msg}` / `${VAR:-default}` interpolation as compose does it. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::([?-])([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) => {
    if (env[name]) return env[name];
    if (op === '?') throw new Error(`required variable ${name}: ${arg}`);
    return op === '-' ? (arg ?? '') : '';
  });
}

describe('docker-compose.yml', () => {
  const s = compose.services;

  it('has the production services', () => {
    expect(Object.keys(s).sort()).toEqual(['migrate', 'postgresql', 'temporal', 'temporal-ui', 'webhook', 'worker'].sort());
  });

  it('pins images and builds the app once', () => {
    expect(s.postgresql!.image).toMatch(/^postgres:\d+/);
    expect(s.temporal!.image).toMatch(/^temporalio\/auto-setup:\d+\.\d+\.\d+$/);
    expect(s['temporal-ui']!.image).toMatch(/^temporalio\/ui:\d+\.\d+\.\d+$/);
    expect(s.migrate!.build).toBeDefined();
    for (const name of ['migrate', 'worker', 'webhook']) expect(s[name]!.image).toBe('jiuzhu:latest');
    expect(fs.existsSync(path.join(root, 'Dockerfile'))).toBe(true);
  });

  it('runs the worker and the webhook server with their own commands', () => {
    expect(s.worker!.command).toEqual(['node', 'bin/jiuzhu.js', 'worker']);
    expect(s.webhook!.command).toEqual(['node', 'bin/jiuzhu.js', 'server']);
    expect(s.migrate!.command).toEqual(['npx', '--no-install', 'prisma', 'migrate', 'deploy']);
  });

  it('exposes only the webhook publicly; Temporal and its UI on loopback', () => {
    expect(s.webhook!.ports).toEqual(['3000:3000']);
    expect(s.temporal!.ports).toEqual(['127.0.0.1:7233:7233']);
    expect(s['temporal-ui']!.ports).toEqual(['127.0.0.1:8080:8080']);
    expect(s.postgresql!.ports).toBeUndefined();
  });

  it('has a health check on every long-running service and waits on them', () => {
    for (const name of ['postgresql', 'temporal', 'temporal-ui', 'worker', 'webhook']) {
      expect(s[name]!.healthcheck?.test.length, name).toBeGreaterThan(0);
    }
    expect(s.temporal!.depends_on?.postgresql?.condition).toBe('service_healthy');
    for (const name of ['worker', 'webhook']) {
      expect(s[name]!.depends_on?.migrate?.condition).toBe('service_completed_successfully');
      expect(s[name]!.depends_on?.temporal?.condition).toBe('service_healthy');
    }
    expect(s.webhook!.healthcheck!.test.join(' ')).toContain('127.0.0.1:3000/health');
  });

  it('gives the app an environment its configuration accepts, pointing at the compose services', () => {
    const secrets = { POSTGRES_PASSWORD: 's3cret', JIUZHU_PAYLOAD_KEY: 'a'.repeat(44), JIUZHU_HASH_KEY: 'b'.repeat(44) };
    for (const name of ['worker', 'webhook', 'migrate']) {
      const env = Object.fromEntries(
        Object.entries(s[name]!.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), secrets)]),
      );
      const config = loadConfig(env);
      expect(config.databaseUrl).toBe('postgresql://jiuzhu:s3cret@postgresql:5432/jiuzhu');
      expect(config.temporal.address).toBe('temporal:7233');
      expect(env.JIUZHU_PAYLOAD_KEY).toBe(secrets.JIUZHU_PAYLOAD_KEY);
    }
    expect(loadConfig(Object.fromEntries(Object.entries(s.webhook!.environment!).map(([k, v]) => [k, interpolate(String(v), secrets)]))).http)
      .toEqual({ host: '0.0.0.0', port: 3000 });
  });

  it('refuses to start without the required secrets', () => {
    expect(() => interpolate(String(s.worker!.environment!.DATABASE_URL), {})).toThrow(/POSTGRES_PASSWORD/);
    expect(() => interpolate(String(s.worker!.environment!.JIUZHU_PAYLOAD_KEY), {})).toThrow(/JIUZHU_PAYLOAD_KEY/);
  });

  it('mounts files that exist and declares its named volumes', () => {
    for (const svc of Object.values(s)) {
      for (const v of svc.volumes ?? []) {
        const [src] = v.split(':');
        if (src!.startsWith('./')) expect(fs.existsSync(path.join(root, src!)), src).toBe(true);
        else expect(compose.volumes, src).toHaveProperty(src!);
      }
    }
  });
});
