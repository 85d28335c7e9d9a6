// 工作人员名单: upserted by ID number, with the region their work covers. The region comes from the
// optional 乡镇 / 村(社区) columns (found or created), else from 所属单位: a known township or village of
// the county, "乡镇+村", a new township-like name (…镇/乡/街道, created), or a bureau unit (社会救助股,
// 民政局, 专班 …) → the county itself.
import {
  looksLikeBureau,
  looksLikeTownship,
  splitTownshipPrefix,
  STAFF_ROLE_LABELS,
  unitCandidates,
  DuplicateTracker,
  type StaffRow,
} from '../../../domain/import/index.js';
import type { CountyRegions } from '../regions.js';
import { finishSingle, jsonRows, newCounts, upsertCounting, type Item, type KindWriter, type Rejection, type WriterContext } from './common.js';

type Level = 'COUNTY' | 'TOWNSHIP' | 'VILLAGE';
type Resolved = { ok: true; level: Level; id: number | undefined } | { ok: false; reason: string };

const LEVEL_ZH: Record<Level, string> = { COUNTY: '县局', TOWNSHIP: '乡镇', VILLAGE: '村(社区)' };

/** Roles tied to a level: a village committee member works in a village, township staff in a township. */
const ROLE_LEVEL: Partial<Record<StaffRow['role'], Level>> = {
  VILLAGE_COMMITTEE: 'VILLAGE',
  TOWNSHIP_CASEWORKER: 'TOWNSHIP',
  TOWNSHIP_HEAD: 'TOWNSHIP',
};

export async function resolveStaffRegion(regions: CountyRegions, row: StaffRow, create: boolean): Promise<Resolved> {
  await regions.loadAll();
  if (row.township !== null) {
    if (row.village !== null) return { ok: true, level: 'VILLAGE', id: await regions.village(row.township, row.village, create) };
    return { ok: true, level: 'TOWNSHIP', id: await regions.township(row.township, create) };
  }
  const candidates = unitCandidates(row.unit);
  for (const c of candidates) {
    const id = regions.knownTownship(c);
    if (id !== undefined) return { ok: true, level: 'TOWNSHIP', id };
  }
  for (const c of candidates) {
    const ts = regions.townshipsWithVillage(c);
    if (ts.length === 1) return { ok: true, level: 'VILLAGE', id: regions.knownVillage(ts[0]!, c) };
    if (ts.length > 1) {
      return { ok: false, reason: `所属单位“${row.unit}”：${ts.join('、')}都有名为“${c}”的村(社区)，请填写“乡镇”列加以区分` };
    }
  }
  for (const t of regions.townshipNames()) {
    const rest = splitTownshipPrefix(row.unit, t);
    if (rest === undefined) continue;
    for (const c of unitCandidates(rest)) {
      const id = regions.knownVillage(t, c);
      if (id !== undefined) return { ok: true, level: 'VILLAGE', id };
    }
    const village = unitCandidates(rest).find((c) => /(村|社区)$/.test(c));
    if (village) return { ok: true, level: 'VILLAGE', id: await regions.village(t, village, create) };
  }
  const townshipName = candidates.find(looksLikeTownship);
  if (townshipName) return { ok: true, level: 'TOWNSHIP', id: await regions.township(townshipName, create) };
  if (looksLikeBureau(row.unit)) return { ok: true, level: 'COUNTY', id: await regions.county(create) };
  return {
    ok: false,
    reason: `所属单位“${row.unit}”不是${regions.countyName}已知的乡镇或村(社区)，也不像县局股室；请填写“乡镇”“村(社区)”列，或先导入花名册`,
  };
}

export function createStaffWriter(ctx: WriterContext): KindWriter<StaffRow> {
  const counts = newCounts('staff');
  const duplicates = new DuplicateTracker();
  return {
    counts,
    finish: (accepted) => finishSingle(counts.staff!, accepted),
    async flush(items: Item<StaffRow>[], write: boolean): Promise<Rejection[]> {
      const rejections: Rejection[] = [];
      const ok: { row: StaffRow; regionId: number }[] = [];
      for (const it of items) {
        const reject = (reason: string) => rejections.push({ line: it.line, reasons: [reason], cells: it.cells });
        const earlier = duplicates.firstLine(it.row.idNumber, it.line);
        if (earlier !== undefined) {
          reject(`与第${earlier}行重复：同一身份证号出现了两次`);
          continue;
        }
        const r = await resolveStaffRegion(ctx.regions, it.row, write);
        if (!r.ok) {
          reject(r.reason);
          continue;
        }
        const need = ROLE_LEVEL[it.row.role];
        if (need !== undefined && need !== r.level) {
          reject(`角色“${STAFF_ROLE_LABELS[it.row.role]}”的所属单位应为${LEVEL_ZH[need]}，而“${it.row.unit}”是${LEVEL_ZH[r.level]}`);
          continue;
        }
        if (r.id !== undefined) ok.push({ row: it.row, regionId: r.id });
      }
      if (write) {
        const sIn = jsonRows([
          ['n', 'text', ok.map((o) => o.row.name)],
          ['i', 'text', ok.map((o) => o.row.idNumber)],
          ['p', 'text', ok.map((o) => o.row.phone)],
          ['r', 'text', ok.map((o) => o.row.role)],
          ['u', 'text', ok.map((o) => o.row.unit)],
          ['g', 'int', ok.map((o) => o.regionId)],
        ]);
        await upsertCounting(
          ctx.tx,
          `INSERT INTO "Staff" (name, "idNumber", phone, role, unit, "regionId", active, "updatedAt")
           SELECT n, i, p, r::"StaffRole", u, g, true, now()
             FROM ${sIn.from}
           ON CONFLICT ("idNumber") DO UPDATE
             SET name = EXCLUDED.name, phone = EXCLUDED.phone, role = EXCLUDED.role, unit = EXCLUDED.unit,
                 "regionId" = EXCLUDED."regionId", active = true, "updatedAt" = now()
             WHERE ("Staff".name, "Staff".phone, "Staff".role, "Staff".unit, "Staff"."regionId", "Staff".active)
                   IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.phone, EXCLUDED.role, EXCLUDED.unit, EXCLUDED."regionId", true)`,
          [sIn.value],
          sIn.count,
          counts.staff!,
        );
      }
      return rejections;
    },
  };
}
