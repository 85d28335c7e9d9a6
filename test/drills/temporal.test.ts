/**
 * Fault drills on the real process tree (`jiuzhu start` on a data folder of its own: PGlite served
 * by the process, the Temporal dev server as its child, the worker, the HTTP server), while notices
 * fall due (scheduledNotice: a durable timer, then an activity writing the Notice row and its audit
 * entry in one transaction, then a chat alert to a staff member bound on Feishu and Telegram). After
 * each drill: every notice recorded exactly once, each with exactly one audit entry, the audit chain
 * verifies, every due alert received exactly once by each chat fake (test/fakes: what the loopback
 * Feishu and Telegram APIs actually got, not the Notification rows), and the service recovered by itself.
 *
 * (a) kill -9 of `jiuzhu start` (worker and database with it) mid-run: the dev server must not stay
 *     behind (watchdog), and a server left behind anyway (watchdog killed first) is found through the
 *     pid file / command line of the same SQLite file and stopped by the next start.
 * (b) kill -9 of the Temporal dev server: the supervisor restarts it on the same port and file, says
 *     so in Chinese, the core's gRPC retries print one line, not hundreds,
 *     and Ctrl-C afterwards is clean.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';

import { findServedPglite } from '../../infra/db/pglite-server.js';
import { DEV_SERVER_PID_FILE } from '../../infra/temporal/dev-server.js';
import { bindRecipient, NOTHING_LOST, scheduleAlerts, startChatFakes, tallyDrill, type AlertRecipient, type ChatFakes } from '../support/drill-alerts.js';
import { freePorts, processesMentioning, startJiuzhu, type JiuzhuProcess } from '../support/jiuzhu-process.js';

const started: JiuzhuProcess[] = [];
const dirs: string[] = [];
const fakes: ChatFakes[] = [];
afterAll(async () => {
  for (const s of started) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 1500));
  for (const d of dirs) for (const line of processesMentioning(d)) process.kill(Number(line.split(':')[0]), 'SIGKILL');
  for (const f of fakes) await f.close();
});

function tempDir(name: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `jiuzhu-drill-${name}-`));
  dirs.push(d);
  return d;
}

async function start(dataDir: string, ports: Awaited<ReturnType<typeof freePorts>>, chat: ChatFakes): Promise<JiuzhuProcess> {
  const s = await startJiuzhu(dataDir, ports, [], chat.env);
  started.push(s);
  return s;
}

async function chatFakes(): Promise<ChatFakes> {
  const f = await startChatFakes();
  fakes.push(f);
  return f;
}

/** tallyDrill on the PGlite the process serves. */
const tally = (dataDir: string, temporalPort: number, ids: string[], label: string, output: () => string, chat: ChatFakes, recipient: AlertRecipient) =>
  tallyDrill({ databaseUrl: findServedPglite(dataDir)!.url, dataDir, temporalPort, ids, label, output, chat, recipient });

function devServerPid(dataDir: string): number {
  return Number(fs.readFileSync(path.join(dataDir, DEV_SERVER_PID_FILE), 'utf8').trim());
}

/** The watchdog spawned for a dev server pid (node -e … -- <parent> <child>). */
function watchdogOf(childPid: number): number | undefined {
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (cmd.includes('-e') && cmd.at(-1) === String(childPid)) return Number(pid);
    } catch { /* gone */ }
  }
  return undefined;
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
  return true;
}

