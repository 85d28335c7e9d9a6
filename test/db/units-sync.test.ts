/**
 * `jiuzhu units sync` against the database: creates the Zhangzi units (townships and villages) from
 * the roster, changes nothing on a second run, follows a roster change once; `units list` prints them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runUnits } from '../../app/commands/units.js';
import { loadConfig } from '../../infra/config.js';
import { createPrismaClient } from '../../infra/db/client.js';
import { syncReportingUnits } from '../../services/units.js';
import { presets } from '../../domain/policy/index.js';
import { createTestCounty, type TestCounty } from '../support/county.js';
import { freshIdNumber } from '../support/ids.js';
import { testDatabaseUrl } from '../support/database.js';

const url = testDatabaseUrl();
const prisma = createPrismaClient(url);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-units-'));
let county: TestCounty;
const ids: Record<string, number> = {};

async function staff(key: string, role: 'TOWNSHIP_CASEWORKER' | 'TOWNSHIP_HEAD' | 'VILLAGE_COMMITTEE', regionId: number) {
  ids[key] = (await prisma.staff.create({ data: { name: key, idNumber: freshIdNumber(), role, unit: key, regionId } })).id;
}

beforeAll(async () => {
  county = await createTestCounty(prisma, { townships: 2, villagesPerTownship: 2 });
  for (const [i, t] of county.townships.entries()) {
    await staff(`经办${i}`, 'TOWNSHIP_CASEWORKER', t.id);
    await staff(`镇长${i}`, 'TOWNSHIP_HEAD', t.id);
    for (const [j, v] of t.villages.entries()) await staff(`村委${i}${j}`, 'VILLAGE_COMMITTEE', v.id);
  }
});

afterAll(async () => {
  await prisma.$disconnect();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function units(action: 'sync' | 'list') {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  stdout.on('data', (d: Buffer) => out.push(d.toString()));
  const code = await runUnits(loadConfig({ ...process.env, DATABASE_URL: url, JIUZHU_DATA_DIR: dataDir }), action, { county: county.countyName }, { stdout, stderr });
  return { code, stdout: out.join('') };
}

const auditCount = () => prisma.auditEntry.count({ where: { action: 'units.sync', subjectId: String(county.countyId) } });

describe('units sync', { shuffle: false }, () => {
  // One scenario in steps, each building on the one before: kept in order under --sequence.shuffle.
  it('creates one unit per township and per village, with reporter and head from the roster', async () => {
    const r = await syncReportingUnits(prisma, presets.zhangzi, county.countyId);
    expect(r.changes.map((c) => c.action)).toEqual(Array(6).fill('create'));
    const rows = await prisma.reportingUnit.findMany({ where: { countyRegionId: county.countyId }, orderBy: { id: 'asc' } });
    const t0 = county.townships[0]!;
    expect(rows.find((u) => u.regionId === t0.id)).toMatchObject({ kind: 'TOWNSHIP', name: `${t0.name}人民政府`, reporterStaffId: ids['经办0'], headStaffId: ids['镇长0'], active: true });
    expect(rows.find((u) => u.regionId === t0.villages[1]!.id)).toMatchObject({
      kind: 'VILLAGE',
      name: `${t0.name}${t0.villages[1]!.name}委会`,
      reporterStaffId: ids['村委01'],
      headStaffId: ids['镇长0'],
    });
    expect(await auditCount()).toBe(1);
  });

  it('is idempotent: a second run changes and records nothing (and the command says 无变化)', async () => {
    expect((await syncReportingUnits(prisma, presets.zhangzi, county.countyId)).changes).toEqual([]);
    const r = await units('sync');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('无变化');
    expect(r.stdout).toContain('共 6 个在用单位');
    expect(await auditCount()).toBe(1);
    expect(await prisma.reportingUnit.count({ where: { countyRegionId: county.countyId } })).toBe(6);
  });

  it('follows a roster change once: the new caseworker reports for the township', async () => {
    const t1 = county.townships[1]!;
    await prisma.staff.update({ where: { id: ids['经办1']! }, data: { active: false } });
    await staff('新经办1', 'TOWNSHIP_CASEWORKER', t1.id);
    const r = await units('sync');
    expect(r.stdout).toContain(`更新 乡镇「${t1.name}人民政府」 填报人：经办1（编号 ${ids['经办1']}） → 新经办1（编号 ${ids['新经办1']}）`);
    expect(await prisma.reportingUnit.findFirst({ where: { countyRegionId: county.countyId, regionId: t1.id } })).toMatchObject({ reporterStaffId: ids['新经办1'] });
    expect((await syncReportingUnits(prisma, presets.zhangzi, county.countyId)).changes).toEqual([]);
    expect(await auditCount()).toBe(2);
  });

  it('units list prints every unit with its reporter and head', async () => {
    const r = await units('list');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('6 个在用');
    expect(r.stdout).toContain(`${county.townships[0]!.name}人民政府  填报人：经办0  负责人：镇长0`);
  });
});
