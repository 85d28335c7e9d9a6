// The roster's staged path (issue 15 item 3): rows go to a staging table and are written set-based
// after the last one. Refused rows are listed with their line and a Chinese reason and nothing is
// written (all or nothing), whichever chunk they are in; a re-import is idempotent by file hash and
// by natural keys; the bulk mode (foreign keys re-created once after a large load) leaves the
// database exactly as constrained as before, and gives way to the row-wise path when a lock is held.
import path from 'node:path';

import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';

import { createPrismaClient, type PrismaClient } from '../../infra/db/client.js';
import { migrateDatabase } from '../../infra/db/migrate.js';
import { createScratchDatabase } from './scratch-database.js';
import { batchAndAuditCount, countyCounts, readErrorFile, runImport, tag, tempDir, uniqueId, writeCsvFile, PAYMENT_HEADER, ROSTER_HEADER } from './import-support.js';
import { testDatabaseUrl } from '../support/database.js';

const prisma = createPrismaClient(testDatabaseUrl());
const tmp = tempDir();
afterAll(async () => {
  await prisma.$disconnect();
  tmp.cleanup();
});

/** `n` households of 1–3 members (head, spouse, child), one row per member. */
function roster(n: number): { rows: (string | number | null)[][]; heads: string[]; members: number } {
  const rows: (string | number | null)[][] = [];
  const heads: string[] = [];
  for (let i = 0; i < n; i++) {
    const head = uniqueId();
    heads.push(head);
    rows.push(['一镇', `村${i % 4}`, `户${i}`, head, `户${i}`, head, '本人', '农村低保', '', 520, '2020-01-01', '正常']);
    if (i % 3 >= 1) rows.push(['一镇', `村${i % 4}`, `户${i}`, head, `妻${i}`, uniqueId(true), '配偶', '农村低保', '', 520, '2020-01-01', '正常']);
    if (i % 3 === 2) rows.push(['一镇', `村${i % 4}`, `户${i}`, head, `子${i}`, uniqueId(), '子女', '农村低保', '', 520, '2020-01-01', '']);
  }
  return { rows, heads, members: rows.length };
}

/** Definitions of the constraints and indexes of the tables the imports write. */
async function schemaShape(): Promise<string[]> {
  const rows = await prisma.$queryRawUnsafe<{ d: string }[]>(
    `SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' valid=' || convalidated AS d
       FROM pg_constraint WHERE conrelid IN ('"Payment"'::regclass, '"Household"'::regclass, '"Member"'::regclass, '"Enrolment"'::regclass)
     UNION ALL
     SELECT indexdef FROM pg_indexes WHERE tablename IN ('Payment', 'Household', 'Member', 'Enrolment')
     ORDER BY 1`,
  );
  return rows.map((r) => r.d);
}