describe('fault drills', () => {
  it('(a) kill -9 of jiuzhu start mid-run: no orphan server, a leftover one is stopped by the next start, nothing lost or doubled', async () => {
    const dataDir = tempDir('kill-start');
    const ports = await freePorts();
    const chat = await chatFakes();
    let s = await start(dataDir, ports, chat);
    const recipient = await bindRecipient(findServedPglite(dataDir)!.url, chat);
    const ids = await scheduleAlerts(dataDir, ports.temporal, `a-${Date.now()}`, 12, 2_000, 14_000, recipient);
    await new Promise((r) => setTimeout(r, 5_000));

    // First the worst case: the watchdog is gone too (e.g. killed with the process group).
    const server1 = devServerPid(dataDir);
    const watchdog1 = watchdogOf(server1);
    expect(watchdog1).toBeDefined();
    process.kill(watchdog1!, 'SIGKILL');
    s.child.kill('SIGKILL');
    await until(() => s.child.exitCode !== null || s.child.signalCode !== null, 5_000);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(alive(server1)).toBe(true); // the orphan today's code leaves behind

    s = await start(dataDir, ports, chat);
    expect(s.output()).toContain(`发现上次遗留的 Temporal 开发服务器（进程 ${server1}`);
    expect(alive(server1)).toBe(false);
    const counts1 = await tally(dataDir, ports.temporal, ids, 'a: kill -9 start, orphan left', s.output, chat, recipient);

    // Then with the watchdog in place: the dev server dies with its parent.
    const ids2 = await scheduleAlerts(dataDir, ports.temporal, `a2-${Date.now()}`, 8, 2_000, 10_000, recipient);
    await new Promise((r) => setTimeout(r, 4_000));
    const server2 = devServerPid(dataDir);
    s.child.kill('SIGKILL');
    expect(await until(() => !alive(server2), 5_000)).toBe(true);
    s = await start(dataDir, ports, chat);
    expect(s.output()).not.toContain('发现上次遗留');
    const counts2 = await tally(dataDir, ports.temporal, ids2, 'a: kill -9 start, watchdog', s.output, chat, recipient);

    // A kill -9 can land between a Telegram send and its record: the Bot API has no idempotency key,
    // so the one message in flight may arrive twice after the restart (at most one per kill). Feishu
    // sends carry a uuid the platform de-duplicates, so they never do; nothing is ever lost.
    for (const c of [counts1, counts2]) {
      expect({ ...c, alerts: { ...c.alerts, telegram: { ...c.alerts.telegram, duplicated: 0 } } }).toEqual(NOTHING_LOST);
      expect(c.alerts.telegram.duplicated).toBeLessThanOrEqual(1);
    }
    expect(await s.ctrlC()).toBe(0);
    expect(processesMentioning(dataDir)).toEqual([]);
  }, 300_000);

  it('(b) kill -9 of the Temporal dev server: restarted on the same port, said in Chinese, one log line, clean Ctrl-C', async () => {
    const dataDir = tempDir('kill-temporal');
    const ports = await freePorts();
    const chat = await chatFakes();
    const s = await start(dataDir, ports, chat);
    const recipient = await bindRecipient(findServedPglite(dataDir)!.url, chat);
    // The process's output, for a failure's diagnosis (a timeout prints nothing else).
    const dump = setInterval(() => fs.writeFileSync(path.join(os.tmpdir(), 'jiuzhu-drill-b.log'), s.output()), 1000);
    onTestFinished(() => clearInterval(dump));
    const ids = await scheduleAlerts(dataDir, ports.temporal, `b-${Date.now()}`, 12, 2_000, 16_000, recipient);
    await new Promise((r) => setTimeout(r, 5_000));

    const server1 = devServerPid(dataDir);
    const mark = s.output().length;
    process.kill(server1, 'SIGKILL');
    await s.waitFor('Temporal 开发服务器意外退出', 10_000, mark);
    await s.waitFor('Temporal 开发服务器已重启', 90_000, mark);
    const server2 = devServerPid(dataDir);
    expect(server2).not.toBe(server1);
    const counts = await tally(dataDir, ports.temporal, ids, 'b: kill -9 Temporal', s.output, chat, recipient);
    expect(counts).toEqual(NOTHING_LOST);
    const after = (await (await fetch(`http://127.0.0.1:${ports.http}/health`)).json()) as { ok: boolean };
    expect(after.ok).toBe(true);

    // The gRPC noise: lines printed since the kill with no Chinese in them.
    const since = s.output().slice(mark).split('\n').filter((l) => l.trim() !== '');
    const english = since.filter((l) => !/[\u4e00-\u9fff]/.test(l));
    console.log(`[drill b] lines printed during the outage: ${since.length} (without Chinese: ${english.length})`);
    expect(english.length).toBeLessThanOrEqual(2);
    expect(since.length).toBeLessThanOrEqual(12);

    expect(await s.ctrlC()).toBe(0);
    expect(s.output()).not.toContain('Channel has been shut down');
    expect(s.output()).toContain('已全部停止');
    expect(processesMentioning(dataDir)).toEqual([]);
  }, 300_000);
});
