/**
 * `jiuzhu demo` and what `jiuzhu start` does with an empty database: the command refuses (in
 * Chinese, writing nothing) when the database holds another county, loads with --force, says so when
 * the demo county is already there; bad options exit with 2. A scratch database of its own.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runDemo, type DemoCliOptions } from '../../app/commands/demo.js';
import { emptyDatabaseStep } from '../../app/commands/start.js';
import { loadConfig } from '../../infra/config.js';
import { createPrismaClient, type PrismaClient } from '../../infra/db/client.js';
import { migrateIfPending } from '../../infra/db/migrate.js';
import { createScratchDatabase, type ScratchDatabase } from './scratch-database.js';
import { testDatabaseUrl } from '../support/database.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-demo-cli-'));

let scratch: ScratchDatabase;
let prisma: PrismaClient;
let env: Record<string, string>;

beforeAll(async () => {
  scratch = await createScratchDatabase(testDatabaseUrl());
  await migrateIfPending(scratch.url);
  prisma = createPrismaClient(scratch.url);
  env = { DATABASE_URL: scratch.url, JIUZHU_DATA_DIR: dataDir };
}, 300_000);

afterAll(async () => {
  await prisma?.$disconnect();
  await scratch?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function demo(opts: DemoCliOptions) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (d: Buffer) => out.push(d.toString()));
  stderr.on('data', (d: Buffer) => err.push(d.toString()));
  const code = await runDemo(loadConfig({ ...process.env, ...env }), opts, { stdout, stderr });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const markers = () => prisma.auditEntry.count({ where: { action: 'demo.load' } });

// One scenario in steps on one scratch database (empty first, then loaded): kept in order under --sequence.shuffle.
describe('jiuzhu start and jiuzhu demo on a scratch database', { shuffle: false }, () => {
  describe('jiuzhu start on an empty database', () => {
    it('without a terminal says how to load the demo county, and loads nothing', async () => {
      const said: string[] = [];
      await emptyDatabaseStep({}, (l) => said.push(l), false, async () => {
        throw new Error('must not ask');
      })(prisma);
      expect(said.join('\n')).toContain('npx jiuzhu demo');
      expect(await prisma.region.count()).toBe(0);
    });

    it('in a terminal asks 是否载入演示县？ and loads nothing when the answer is no', async () => {
      const asked: string[] = [];
      const said: string[] = [];
      await emptyDatabaseStep({}, (l) => said.push(l), true, async (q) => {
        asked.push(q);
        return false;
      })(prisma);
      expect(asked).toHaveLength(1);
      expect(asked[0]).toContain('是否载入演示县？');
      expect(await prisma.region.count()).toBe(0);
    });
  });

  describe('jiuzhu demo', () => {
    it('rejects bad options with exit code 2', async () => {
      expect(await demo({ preset: 'taiyuan' })).toMatchObject({ code: 2, stderr: expect.stringContaining('--preset 只能是 wenshui（文水）或 zhangzi（长子）') });
      expect(await demo({ scale: '0' })).toMatchObject({ code: 2, stderr: expect.stringContaining('--scale') });
      expect(await demo({ today: '2026-13-01' })).toMatchObject({ code: 2, stderr: expect.stringContaining('--today') });
    });

    it('refuses in Chinese when the database holds another county, and writes nothing', async () => {
      await prisma.region.create({ data: { name: '某某县', level: 'COUNTY' } });
      const r = await demo({ preset: 'wenshui', scale: '0.02' });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('数据库中已有县级区划：某某县');
      expect(r.stderr).toContain('--force');
      expect(await prisma.region.count()).toBe(1);
      expect(await markers()).toBe(0);
      // The installed command, through commander.
      const cli = await run('node', [path.join(root, 'bin/jiuzhu.js'), 'demo', '--preset', 'zhangzi', '--scale', '0.02'], { env: { ...process.env, ...env }, cwd: root }).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => e,
      );
      expect(cli.code).toBe(1);
      expect(cli.stderr).toContain('演示县的虚构人员和发放记录会与这些数据混在一起，因此不载入');
      expect(await prisma.region.count()).toBe(1);
    }, 60_000);

    it('--force loads it; a second run says it is already there; another preset is refused', async () => {
      const r = await demo({ preset: 'wenshui', scale: '0.02', seed: '3', today: '2026-11-22', force: true });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('演示县：文水县');
      expect(r.stdout).toContain('/console');
      expect(await markers()).toBe(1);
      const again = await demo({ preset: 'wenshui', scale: '0.02' });
      expect(again).toMatchObject({ code: 0, stdout: expect.stringContaining('数据库中已载入演示县文水县') });
      const other = await demo({ preset: 'zhangzi', scale: '0.02' });
      expect(other.code).toBe(1);
      expect(other.stderr).toContain('某某县、文水县（演示县）');
      expect(await markers()).toBe(1);
    }, 120_000);

    it('jiuzhu start --demo leaves a database that holds a county alone', async () => {
      const said: string[] = [];
      const before = await prisma.household.count();
      await emptyDatabaseStep({ demo: true }, (l) => said.push(l), true, async () => true)(prisma);
      expect(await prisma.household.count()).toBe(before);
      expect(await markers()).toBe(1);
    });
  });
});