describe('roster, staged', () => {
  it('a bad row in a late chunk: every bad row listed with its line and a Chinese reason, nothing written', async () => {
    const county = `分段测试县${tag()}`;
    const { rows, heads } = roster(20);
    const bad = rows.map((r) => [...r]);
    bad[25]![9] = '五百二'; // line 27
    bad[31]![10] = '2024-02-30'; // line 33
    bad[3]![7] = '低保户'; // line 5
    const file = writeCsvFile(path.join(tmp.dir, 'roster-late-bad.csv'), ROSTER_HEADER, bad);
    const progress: number[] = [];
    const r = await runImport(prisma, { kind: 'roster', file, county, chunkSize: 10, onProgress: (p) => progress.push(p.rows) });
    expect(r.status).toBe('rejected');
    expect(r.rejected).toBe(3);
    expect(r.firstErrors.map((e) => e.line)).toEqual([5, 27, 33]);
    for (const e of r.firstErrors) expect(e.reasons.join('')).toMatch(/[\u4e00-\u9fff]/);
    expect(r.firstErrors[1]!.reasons.join('')).toContain('月保障金额');
    expect(r.firstErrors[2]!.reasons.join('')).toContain('纳入日期');
    // The error file: the same lines, in order, each with its reason.
    const listed = readErrorFile(r.errorFile!);
    expect(listed.slice(1).map((c) => Number(c[0]))).toEqual([5, 27, 33]);
    expect(listed.slice(1).every((c) => /[\u4e00-\u9fff]/.test(c[1]!))).toBe(true);
    // The progress bar was fed while the file streamed.
    expect(progress.length).toBeGreaterThan(3);
    // Nothing written, not even the households of the chunks before the first bad row.
    expect(await countyCounts(prisma, county)).toMatchObject({ counties: 0, households: 0, members: 0 });
    expect(await prisma.household.count({ where: { headIdNumber: { in: heads } } })).toBe(0);
    expect(await batchAndAuditCount(prisma, 'roster', r.sha256)).toEqual({ batches: 0, audits: 0 });
  });

  it('re-importing: the same file is recognised by its hash, the same rows in another file by their keys', async () => {
    const county = `幂等测试县${tag()}`;
    const { rows, heads, members } = roster(25);
    const file = writeCsvFile(path.join(tmp.dir, 'roster-idem.csv'), ROSTER_HEADER, rows);
    const first = await runImport(prisma, { kind: 'roster', file, county, chunkSize: 7 });
    expect(first.status).toBe('imported');
    expect(first.entities.households).toEqual({ created: 25, updated: 0, unchanged: 0 });
    expect(first.entities.members).toEqual({ created: members, updated: 0, unchanged: 0 });
    expect(first.bulkLoaded).toEqual([]); // small file: row-wise under 'auto'
    const after = await countyCounts(prisma, county);
    expect(after).toMatchObject({ households: 25, members, enrolments: 25, villages: 4 });

    const again = await runImport(prisma, { kind: 'roster', file, county });
    expect(again.status).toBe('already-imported');
    expect(again.previousBatch?.id).toBe(first.batchId);

    // The same rows in another order (another hash): written again, nothing new, nothing changed.
    const shuffled = writeCsvFile(path.join(tmp.dir, 'roster-idem-2.csv'), ROSTER_HEADER, [...rows].reverse());
    const second = await runImport(prisma, { kind: 'roster', file: shuffled, county });
    expect(second.status).toBe('imported');
    expect(second.entities.households).toEqual({ created: 0, updated: 0, unchanged: 25 });
    expect(second.entities.members).toEqual({ created: 0, updated: 0, unchanged: members });
    expect(second.entities.enrolments).toEqual({ created: 0, updated: 0, unchanged: 25 });
    expect(second.changes.count).toBe(0);
    expect(await countyCounts(prisma, county)).toEqual(after);
    expect(await prisma.household.count({ where: { headIdNumber: { in: heads } } })).toBe(25);
  });

  it('bulk mode: the foreign keys and indexes come back exactly as they were, validated, and still hold', async () => {
    const before = await schemaShape();
    const county = `整批测试县${tag()}`;
    const { rows, heads } = roster(12);
    const file = writeCsvFile(path.join(tmp.dir, 'roster-bulk.csv'), ROSTER_HEADER, rows);
    const r = await runImport(prisma, { kind: 'roster', file, county, bulkLoad: 'always' });
    expect(r.status).toBe('imported');
    expect(r.bulkLoaded).toEqual(['Household', 'Member', 'Enrolment']);
    const payments = heads.flatMap((h) => ['2024-01', '2024-02'].map((m) => [h, '农村低保', m, 520, 520, `${m}-08`, '本户', '']));
    const pfile = writeCsvFile(path.join(tmp.dir, 'payments-bulk.csv'), PAYMENT_HEADER, payments);
    const p = await runImport(prisma, { kind: 'payments', file: pfile, bulkLoad: 'always' });
    expect(p.status, JSON.stringify(p.firstErrors)).toBe('imported');
    expect(p.entities.payments).toMatchObject({ created: 24 });
    expect(p.bulkLoaded).toEqual(['Payment']);
    expect(await countyCounts(prisma, county)).toMatchObject({ households: 12, payments: 24 });
    expect(await schemaShape()).toEqual(before);
    // The re-created foreign key refuses what it refused before.
    const pay = await prisma.payment.findFirstOrThrow({ where: { household: { headIdNumber: heads[0]! } } });
    await expect(prisma.$executeRawUnsafe(`UPDATE "Payment" SET "enrolmentId" = -1 WHERE id = $1`, pay.id)).rejects.toThrow(/foreign key|Payment_enrolmentId_fkey/);
    await expect(
      prisma.$executeRawUnsafe(`INSERT INTO "Member" ("householdId", name, "idNumber", "relationToHead", "updatedAt") VALUES (-1, '无', $1, '本人', now())`, uniqueId()),
    ).rejects.toThrow(/foreign key|Member_householdId_fkey/);
  });

  it('a first load into empty tables (straight from the staging table) stores what the general path stores', async () => {
    const { rows } = roster(15);
    // A 集中特困 household: its institution is found by name.
    const centralized = uniqueId();
    rows.push(['二镇', '敬老村', '孤老', centralized, '孤老', centralized, '本人', '集中特困', '首测敬老院', 900, '2021-06-01', '']);
    const file = writeCsvFile(path.join(tmp.dir, 'roster-first-load.csv'), ROSTER_HEADER, rows);
    const other = uniqueId();
    const seed = writeCsvFile(path.join(tmp.dir, 'roster-seed.csv'), ROSTER_HEADER, [['三镇', '三村', '先导', other, '先导', other, '本人', '城市低保', '', 600, '2019-01-01', '']]);
    const stored = async (db: PrismaClient) => ({
      households: (await db.household.findMany({ where: { headIdNumber: { not: other } }, orderBy: { id: 'asc' }, include: { region: { include: { parent: true } } } })).map((h) => [
        h.headIdNumber,
        h.headName,
        h.region.parent?.name,
        h.region.name,
      ]),
      members: (await db.member.findMany({ where: { household: { headIdNumber: { not: other } } }, orderBy: { id: 'asc' }, include: { household: true } })).map((m) => [
        m.household.headIdNumber,
        m.name,
        m.idNumber,
        m.relationToHead,
        m.status,
      ]),
      enrolments: (await db.enrolment.findMany({ where: { household: { headIdNumber: { not: other } } }, orderBy: { id: 'asc' }, include: { household: true, institution: true } })).map((e) => [
        e.household.headIdNumber,
        e.kind,
        e.institution?.name ?? null,
        String(e.monthlyAmount),
        e.startDate.toISOString().slice(0, 10),
        e.status,
      ]),
    });
    const results = [];
    for (const seeded of [false, true]) {
      const scratch = await createScratchDatabase(testDatabaseUrl());
      const db = createPrismaClient(scratch.url);
      try {
        await migrateDatabase(scratch.url);
        if (seeded) expect((await runImport(db, { kind: 'roster', file: seed, county: '首测县', databaseUrl: scratch.url })).status).toBe('imported');
        const r = await runImport(db, { kind: 'roster', file, county: '首测县', bulkLoad: 'always', databaseUrl: scratch.url });
        expect(r.status).toBe('imported');
        expect(r.bulkLoaded).toEqual(['Household', 'Member', 'Enrolment']);
        results.push({ entities: r.entities, stored: await stored(db) });
      } finally {
        await db.$disconnect();
        await scratch.drop();
      }
    }
    expect(results[0]!.stored.households).toHaveLength(16);
    expect(results[0]!.stored.enrolments.at(-1)).toEqual([centralized, 'TEKUN_CENTRALIZED', '首测敬老院', '900', '2021-06-01', 'ACTIVE']);
    // The same rows, in the same order (ids follow the file's lines), and the same counts.
    expect(results[0]!.stored).toEqual(results[1]!.stored);
    expect(results[0]!.entities.households).toEqual({ created: 16, updated: 0, unchanged: 0 });
    expect(results[0]!.entities).toEqual({ ...results[1]!.entities, institutions: results[0]!.entities.institutions });
  });

  // PGlite serves one session at a time: a second session's open transaction would block the import.
  it.skipIf(inject('databaseKind') === 'pglite')('bulk mode gives way when another session holds a lock: the import writes row-wise, at once', async () => {
    const before = await schemaShape();
    const county = `锁测试县${tag()}`;
    const { rows } = roster(6);
    const file = writeCsvFile(path.join(tmp.dir, 'roster-locked.csv'), ROSTER_HEADER, rows);
    const other = new pg.Client({ connectionString: testDatabaseUrl() });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT count(*) FROM "Member"'); // holds ACCESS SHARE on Member until it ends
      const started = Date.now();
      const r = await runImport(prisma, { kind: 'roster', file, county, bulkLoad: 'always' });
      expect(r.status).toBe('imported');
      expect(r.bulkLoaded).toEqual(['Household', 'Enrolment']); // Member row-wise
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(await countyCounts(prisma, county)).toMatchObject({ households: 6, members: rows.length });
    } finally {
      await other.query('ROLLBACK');
      await other.end();
    }
    expect(await schemaShape()).toEqual(before);
  });
});
