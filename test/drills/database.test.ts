/**
 * Fault drill: PostgreSQL restarted under a running `jiuzhu start` (issue 14 item 3), while notices
 * and their chat alerts fall due. The service uses a PostgreSQL cluster of the drill's own (a temp
 * folder, a random port, pg_ctl from /usr/lib/postgresql/*\/bin), which is stopped with alerts due and
 * started again. The service must say in Chinese that the database is unreachable and that it is
 * back, keep running (no restart of `jiuzhu start`), and afterwards: every notice recorded and audited
 * once, the chain intact, every due alert received exactly once by the Feishu and Telegram fakes.
 *
 * Only on PostgreSQL: the embedded PGlite runs inside the `jiuzhu start` process and cannot be
 * restarted apart from it, so without PostgreSQL server binaries the drill is skipped (it says so).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';

import { bindRecipient, countAlerts, NOTHING_LOST, scheduleAlerts, startChatFakes, tallyDrill, type ChatFakes } from '../support/drill-alerts.js';
import { freePorts, processesMentioning, startJiuzhu, type JiuzhuProcess } from '../support/jiuzhu-process.js';
import { postgresBin, startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.js';

const bin = postgresBin();
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('fault drill: database restart', () => {
  it.skipIf(!bin)(
    `(c) PostgreSQL stopped and started under jiuzhu start with alerts due: said in Chinese, recovered without a restart, each alert delivered once${bin ? '' : ' — skipped: no PostgreSQL server binaries under /usr/lib/postgresql (PGlite runs inside the process and cannot be restarted apart from it)'}`,
    async () => {
      const pg: PrivatePostgres = await startPrivatePostgres(bin!);
      cleanups.push(() => pg.destroy());
      const chat: ChatFakes = await startChatFakes();
      cleanups.push(() => chat.close());
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-drill-db-'));
      cleanups.push(() => {
        for (const line of processesMentioning(dataDir)) process.kill(Number(line.split(':')[0]), 'SIGKILL');
        fs.rmSync(dataDir, { recursive: true, force: true });
      });
      const ports = await freePorts();
      const s: JiuzhuProcess = await startJiuzhu(dataDir, ports, [], { ...chat.env, DATABASE_URL: pg.url });
      cleanups.push(async () => {
        if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
        await new Promise((r) => setTimeout(r, 1000));
      });
      const dump = setInterval(() => fs.writeFileSync(path.join(os.tmpdir(), 'jiuzhu-drill-c.log'), s.output()), 1000);
      onTestFinished(() => clearInterval(dump));

      const recipient = await bindRecipient(pg.url, chat);
      // 12 alerts due over 4–22 s from now: some before the outage, most during it, some after.
      const ids = await scheduleAlerts(dataDir, ports.temporal, `c-${Date.now()}`, 12, 4_000, 22_000, recipient);
      await new Promise((r) => setTimeout(r, 6_000));

      const mark = s.output().length;
      pg.stop();
      const atStop = await countAlerts(chat, recipient, ids, 0, 0);
      await s.waitFor(/数据库.*(无法连接|连接中断)/, 20_000, mark);
      await new Promise((r) => setTimeout(r, 10_000));
      expect(s.child.exitCode).toBeNull();
      const atRestart = await countAlerts(chat, recipient, ids, 0, 0);
      console.log(`[drill c] alerts not yet received when PostgreSQL stopped: ${atStop.telegram.lost} of ${ids.length}; when it started again: ${atRestart.telegram.lost}`);
      // The drill means something only if alerts fell due during the outage.
      expect(atRestart.telegram.lost).toBeGreaterThan(0);
      pg.start();
      await s.waitFor(/数据库.*已恢复/, 60_000, mark);

      const counts = await tallyDrill({ databaseUrl: pg.url, dataDir, temporalPort: ports.temporal, ids, label: 'c: restart PostgreSQL', output: s.output, chat, recipient });
      expect(counts).toEqual(NOTHING_LOST);
      const health = (await (await fetch(`http://127.0.0.1:${ports.http}/health`)).json()) as { ok: boolean };
      expect(health.ok).toBe(true);

      // What a person reading the log saw during the outage: Chinese, not a flood of driver errors.
      const since = s.output().slice(mark).split('\n').filter((l) => l.trim() !== '');
      const english = since.filter((l) => !/[\u4e00-\u9fff]/.test(l));
      console.log(`[drill c] lines printed during the outage: ${since.length} (without Chinese: ${english.length})\n${since.join('\n')}`);
      expect(english).toEqual([]);
      expect(since.length).toBeLessThanOrEqual(20);

      expect(await s.ctrlC()).toBe(0);
      expect(s.output()).toContain('已全部停止');
    },
    300_000,
  );
});
