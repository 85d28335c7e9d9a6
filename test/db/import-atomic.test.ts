// One transaction per file: a database failure half-way leaves nothing; the same file twice changes
// nothing; an overlapping file upserts; one audit entry per batch, without personal data.
import fs from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createPrismaClient } from '../../infra/db/client.js';
import { writeCsv, type SampleSet } from '../../scripts/sample-data.js';
import { batchAndAuditCount, countyCounts, freshSampleSet, runImport, tag, tempDir, uniqueId, writeCsvFile, ROSTER_HEADER } from './import-support.js';
import { testDatabaseUrl } from '../support/database.js';

const prisma = createPrismaClient(testDatabaseUrl());
const tmp = tempDir();
afterAll(async () => {
  await prisma.$disconnect();
  tmp.cleanup();
});


/** A roster of `n` one-person households; the member of household `failAt` (0-based) is named `name`. */
function rosterRows(n: number, opts: { failAt?: number; name?: string } = {}) {
  return Array.from({ length: n }, (_, i) => {
    const id = uniqueId();
    const name = i === opts.failAt ? opts.name! : `户${i}`;
    return ['一镇', `村${i % 3}`, name, id, name, id, '本人', '农村低保', '', 520, '2020-01-01', ''];
  });
}

describe('idempotence and overlap', () => {
  let set: SampleSet;
  const files: Record<string, string> = {};

  beforeAll(async () => {
    set = freshSampleSet();
    files.roster = path.join(tmp.dir, 'roster.csv');
    files.payments = path.join(tmp.dir, 'payments.csv');
    writeCsv(files.roster, set.tables.roster, 'gb18030');
    writeCsv(files.payments, set.tables.payments, 'utf8bom');
    expect((await runImport(prisma, { kind: 'roster', file: files.roster, county: set.county })).status).toBe('imported');
    expect((await runImport(prisma, { kind: 'payments', file: files.payments })).status).toBe('imported');
  }, 120_000);

  it('re-importing the same file changes nothing and says so', async () => {
    const before = await countyCounts(prisma, set.county);
    for (const kind of ['roster', 'payments'] as const) {
      const again = await runImport(prisma, { kind, file: files[kind]!, county: set.county });
      expect(again.status).toBe('already-imported');
      expect(again.previousBatch?.id).toBeGreaterThan(0);
      expect(await batchAndAuditCount(prisma, kind, again.sha256)).toEqual({ batches: 1, audits: 1 });
    }
    expect(await countyCounts(prisma, set.county)).toEqual(before);
  });

  it('a different file with overlapping rows upserts and never duplicates', async () => {
    const before = await countyCounts(prisma, set.county);
    const newHead = uniqueId();
    const rows = set.tables.roster.rows.map((r) => [...r]);
    // Change the amount of the first household's enrolment on all its rows.
    const firstHead = rows[0]![3];
    for (const r of rows) if (r[3] === firstHead && r[7] === rows[0]![7]) r[9] = Number(r[9]) + 100;
    rows.push(['丹朱镇', '东关社区', '新户', newHead, '新户', newHead, '本人', '城市低保', null, 680, '2024-06-01', '正常']);
    const file = path.join(tmp.dir, 'roster-v2.csv');
    writeCsv(file, { header: set.tables.roster.header, rows }, 'utf8');
    // A stored enrolment changes: refused unless allowed (issue 14 item 6), then applied with its old version kept.
    const refused = await runImport(prisma, { kind: 'roster', file, county: set.county });
    expect(refused.status).toBe('changes-refused');
    expect(refused.changes.count).toBe(1);
    expect(await countyCounts(prisma, set.county)).toEqual(before);
    const r = await runImport(prisma, { kind: 'roster', file, county: set.county, allowChanges: true });
    expect(r.status).toBe('imported');
    expect(r.changes.first.map((c) => [c.table, c.fields.map((f) => f.label)])).toEqual([['Enrolment', ['月保障金额']]]);
    expect(r.entities.households).toEqual({ created: 1, updated: 0, unchanged: before.households });
    expect(r.entities.enrolments).toEqual({ created: 1, updated: 1, unchanged: before.enrolments - 1 });
    expect(r.entities.members).toEqual({ created: 1, updated: 0, unchanged: before.members });
    expect(await countyCounts(prisma, set.county)).toEqual({ ...before, households: before.households + 1, members: before.members + 1, enrolments: before.enrolments + 1 });

    // Payments: two known rows (one corrected) and a new month.
    const [p1, p2] = set.tables.payments.rows;
    const header = set.tables.payments.header;
    const pfile = path.join(tmp.dir, 'payments-v2.csv');
    writeCsv(pfile, { header, rows: [[...p1!], [...p2!.slice(0, 5), Number(p2![5]) - 50, ...p2!.slice(6)], [p1![0]!, p1![1]!, p1![2]!, '2025-01', p1![4]!, 0, null, '', null]] }, 'utf8');
    const pr = await runImport(prisma, { kind: 'payments', file: pfile, today: '2026-11-22', allowChanges: true });
    expect(pr.changes.count).toBe(1);
    expect(pr.entities.payments).toEqual({ created: 1, updated: 1, unchanged: 1 });
    expect((await countyCounts(prisma, set.county)).payments).toBe(before.payments + 1);
    const corrected = await prisma.payment.findFirstOrThrow({ where: { household: { headIdNumber: String(p2![0]) }, period: String(p2![3]) } });
    expect(Number(corrected.amountPaid)).toBe(Number(p2![5]) - 50);
    expect(corrected.batchId).toBe(pr.batchId);
  });

  it('one audit entry per batch, with counts and the file hash and no personal data', async () => {
    const sha = (await runImport(prisma, { kind: 'roster', file: files.roster!, county: set.county })).sha256;
    const entries = await prisma.auditEntry.findMany({ where: { action: 'import.roster', payload: { path: ['fileSha256'], equals: sha } } });
    expect(entries).toHaveLength(1);
    const e = entries[0]!;
    expect(e).toMatchObject({ actor: 'cli', subjectType: 'ImportBatch' });
    expect(e.payload).toMatchObject({ kind: 'roster', fileName: 'roster.csv', fileSha256: sha, rows: set.tables.roster.rows.length, rejected: 0 });
    const text = JSON.stringify(e.payload);
    for (const r of set.tables.roster.rows) {
      expect(text).not.toContain(String(r[3]));
      expect(text).not.toContain(String(r[4]));
    }
  });
});

