// Imports never rewrite evidence silently (issue 14 item 6): a file whose rows differ from the stored
// ones is refused without --allow-changes (in Chinese, with the count and the first changes), a dry run
// writes nothing, and with --allow-changes every changed row keeps its previous version (who, when,
// which batch, old and new values); a finding found before the change shows that its evidence changed.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { formatImportResult } from '../../app/commands/import.js';
import { createPrismaClient } from '../../infra/db/client.js';
import { findingEvidenceChanges } from '../../services/import/index.js';
import { maskIdNumber } from '../../domain/identity/index.js';
import { HASH_KEY, runImport, tag, tempDir, uniqueId, writeCsvFile, PAYMENT_HEADER, ROSTER_HEADER } from './import-support.js';
import { testDatabaseUrl } from '../support/database.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const databaseUrl = testDatabaseUrl();
const prisma = createPrismaClient(databaseUrl);
const tmp = tempDir();
afterAll(async () => {
  await prisma.$disconnect();
  tmp.cleanup();
});

function jiuzhu(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/jiuzhu.js'), ...args], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: databaseUrl, JIUZHU_DATA_DIR: path.join(tmp.dir, 'data'), JIUZHU_HASH_KEY: HASH_KEY },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

describe('a payments file that differs from what is stored', { shuffle: false }, () => {
  // One scenario in steps, each building on the one before: kept in order under --sequence.shuffle.
  const county = `更改测试县${tag()}`;
  const one = uniqueId();
  const two = uniqueId();
  const account = '6217000011112222333';
  const original = [
    [one, '', '2024-05', 680, 680, '2024-05-08', '本户', account],
    [one, '', '2024-06', 680, 680, '2024-06-08', '本户', account],
    [two, '', '2024-05', 520, 520, '2024-05-09', '', ''],
  ];
  // A late payment's date moved into time, a short payment topped up, and one new month.
  const mutated = [
    [one, '', '2024-05', 680, 680, '2024-05-08', '本户', account],
    [one, '', '2024-06', 680, 680, '2024-06-05', '本户', account],
    [two, '', '2024-05', 520, 620, '2024-05-09', '', ''],
    [two, '', '2024-06', 520, 520, '2024-06-09', '', ''],
  ];
  let firstBatch: number;
  let mutatedFile: string;

  const stored = async () =>
    (
      await prisma.payment.findMany({
        where: { household: { headIdNumber: { in: [one, two] } } },
        orderBy: [{ householdId: 'asc' }, { period: 'asc' }],
      })
    ).map((p) => [p.period, String(p.amountPaid), p.paidDate?.toISOString().slice(0, 10), p.batchId]);
  const changeRows = () =>
    prisma.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM "ImportChange" c JOIN "Household" h ON h.id = c."householdId" WHERE h."headIdNumber" = ANY($1::text[])`,
      [one, two],
    );

  beforeAll(async () => {
    const roster = writeCsvFile(path.join(tmp.dir, 'roster.csv'), ROSTER_HEADER, [
      ['一镇', '一村', '甲', one, '甲', one, '本人', '城市低保', '', 680, '2020-01-01', ''],
      ['一镇', '一村', '乙', two, '乙', two, '本人', '农村低保', '', 520, '2020-01-01', ''],
    ]);
    expect((await runImport(prisma, { kind: 'roster', file: roster, county })).status).toBe('imported');
    const r = await runImport(prisma, { kind: 'payments', file: writeCsvFile(path.join(tmp.dir, 'payments.csv'), PAYMENT_HEADER, original) });
    expect(r.status).toBe('imported');
    expect(r.changes.count).toBe(0);
    firstBatch = r.batchId!;
    mutatedFile = writeCsvFile(path.join(tmp.dir, 'payments-mutated.csv'), PAYMENT_HEADER, mutated);
  });

  it('is refused without allowChanges: nothing written, the count and the changes listed (masked)', async () => {
    const before = await stored();
    const r = await runImport(prisma, { kind: 'payments', file: mutatedFile });
    expect(r.status).toBe('changes-refused');
    expect(r.changes.count).toBe(2);
    expect(r.changes.first.map((c) => [c.table, c.head, c.period, c.fields.map((f) => [f.label, f.old, f.new])])).toEqual([
      ['Payment', maskIdNumber(one), '2024-06', [['发放日期', '2024-06-08', '2024-06-05']]],
      ['Payment', maskIdNumber(two), '2024-05', [['实发金额', '520', '620']]],
    ]);
    expect(await stored()).toEqual(before);
    expect((await changeRows())[0]!.n).toBe(0);
    expect(await prisma.importBatch.count({ where: { fileSha256: r.sha256 } })).toBe(0);

    const text = formatImportResult(r);
    expect(text.exitCode).toBe(1);
    expect(text.stderr[0]).toContain('将更改 2 条已存记录');
    expect(text.stderr.join('\n')).toContain(`发放记录 户主 ${maskIdNumber(two)}（乙） 农村低保 2024-05：实发金额 520 → 620`);
    expect(text.stderr.join('\n')).toContain('实发金额 520 → 620');
    expect(text.stderr.join('\n')).toContain('--allow-changes');
    expect(text.stderr.join('\n')).not.toContain(two);
  });

  it('a dry run lists the changes and the new rows and writes nothing', async () => {
    const before = await stored();
    const r = await runImport(prisma, { kind: 'payments', file: mutatedFile, dryRun: true, allowChanges: true });
    expect(r.status).toBe('dry-run');
    expect(r.changes.count).toBe(2);
    expect(r.entities.payments).toMatchObject({ created: 1, updated: 2 });
    expect(r.batchId).toBeUndefined();
    expect(await stored()).toEqual(before);
    expect((await changeRows())[0]!.n).toBe(0);
    expect(await prisma.importBatch.count({ where: { fileSha256: r.sha256 } })).toBe(0);
    expect(await prisma.auditEntry.count({ where: { action: 'import.payments', payload: { path: ['fileSha256'], equals: r.sha256 } } })).toBe(0);
  });

  it('the CLI: refused (exit 1) without --allow-changes, --dry-run writes nothing, --allow-changes applies and keeps the old versions', async () => {
    const refused = await jiuzhu(['import', 'payments', mutatedFile, '--no-progress']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('未导入：文件与已导入的数据不一致，将更改 2 条已存记录');
    expect(refused.stderr).toContain('发放日期 2024-06-08 → 2024-06-05');
    expect(refused.stderr).not.toContain(one);

    const dry = await jiuzhu(['import', 'payments', mutatedFile, '--dry-run', '--no-progress']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('未写入任何数据');
    expect(dry.stdout).toContain('将更改 2 条已存记录');
    expect((await changeRows())[0]!.n).toBe(0);

    const applied = await jiuzhu(['import', 'payments', mutatedFile, '--allow-changes', '--no-progress']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('更改已存记录 2 条');
    const after = await stored();
    const batch = after.find((p) => p[0] === '2024-06' && p[3] !== firstBatch)![3] as number;
    expect(after).toEqual([
      ['2024-05', '680', '2024-05-08', firstBatch],
      ['2024-06', '680', '2024-06-05', batch],
      ['2024-05', '620', '2024-05-09', batch],
      ['2024-06', '520', '2024-06-09', batch],
    ]);
    const changes = await prisma.importChange.findMany({ where: { batchId: batch }, orderBy: { id: 'asc' } });
    expect(changes).toHaveLength(2);
    for (const c of changes) {
      expect(c).toMatchObject({ table: 'Payment', previousBatchId: firstBatch });
      expect(c.actor).toMatch(/^cli/);
      expect(c.createdAt).toBeInstanceOf(Date);
    }
    expect(changes[0]!.oldValues).toMatchObject({ paidDate: '2024-06-08', amountPaid: 680 });
    expect(changes[0]!.newValues).toMatchObject({ paidDate: '2024-06-05', amountPaid: 680 });
    expect(changes[1]!.oldValues).toMatchObject({ amountPaid: 520 });
    expect(changes[1]!.newValues).toMatchObject({ amountPaid: 620 });
    expect(JSON.stringify(changes)).not.toContain(account);
  });

  it('a finding found before the change shows that its evidence was changed afterwards', async () => {
    const household = await prisma.household.findUniqueOrThrow({ where: { headIdNumber: two } });
    const t = tag();
    const old = new Date('2024-07-01T00:00:00Z');
    const mk = (key: string, period: string | null, foundAt: Date) =>
      prisma.finding.create({
        data: { kind: 'payment_short', key: `${key}-${t}`, idNumber: two, householdId: household.id, period, evidence: { amountPaid: 520 }, foundAt },
      });
    const short = await mk('short', '2024-05', old);
    const otherPeriod = await mk('other', '2024-04', old);
    const later = await mk('later', '2024-05', new Date(Date.now() + 3_600_000));
    const changed = await findingEvidenceChanges(prisma, [short.id, otherPeriod.id, later.id]);
    expect([...changed.keys()]).toEqual([short.id]);
    const list = changed.get(short.id)!;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ table: 'Payment', period: '2024-05', fields: [{ label: '实发金额', old: '520', new: '620' }] });
    expect(list[0]!.previousBatchId).toBe(firstBatch);
  });
});
