import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { createPrismaClient } from '../../infra/db/client.js';
import { findServedPglite } from '../../infra/db/pglite-server.js';
import { freePort } from '../support/jiuzhu-process.js';

const root = path.resolve(import.meta.dirname, '../..');

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/** Processes whose command line mentions `needle` (the data folder is unique to this test). */
function processesMentioning(needle: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmd.includes(needle)) found.push(`${pid}: ${cmd}`);
    } catch { /* gone */ }
  }
  return found;
}

interface Started { child: ChildProcess; output: () => string; ports: Record<string, number> }

/**
 * Starts `jiuzhu start`. A port picked free a moment ago may be taken by another process before the
 * service binds it (the machine runs other tests; the Temporal dev server opens ports of its own): then
 * that port is picked again and the start retried, at most twice. `ports` is updated in place.
 */
async function startService(dataDir: string, ports: Record<string, number>): Promise<Started> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServiceOnce(dataDir, ports);
    } catch (error) {
      const taken = /EADDRINUSE: address already in use [\d.]+:(\d+)/.exec((error as Error).message);
      const key = taken ? Object.keys(ports).find((k) => ports[k] === Number(taken[1])) : undefined;
      if (attempt >= 3 || !key) throw error;
      ports[key] = await freePort();
    }
  }
}

async function startServiceOnce(dataDir: string, ports: Record<string, number>): Promise<Started> {
  let out = '';
  // `jiuzhu start` with no configuration but the ports (tests must not take the default ones).
  const env = { ...process.env };
  delete env.DATABASE_URL;
  delete env.TEMPORAL_ADDRESS;
  const child = spawn('node', [path.join(root, 'bin/jiuzhu.js'), 'start'], {
    cwd: root,
    env: {
      ...env,
      JIUZHU_DATA_DIR: dataDir,
      JIUZHU_HTTP_PORT: String(ports.http),
      JIUZHU_TEMPORAL_PORT: String(ports.temporal),
      JIUZHU_TEMPORAL_UI_PORT: String(ports.ui),
      JIUZHU_PGLITE_PORT: String(ports.pglite),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (b) => { out += b; });
  child.stderr!.on('data', (b) => { out += b; });
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`start exited ${child.exitCode}:\n${out}`);
    if (out.includes('按 Ctrl-C 停止')) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return { child, output: () => out, ports };
}

async function stopWithCtrlC(s: Started): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => s.child.once('exit', (code) => resolve(code)));
  s.child.kill('SIGINT');
  return exited;
}

describe('jiuzhu start on embedded defaults', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-start-'));
  let running: Started | undefined;
  afterAll(async () => {
    if (running && running.child.exitCode === null) running.child.kill('SIGKILL');
  });

  it('comes up with every component healthy, serves the CLI, stops everything on Ctrl-C and keeps state across restarts', async () => {
    const ports = { http: await freePort(), temporal: await freePort(), ui: await freePort(), pglite: await freePort() };
    running = await startService(dataDir, ports);
    const out = running.output();
    expect(out).toContain(`http://127.0.0.1:${ports.http}/health`);
    expect(out).toContain(`127.0.0.1:${ports.temporal}`);
    expect(out).toContain(`http://127.0.0.1:${ports.ui}`);
    expect(out).toContain('内置 PGlite');

    const health = (await (await fetch(`http://127.0.0.1:${ports.http}/health`)).json()) as {
      ok: boolean;
      components: Record<"temporal" | "database" | "worker", { ok: boolean; detail: string }>;
    };
    expect(health.ok).toBe(true);
    expect(health.components.temporal.ok).toBe(true);
    // Public: ok or not, no versions.
    expect(health.components.database.ok).toBe(true);
    expect(health.components.worker.ok).toBe(true);
    expect(JSON.stringify(health)).not.toMatch(/PostgreSQL|server \d|RUNNING/);

    // A second process (the CLI) finds the served PGlite instead of opening the folder.
    const served = findServedPglite(dataDir);
    expect(served?.url).toBe(`postgresql://postgres@localhost/postgres?host=${encodeURIComponent(path.join(dataDir, 'run'))}&application_name=jiuzhu-pglite`);
    const prisma = createPrismaClient(served!.url);
    const region = await prisma.region.create({ data: { name: `持久化测试县${Date.now()}`, level: 'COUNTY' } });
    await prisma.$disconnect();

    // A workflow waiting an hour is still there after a restart (SQLite in the data folder).
    const connection = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
    const client = new Client({ connection });
    const workflowId = `restart-${Date.now()}`;
    await client.workflow.start('scheduledNotice', {
      taskQueue: 'jiuzhu',
      workflowId,
      args: [{ note: '重启后仍在等待', dueAt: new Date(Date.now() + 3600_000).toISOString() }],
    });
    await connection.close();

    expect(await stopWithCtrlC(running)).toBe(0);
    expect(running.output()).toContain('已全部停止');
    for (const port of Object.values(ports)) expect(await portOpen(port)).toBe(false);
    expect(processesMentioning(dataDir)).toEqual([]);
    expect(findServedPglite(dataDir)).toBeUndefined();

    running = await startService(dataDir, ports);
    const served2 = findServedPglite(dataDir)!;
    const prisma2 = createPrismaClient(served2.url);
    expect(await prisma2.region.findUnique({ where: { id: region.id } })).not.toBeNull();
    await prisma2.$disconnect();
    const connection2 = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
    const described = await new Client({ connection: connection2 }).workflow.getHandle(workflowId).describe();
    expect(described.status.name).toBe('RUNNING');
    await connection2.close();

    expect(await stopWithCtrlC(running)).toBe(0);
    expect(processesMentioning(dataDir)).toEqual([]);
  }, 240_000);

  it('refuses to start on a port another Temporal already holds, and leaves nothing behind', async () => {
    const busy = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => busy.once('listening', r));
    const temporalPort = (busy.address() as net.AddressInfo).port;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-start-busy-'));
    const ports = { http: await freePort(), temporal: temporalPort, ui: await freePort(), pglite: await freePort() };
    await expect(startService(dir, ports)).rejects.toThrow(/端口 \d+ 已被占用/);
    busy.close();
    await new Promise((r) => setTimeout(r, 500));
    expect(processesMentioning(dir)).toEqual([]);
    expect(await portOpen(ports.pglite)).toBe(false);
  }, 120_000);
});