describe('all or nothing under failure', () => {
  it('a database error in the third chunk leaves nothing behind', async () => {
    const t = tag().replace(/-/g, '_');
    const magic = `失败${t}`;
    const fn = `jz_import_fail_${t}`;
    await prisma.$executeRawUnsafe(`CREATE FUNCTION ${fn}() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'forced failure for the import test'; END $$ LANGUAGE plpgsql`);
    await prisma.$executeRawUnsafe(`CREATE TRIGGER ${fn} BEFORE INSERT ON "Member" FOR EACH ROW WHEN (NEW.name = '${magic}') EXECUTE FUNCTION ${fn}()`);
    try {
      const county = `失败测试县${t}`;
      const rows = rosterRows(30, { failAt: 25, name: magic });
      const file = writeCsvFile(path.join(tmp.dir, 'roster-fail.csv'), ROSTER_HEADER, rows);
      const chunks: number[] = [];
      await expect(
        runImport(prisma, { kind: 'roster', file, county, chunkSize: 10, onProgress: (p) => chunks.push(p.accepted) }),
      ).rejects.toThrow(/forced failure/);
      expect(chunks).toContain(20); // two chunks had been written inside the transaction
      expect(await countyCounts(prisma, county)).toMatchObject({ counties: 0, households: 0 });
      expect(await prisma.household.count({ where: { headIdNumber: { in: rows.map((r) => String(r[3])) } } })).toBe(0);
      const sha = (await import('node:crypto')).createHash('sha256').update(fs.readFileSync(file)).digest('hex');
      expect(await batchAndAuditCount(prisma, 'roster', sha)).toEqual({ batches: 0, audits: 0 });
      expect(fs.existsSync(`${file}.错误行.csv`)).toBe(false);
    } finally {
      await prisma.$executeRawUnsafe(`DROP TRIGGER IF EXISTS ${fn} ON "Member"`);
      await prisma.$executeRawUnsafe(`DROP FUNCTION IF EXISTS ${fn}()`);
    }
  });

  it('a crash of the importing process half-way (an exception) leaves nothing behind', async () => {
    const county = `中断测试县${tag()}`;
    const rows = rosterRows(30);
    const file = writeCsvFile(path.join(tmp.dir, 'roster-crash.csv'), ROSTER_HEADER, rows);
    await expect(
      runImport(prisma, {
        kind: 'roster',
        file,
        county,
        chunkSize: 10,
        onProgress: (p) => {
          if (p.accepted >= 20) throw new Error('simulated crash');
        },
      }),
    ).rejects.toThrow(/simulated crash/);
    expect(await countyCounts(prisma, county)).toMatchObject({ counties: 0, households: 0 });
  });

  it('two imports of the same file at once: one writes, the other finds it imported', async () => {
    const county = `并发测试县${tag()}`;
    const file = writeCsvFile(path.join(tmp.dir, 'roster-race.csv'), ROSTER_HEADER, rosterRows(40));
    const results = await Promise.all([
      runImport(prisma, { kind: 'roster', file, county, chunkSize: 10 }),
      runImport(prisma, { kind: 'roster', file, county, chunkSize: 10 }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['already-imported', 'imported']);
    expect(await countyCounts(prisma, county)).toMatchObject({ counties: 1, households: 40 });
    expect(await batchAndAuditCount(prisma, 'roster', results[0]!.sha256)).toEqual({ batches: 1, audits: 1 });
  });
});
