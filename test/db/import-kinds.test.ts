// Every kind of file, from CSV (UTF-8, UTF-8 with BOM, GB18030) and from xlsx, into a real database.
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createPrismaClient } from '../../infra/db/client.js';
import type { ImportKind } from '../../domain/import/index.js';
import { writeCsv, writeXlsx, type CsvEncoding, type SampleSet } from '../../scripts/sample-data.js';
import { countyCounts, freshSampleSet, runImport, tempDir } from './import-support.js';
import { testDatabaseUrl } from '../support/database.js';

const prisma = createPrismaClient(testDatabaseUrl());
const tmp = tempDir();
afterAll(async () => {
  await prisma.$disconnect();
  tmp.cleanup();
});

const ORDER: ImportKind[] = ['staff', 'roster', 'payments', 'deaths', 'prison', 'relatives', 'monitored', 'applications'];

/** Writes one set in the given formats and imports it kind by kind. */
async function importSet(set: SampleSet, formats: Record<ImportKind, 'xlsx' | CsvEncoding>, name: string) {
  const results = {} as Record<ImportKind, Awaited<ReturnType<typeof runImport>>>;
  for (const kind of ORDER) {
    const format = formats[kind];
    const file = path.join(tmp.dir, `${name}-${kind}.${format === 'xlsx' ? 'xlsx' : 'csv'}`);
    if (format === 'xlsx') await writeXlsx(file, set.tables[kind], { title: kind === 'staff' ? `${set.county}工作人员名单` : undefined });
    else writeCsv(file, set.tables[kind], format);
    results[kind] = await runImport(prisma, { kind, file, county: set.county });
  }
  return results;
}

async function checkSet(set: SampleSet, results: Awaited<ReturnType<typeof importSet>>) {
  for (const kind of ORDER) {
    expect(results[kind], kind).toMatchObject({ status: 'imported', rejected: 0, rows: set.tables[kind].rows.length, accepted: set.tables[kind].rows.length });
    expect(results[kind].errorFile).toBeUndefined();
  }
  const counts = await countyCounts(prisma, set.county);
  const heads = new Set(set.tables.roster.rows.map((r) => r[3]));
  const members = new Set(set.tables.roster.rows.map((r) => `${r[3]}|${r[5]}`));
  const enrolments = new Set(set.tables.roster.rows.map((r) => `${r[3]}|${r[7]}`));
  expect(counts).toMatchObject({
    counties: 1,
    townships: 3,
    villages: 6,
    households: heads.size,
    members: members.size,
    enrolments: enrolments.size,
    payments: set.tables.payments.rows.length,
    staff: set.tables.staff.rows.length,
  });
  expect(results.roster.entities.households).toEqual({ created: heads.size, updated: 0, unchanged: 0 });
  expect(results.roster.entities.members).toEqual({ created: members.size, updated: 0, unchanged: 0 });
  expect(results.payments.entities.payments).toEqual({ created: set.tables.payments.rows.length, updated: 0, unchanged: 0 });

  const ids = set.tables.roster.rows.map((r) => String(r[3]));
  // Payees: the household, the institution, and the cadre's card (OTHER).
  const payees = await prisma.$queryRawUnsafe<{ payeeKind: string; n: number }[]>(
    `SELECT p."payeeKind"::text AS "payeeKind", count(*)::int AS n FROM "Payment" p JOIN "Household" h ON h.id = p."householdId"
      WHERE h."headIdNumber" = ANY($1::text[]) GROUP BY 1 ORDER BY 1`,
    ids,
  );
  const byKind = Object.fromEntries(payees.map((p) => [p.payeeKind, p.n]));
  expect(byKind.OTHER).toBe(4); // 2024-06 … 2024-09 to 冯海
  expect(byKind.INSTITUTION).toBe(2 * 8 - 1); // two residents, 8 quarters, one quarter paid to 本户
  // Accounts: masked and hashed, never in full.
  const accounts = await prisma.$queryRawUnsafe<{ accountMasked: string; accountHash: string }[]>(
    `SELECT p."accountMasked", p."accountHash" FROM "Payment" p JOIN "Household" h ON h.id = p."householdId" WHERE h."headIdNumber" = ANY($1::text[])`,
    ids,
  );
  const full = new Set(set.tables.payments.rows.map((r) => String(r[8])));
  for (const a of accounts) {
    expect(a.accountMasked).toMatch(/^6217\*{11}\d{4}$/);
    expect(a.accountHash).toMatch(/^[0-9a-f]{64}$/);
    expect(full.has(a.accountMasked)).toBe(false);
  }
  // Quarterly kinds: one payment per quarter, due on the 10th of the quarter's first month.
  const tekun = await prisma.$queryRawUnsafe<{ period: string; due: string }[]>(
    `SELECT DISTINCT p.period, to_char(p."dueDate", 'YYYY-MM-DD') AS due FROM "Payment" p JOIN "Enrolment" e ON e.id = p."enrolmentId" JOIN "Household" h ON h.id = e."householdId"
      WHERE e.kind = 'TEKUN_DISPERSED' AND h."headIdNumber" = ANY($1::text[]) ORDER BY 1`,
    ids,
  );
  expect(tekun.map((t) => t.period)).toEqual(['2023-01', '2023-04', '2023-07', '2023-10', '2024-01', '2024-04', '2024-07', '2024-10']);
  expect(tekun[1]!.due).toBe('2023-04-10');
  const dibao = await prisma.$queryRawUnsafe<{ n: number }[]>(
    `SELECT count(DISTINCT p.period)::int AS n FROM "Payment" p JOIN "Enrolment" e ON e.id = p."enrolmentId" JOIN "Household" h ON h.id = e."householdId"
      WHERE e.kind IN ('URBAN_DIBAO', 'RURAL_DIBAO') AND h."headIdNumber" = ANY($1::text[])`,
    ids,
  );
  expect(dibao[0]!.n).toBe(24);

  // Deaths and prison records, relatives with policy labels, staff roles and regions.
  const deathIds = set.tables.deaths.rows.map((r) => String(r[1]));
  const deaths = await prisma.deathRecord.findMany({ where: { idNumber: { in: deathIds } }, orderBy: { deathDate: 'asc' } });
  expect(deaths).toHaveLength(deathIds.length);
  expect(deaths.every((d) => d.batchId === results.deaths.batchId)).toBe(true);
  const prisonIds = set.tables.prison.rows.map((r) => String(r[1]));
  const prisons = await prisma.prisonRecord.findMany({ where: { idNumber: { in: prisonIds } } });
  expect(prisons.filter((p) => p.releaseDate === null)).toHaveLength(1);
  const staffIds = set.tables.staff.rows.map((r) => String(r[1]));
  const relatives = await prisma.staffRelative.findMany({ where: { staff: { idNumber: { in: staffIds } } }, orderBy: { relation: 'asc' } });
  expect(relatives.map((r) => r.relation).sort()).toEqual(['兄弟姐妹', '父母', '父母', '配偶'].sort());
  const staff = await prisma.staff.findMany({ where: { idNumber: { in: staffIds } }, include: { region: true } });
  const cadre = staff.find((s) => s.name === '冯海')!;
  expect(cadre).toMatchObject({ role: 'VILLAGE_COMMITTEE', region: { name: '东关社区', level: 'VILLAGE' } });
  expect(staff.find((s) => s.name === '王建军')).toMatchObject({ role: 'SECTION_HEAD', unit: '社会救助股', region: { name: set.county, level: 'COUNTY' } });
  expect(staff.find((s) => s.name === '孙伟')).toMatchObject({ role: 'TOWNSHIP_HEAD', region: { name: '丹朱镇', level: 'TOWNSHIP' } });
  // Institution created once, for the 集中特困 enrolments.
  const inst = await prisma.institution.findUnique({ where: { name: set.institution }, include: { enrolments: true } });
  expect(inst?.enrolments).toHaveLength(2);
  // The member whose death the roster already knows.
  const dead = await prisma.member.count({ where: { idNumber: { in: set.tables.roster.rows.map((r) => String(r[5])) }, status: 'DEAD' } });
  expect(dead).toBe(1);
}

