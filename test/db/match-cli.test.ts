/**
 * The `jiuzhu match` command itself: `--json` lines parse against the schema
 * and carry the full ID number, period, amount, township, village, household
 * head and evidence; the text report masks ID numbers; a second run says
 * everything is already known; bad arguments exit with 2.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runMatch } from '../../app/commands/match.js';
import { loadConfig } from '../../infra/config.js';
import { createPrismaClient } from '../../infra/db/client.js';
import { maskIdNumber } from '../../domain/identity/index.js';
import { matchLineSchema } from '../../domain/matching/index.js';
import { createTestCounty, type TestCounty } from '../support/county.js';
import { createHousehold, day, deletePayment, type CreatedHousehold } from './match-fixtures.js';
import { testDatabaseUrl } from '../support/database.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const url = testDatabaseUrl();
const prisma = createPrismaClient(url);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-match-cli-'));
const env = { DATABASE_URL: url, JIUZHU_DATA_DIR: dataDir, JIUZHU_COUNTY: 'zhangzi' };
afterAll(async () => {
  await prisma.$disconnect();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function jiuzhu(args: string[]) {
  try {
    const { stdout, stderr } = await run('node', [path.join(root, 'bin/jiuzhu.js'), ...args], { env: { ...process.env, ...env }, cwd: root, maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** runMatch in this process, with its output captured. */
async function matchInProcess(args: { county?: string; json?: boolean; asOf?: string }) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (d: Buffer) => out.push(d.toString()));
  stderr.on('data', (d: Buffer) => err.push(d.toString()));
  const code = await runMatch(loadConfig({ ...process.env, ...env }), args, { stdout, stderr, progress: false });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

let county: TestCounty;
let dead: CreatedHousehold;
let missing: CreatedHousehold;

beforeAll(async () => {
  county = await createTestCounty(prisma);
  dead = await createHousehold(prisma, { villageId: county.townships[0]!.villages[1]!.id, enrolments: [{ kind: 'URBAN_DIBAO', monthly: 612.5, start: '2024-09-01' }], paidThrough: '2024-11' });
  await prisma.deathRecord.create({ data: { idNumber: dead.headIdNumber, name: dead.headName, deathDate: day('2024-09-30'), source: '殡葬' } });
  missing = await createHousehold(prisma, { villageId: county.townships[1]!.villages[0]!.id, enrolments: [{ kind: 'RURAL_DIBAO', monthly: 333.33, start: '2024-09-01' }], paidThrough: '2024-11' });
  await deletePayment(prisma, missing.enrolments[0]!.id, '2024-11');
}, 120_000);

describe('jiuzhu match (CLI)', { shuffle: false }, () => {
  // One scenario in steps, each building on the one before: kept in order under --sequence.shuffle.
  it('--json prints one parseable JSON object per line with the fields', async () => {
    const r = await jiuzhu(['match', '--county', county.countyName, '--json', '--as-of', '2024-11-15']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => matchLineSchema.parse(JSON.parse(l)));
    // Grouped by kind, in the order of the kinds; within a kind in no particular order.
    lines.sort((a, b) => (a.kind === b.kind ? String(a.period).localeCompare(String(b.period)) : 0));
    expect(lines.map((l) => `${l.kind} ${l.period}`)).toEqual(['paid_after_death 2024-10', 'paid_after_death 2024-11', 'payment_missing 2024-11']);
    expect(lines[0]).toMatchObject({
      idNumber: dead.headIdNumber,
      name: dead.headName,
      amount: 612.5,
      township: county.townships[0]!.name,
      village: county.townships[0]!.villages[1]!.name,
      householdHead: { name: dead.headName, idNumber: dead.headIdNumber },
      new: true,
      kindLabel: '死亡后仍发放',
      evidence: { deathDate: '2024-09-30', deathSource: '殡葬', assistanceKind: 'URBAN_DIBAO' },
    });
    expect(lines[2]).toMatchObject({ idNumber: missing.headIdNumber, amount: 333.33, township: county.townships[1]!.name, evidence: { reason: 'no_record' } });
    expect(r.stderr).toContain('新发现 3 条');
  }, 120_000);

  it('prints a Chinese summary by kind and township with masked ID numbers; a rerun is all known', async () => {
    const r = await matchInProcess({ county: county.countyName, asOf: '2024-11-15' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('共发现问题线索 3 条：新发现 0 条，此前已记录 3 条');
    expect(r.stdout).toContain('死亡后仍发放');
    expect(r.stdout).toContain(county.townships[0]!.name);
    expect(r.stdout).toContain('1,225.00 元'); // 612.50 × 2
    expect(r.stdout).toContain(maskIdNumber(dead.headIdNumber));
    expect(r.stdout).not.toContain(dead.headIdNumber);
    expect(r.stdout).not.toContain(missing.headIdNumber);
    expect(r.stdout).not.toMatch(/\d{17}[\dX]/);
  });

  it('rejects a bad date or an unknown county with exit code 2', async () => {
    expect((await matchInProcess({ county: county.countyName, asOf: '2024-13-01' })).code).toBe(2);
    const unknown = await matchInProcess({ county: '没有这个县' });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('未找到县');
  });
});
