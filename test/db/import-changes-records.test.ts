// Imports never rewrite evidence silently (issue 14 item 6), for the files kept by ID number: deaths,
// custody (prison) and near-relative declarations, as for payments and the roster. A file that changes
// a stored record is refused without allowChanges (Chinese, masked), a dry run lists the changes and
// writes nothing, and with allowChanges the record's previous version is kept in ImportChange; a
// finding about that person found before the change shows it.
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../support/database.js';

import { formatImportResult } from '../../app/commands/import.js';
import { createPrismaClient } from '../../infra/db/client.js';
import { findingEvidenceChanges, type ImportResult } from '../../services/import/index.js';
import type { ImportKind } from '../../domain/import/index.js';
import { maskIdNumber } from '../../domain/identity/index.js';
import { runImport, tag, tempDir, uniqueId, writeCsvFile } from './import-support.js';

const prisma = createPrismaClient(testDatabaseUrl());
const tmp = tempDir();
afterAll(async () => {
  await prisma.$disconnect();
  tmp.cleanup();
});

const changesOf = (idNumber: string) => prisma.importChange.findMany({ where: { idNumber }, orderBy: { id: 'asc' } });

/**
 * The shared flow: `original` imported, then `mutated` (one stored record changed, one new) refused,
 * dry-run, applied. Returns the refusal, the dry run and the applied result.
 */
async function changeFlow(kind: ImportKind, header: string[], original: (string | number)[][], mutated: (string | number)[][], person: string) {
  const t = tag();
  const first = await runImport(prisma, { kind, file: writeCsvFile(path.join(tmp.dir, `${kind}-${t}-1.csv`), header, original) });
  expect(first.status).toBe('imported');
  expect(first.changes.count).toBe(0);
  const file = writeCsvFile(path.join(tmp.dir, `${kind}-${t}-2.csv`), header, mutated);

  const refused = await runImport(prisma, { kind, file });
  expect(refused.status).toBe('changes-refused');
  expect(refused.changes.count).toBe(1);
  expect(await changesOf(person)).toEqual([]);
  expect(await prisma.importBatch.count({ where: { fileSha256: refused.sha256 } })).toBe(0);
  const refusal = formatImportResult(refused);
  expect(refusal.exitCode).toBe(1);
  expect(refusal.stderr[0]).toContain('未导入：文件与已导入的数据不一致，将更改 1 条已存记录');
  expect(refusal.stderr.join('\n')).toContain('--allow-changes');
  expect(refusal.stderr.join('\n')).toContain(maskIdNumber(person));
  expect(refusal.stderr.join('\n')).not.toContain(person);

  const dry = await runImport(prisma, { kind, file, dryRun: true, allowChanges: true });
  expect(dry.status).toBe('dry-run');
  expect(dry.changes.count).toBe(1);
  expect(Object.values(dry.entities)[0]).toMatchObject({ created: 1, updated: 1 });
  expect(await changesOf(person)).toEqual([]);
  const dryText = formatImportResult(dry).stdout.join('\n');
  expect(dryText).toContain('未写入任何数据');
  expect(dryText).toContain('将更改 1 条已存记录');

  const applied = await runImport(prisma, { kind, file, allowChanges: true, actor: 'test:changes' });
  expect(applied.status).toBe('imported');
  expect(applied.changes.count).toBe(1);
  const kept = await changesOf(person);
  expect(kept).toHaveLength(1);
  expect(kept[0]).toMatchObject({ batchId: applied.batchId, actor: 'test:changes', idNumber: person });
  return { first, refused, dry, applied, kept: kept[0]! };
}

/** A finding about `person`, found at `foundAt`. */
async function findingAbout(kind: 'paid_after_death' | 'paid_in_prison' | 'undeclared_near_relative', person: string, foundAt: Date) {
  return prisma.finding.create({ data: { kind, key: `${kind}|${person}|${tag()}`, idNumber: person, evidence: {}, foundAt } });
}