describe('import of every kind', () => {
  let shipped: { set: SampleSet; results: Awaited<ReturnType<typeof importSet>> };
  let swapped: { set: SampleSet; results: Awaited<ReturnType<typeof importSet>> };

  beforeAll(async () => {
    // As shipped in samples/: staff and prison as xlsx, roster and deaths GB18030, payments UTF-8 with BOM, relatives UTF-8.
    const a = freshSampleSet();
    shipped = {
      set: a,
      results: await importSet(a, { staff: 'xlsx', roster: 'gb18030', payments: 'utf8bom', deaths: 'gb18030', prison: 'xlsx', relatives: 'utf8', monitored: 'xlsx', applications: 'utf8' }, 'a'),
    };
    // The other way round: every CSV kind as xlsx and the xlsx kinds as CSV.
    const b = freshSampleSet();
    swapped = {
      set: b,
      results: await importSet(b, { staff: 'utf8', roster: 'xlsx', payments: 'xlsx', deaths: 'xlsx', prison: 'gb18030', relatives: 'xlsx', monitored: 'utf8bom', applications: 'xlsx' }, 'b'),
    };
  }, 180_000);

  it('imports the sample files as shipped (xlsx, GB18030, UTF-8 with and without BOM)', async () => {
    expect(shipped.results.roster.source).toMatchObject({ format: 'csv', encoding: 'gb18030' });
    expect(shipped.results.payments.source).toMatchObject({ format: 'csv', encoding: 'utf8', encodingReason: 'bom' });
    expect(shipped.results.relatives.source).toMatchObject({ format: 'csv', encoding: 'utf8', encodingReason: 'valid-utf8' });
    expect(shipped.results.staff.source.format).toBe('xlsx');
    expect(shipped.results.staff.headerLine).toBe(2); // below the title row
    expect(shipped.results.staff.regionsCreated).toEqual({ counties: 1, townships: 3, villages: 3 });
    expect(shipped.results.roster.regionsCreated).toEqual({ counties: 0, townships: 0, villages: 3 });
    await checkSet(shipped.set, shipped.results);
  });

  it('imports the same kinds from the other format', async () => {
    expect(swapped.results.roster.source.format).toBe('xlsx');
    expect(swapped.results.payments.source.format).toBe('xlsx');
    expect(swapped.results.prison.source).toMatchObject({ format: 'csv', encoding: 'gb18030' });
    await checkSet(swapped.set, swapped.results);
  });
});