describe('files kept by ID number keep the old versions of the records they change', () => {
  it('deaths: a moved date of death is refused, listed, and kept when allowed', async () => {
    const header = ['姓名', '身份证号', '死亡日期', '来源'];
    const dead = uniqueId();
    const other = uniqueId();
    const before = await findingAbout('paid_after_death', dead, new Date('2024-01-01T00:00:00Z'));
    const unrelated = await findingAbout('paid_after_death', other, new Date('2024-01-01T00:00:00Z'));
    const r = await changeFlow(
      'deaths',
      header,
      [['赵死', dead, '2024-03-01', '公安']],
      [
        ['赵死', dead, '2024-05-01', '公安'],
        ['钱新', other, '2024-04-01', '殡葬'],
      ],
      dead,
    );
    expect(r.refused.changes.first.map((c) => [c.table, c.person, c.personName, c.fields.map((f) => [f.label, f.old, f.new])])).toEqual([
      ['DeathRecord', maskIdNumber(dead), '赵死', [['死亡日期', '2024-03-01', '2024-05-01']]],
    ]);
    expect(formatImportResult(r.refused).stderr.join('\n')).toContain(`死亡记录 本人 ${maskIdNumber(dead)}（赵死）：死亡日期 2024-03-01 → 2024-05-01`);
    expect(r.kept).toMatchObject({ table: 'DeathRecord', previousBatchId: r.first.batchId, oldValues: { deathDate: '2024-03-01' }, newValues: { deathDate: '2024-05-01' } });
    const stored = await prisma.deathRecord.findUniqueOrThrow({ where: { idNumber: dead } });
    expect(stored.deathDate.toISOString().slice(0, 10)).toBe('2024-05-01');

    const after = await findingAbout('paid_after_death', dead, new Date(Date.now() + 3_600_000));
    const changed = await findingEvidenceChanges(prisma, [before.id, unrelated.id, after.id]);
    expect([...changed.keys()]).toEqual([before.id]);
    expect(changed.get(before.id)!.map((c) => [c.table, c.fields.map((f) => f.label)])).toEqual([['DeathRecord', ['死亡日期']]]);
  });

  it('prison: a shortened custody (release date) is refused, listed, and kept when allowed', async () => {
    const header = ['姓名', '身份证号', '羁押日期', '释放日期'];
    const jailed = uniqueId();
    const before = await findingAbout('paid_in_prison', jailed, new Date('2024-01-01T00:00:00Z'));
    const r = await changeFlow(
      'prison',
      header,
      [['孙押', jailed, '2023-01-01', '2025-01-01']],
      [
        ['孙押', jailed, '2023-01-01', '2023-02-01'],
        ['孙押', jailed, '2025-06-01', ''],
      ],
      jailed,
    );
    expect(r.refused.changes.first.map((c) => [c.table, c.person, c.fields.map((f) => [f.label, f.old, f.new])])).toEqual([
      ['PrisonRecord', maskIdNumber(jailed), [['释放日期', '2025-01-01', '2023-02-01']]],
    ]);
    expect(r.kept).toMatchObject({ table: 'PrisonRecord', previousBatchId: r.first.batchId, oldValues: { releaseDate: '2025-01-01' } });
    const changed = await findingEvidenceChanges(prisma, [before.id]);
    expect(changed.get(before.id)!.map((c) => c.table)).toEqual(['PrisonRecord']);
  });

  it('near relatives: a changed relation is refused, listed, and kept when allowed', async () => {
    const staffId = uniqueId();
    const relative = uniqueId();
    const staffFile = writeCsvFile(path.join(tmp.dir, `staff-${tag()}.csv`), ['姓名', '身份证号', '手机号', '角色', '所属单位'], [
      ['李报', staffId, '', '股室经办人', '社会救助股'],
    ]);
    expect((await runImport(prisma, { kind: 'staff', file: staffFile, county: `亲属更改县${tag()}` })).status).toBe('imported');
    const before = await findingAbout('undeclared_near_relative', relative, new Date('2024-01-01T00:00:00Z'));
    const header = ['工作人员姓名', '工作人员身份证号', '岗位', '亲属姓名', '亲属身份证号', '关系'];
    const r = await changeFlow(
      'relatives',
      header,
      [['李报', staffId, '', '李父', relative, '父亲']],
      [
        ['李报', staffId, '', '李父', relative, '配偶'],
        ['李报', staffId, '', '李子', uniqueId(), '子女'],
      ],
      relative,
    );
    expect(r.refused.changes.first.map((c) => [c.table, c.person, c.personName, c.fields.map((f) => [f.label, f.old, f.new])])).toEqual([
      ['StaffRelative', maskIdNumber(relative), '李父', [['关系', '父母', '配偶']]],
    ]);
    expect(formatImportResult(r.refused).stderr.join('\n')).toContain(`近亲属申报 亲属 ${maskIdNumber(relative)}（李父）：关系 父母 → 配偶`);
    expect(r.kept).toMatchObject({ table: 'StaffRelative', oldValues: { relation: '父母', staffName: '李报' }, newValues: { relation: '配偶' } });
    const changed = await findingEvidenceChanges(prisma, [before.id]);
    expect(changed.get(before.id)!.map((c) => c.table)).toEqual(['StaffRelative']);
  });

  it('an identical re-import (other bytes, same records) changes nothing and is not refused', async () => {
    const header = ['姓名', '身份证号', '死亡日期', '来源'];
    const p = uniqueId();
    const t = tag();
    const a = await runImport(prisma, { kind: 'deaths', file: writeCsvFile(path.join(tmp.dir, `same-${t}-1.csv`), header, [['周同', p, '2024-03-01', '公安']]) });
    const b: ImportResult = await runImport(prisma, {
      kind: 'deaths',
      file: writeCsvFile(path.join(tmp.dir, `same-${t}-2.csv`), header, [['周同', p, '2024-03-01', '公安'], ['吴另', uniqueId(), '2024-03-02', '公安']]),
    });
    expect([a.status, b.status, b.changes.count]).toEqual(['imported', 'imported', 0]);
    expect(await changesOf(p)).toEqual([]);
  });
});
