/**
 * Reporting units (报送单位) derived from the county policy and the staff
 * roster, and the changes that bring the stored units in line. Pure: the
 * writer is services/units.ts.
 *
 * - progressReport.reportingUnits = 'section' (文水): one SECTION unit per
 *   股室 of the county bureau that has section staff on the roster (the
 *   policy names only the office, 社会救助股, and "各相关股室"; the roster's
 *   所属单位 names the sections). Reporter: the section's first caseworker
 *   (else its head); head: the section head.
 * - 'township' (长子): one TOWNSHIP unit per township (`<乡镇>人民政府`),
 *   reporter the township caseworker, head the township head.
 * - villageMonthlyChain.enabled: one VILLAGE unit per village
 *   (`<乡镇><村>委会` / `<乡镇><社区>居委会`), reporter the first village cadre,
 *   head the township head (the village reports to the township).
 *
 * "First" = lowest staff id: stable while the roster does not change.
 */
import type { CountyPolicy } from '../policy/index.js';

export type ReportingUnitKindName = 'SECTION' | 'TOWNSHIP' | 'VILLAGE';

export type RosterRole =
  | 'VILLAGE_COMMITTEE'
  | 'TOWNSHIP_CASEWORKER'
  | 'TOWNSHIP_HEAD'
  | 'SECTION_CASEWORKER'
  | 'SECTION_HEAD'
  | 'TASKFORCE_OFFICE'
  | 'TASKFORCE_LEADER'
  | 'DISCIPLINE_LIAISON'
  | 'ADMIN';

export interface RosterStaff {
  id: number;
  role: RosterRole;
  /** 所属单位 as written. */
  unit: string;
  regionId: number;
  active: boolean;
}

export interface RosterRegions {
  countyRegionId: number;
  townships: Array<{ id: number; name: string }>;
  villages: Array<{ id: number; name: string; townshipId: number }>;
}

export interface DesiredUnit {
  kind: ReportingUnitKindName;
  name: string;
  regionId: number | null;
  reporterStaffId: number | null;
  headStaffId: number | null;
}

export interface StoredUnit extends DesiredUnit {
  id: number;
  active: boolean;
}

export type UnitChange =
  | { action: 'create'; unit: DesiredUnit }
  | { action: 'update'; id: number; before: StoredUnit; unit: DesiredUnit; fields: Array<keyof DesiredUnit | 'active'> }
  | { action: 'deactivate'; id: number; before: StoredUnit };

/** The section a unit text names: the part ending in 股 ("工作专班办公室（社会救助股）" → 社会救助股). */
export function sectionName(unit: string): string {
  const text = unit.normalize('NFKC').replace(/\s+/g, '');
  const inner = /[(（]([^()（）]*股)[)）]/.exec(text);
  if (inner) return inner[1]!;
  const m = /([^()（）]*股)(室)?$/.exec(text);
  return m ? m[1]! : text;
}

/** Village unit name: 村 → 村委会, 社区 → 社区居委会. */
export function villageUnitName(township: string, village: string): string {
  return `${township}${village}${village.endsWith('社区') ? '居委会' : '委会'}`;
}

export const townshipUnitName = (township: string): string => `${township}人民政府`;

const byId = (a: RosterStaff, b: RosterStaff) => a.id - b.id;

/** The units the policy and the roster call for, in a stable order. */
export function deriveReportingUnits(policy: CountyPolicy, regions: RosterRegions, staff: readonly RosterStaff[]): DesiredUnit[] {
  const active = staff.filter((s) => s.active).sort(byId);
  const first = (pred: (s: RosterStaff) => boolean) => active.find(pred)?.id ?? null;
  const out: DesiredUnit[] = [];

  if (policy.progressReport.reportingUnits === 'section') {
    const sections = new Map<string, RosterStaff[]>();
    for (const s of active) {
      if (s.regionId !== regions.countyRegionId || (s.role !== 'SECTION_CASEWORKER' && s.role !== 'SECTION_HEAD')) continue;
      const name = sectionName(s.unit);
      sections.set(name, [...(sections.get(name) ?? []), s]);
    }
    for (const name of [...sections.keys()].sort()) {
      const members = sections.get(name)!;
      const head = members.find((s) => s.role === 'SECTION_HEAD')?.id ?? null;
      const reporter = members.find((s) => s.role === 'SECTION_CASEWORKER')?.id ?? head;
      out.push({ kind: 'SECTION', name, regionId: null, reporterStaffId: reporter, headStaffId: head });
    }
  } else {
    for (const t of [...regions.townships].sort((a, b) => a.id - b.id)) {
      const head = first((s) => s.regionId === t.id && s.role === 'TOWNSHIP_HEAD');
      const reporter = first((s) => s.regionId === t.id && s.role === 'TOWNSHIP_CASEWORKER') ?? head;
      out.push({ kind: 'TOWNSHIP', name: townshipUnitName(t.name), regionId: t.id, reporterStaffId: reporter, headStaffId: head });
    }
  }

  if (policy.villageMonthlyChain.enabled) {
    const townships = new Map(regions.townships.map((t) => [t.id, t]));
    for (const v of [...regions.villages].sort((a, b) => a.townshipId - b.townshipId || a.id - b.id)) {
      const t = townships.get(v.townshipId);
      if (!t) continue;
      const reporter = first((s) => s.regionId === v.id && s.role === 'VILLAGE_COMMITTEE');
      const head = first((s) => s.regionId === t.id && s.role === 'TOWNSHIP_HEAD');
      out.push({ kind: 'VILLAGE', name: villageUnitName(t.name, v.name), regionId: v.id, reporterStaffId: reporter, headStaffId: head });
    }
  }
  return out;
}

const FIELDS = ['regionId', 'reporterStaffId', 'headStaffId'] as const;
const unitKey = (u: { kind: string; name: string }) => `${u.kind}\u0001${u.name}`;

/**
 * What to write so the stored units equal the desired ones: create the new,
 * update those whose region, reporter or head changed (or that were
 * inactive), deactivate the ones no longer called for (never deleted: cycles
 * and submissions refer to them). Empty when nothing changed.
 */
export function planUnitChanges(stored: readonly StoredUnit[], desired: readonly DesiredUnit[]): UnitChange[] {
  const have = new Map(stored.map((u) => [unitKey(u), u]));
  const want = new Set(desired.map(unitKey));
  const changes: UnitChange[] = [];
  for (const unit of desired) {
    const before = have.get(unitKey(unit));
    if (!before) {
      changes.push({ action: 'create', unit });
      continue;
    }
    const fields: Array<keyof DesiredUnit | 'active'> = FIELDS.filter((f) => before[f] !== unit[f]);
    if (!before.active) fields.push('active');
    if (fields.length) changes.push({ action: 'update', id: before.id, before, unit, fields });
  }
  for (const u of stored) {
    if (u.active && !want.has(unitKey(u))) changes.push({ action: 'deactivate', id: u.id, before: u });
  }
  return changes;
}

const KIND_ZH: Record<ReportingUnitKindName, string> = { SECTION: '股室', TOWNSHIP: '乡镇', VILLAGE: '村(居)委会' };
const FIELD_ZH: Record<string, string> = { regionId: '所属区划', reporterStaffId: '填报人', headStaffId: '负责人', active: '重新启用' };

/** One Chinese line per change (for `jiuzhu units sync`). */
export function describeUnitChange(c: UnitChange, staffName: (id: number | null) => string): string {
  switch (c.action) {
    case 'create':
      return `新增 ${KIND_ZH[c.unit.kind]}「${c.unit.name}」 填报人：${staffName(c.unit.reporterStaffId)}，负责人：${staffName(c.unit.headStaffId)}`;
    case 'update':
      return `更新 ${KIND_ZH[c.unit.kind]}「${c.unit.name}」 ${c.fields
        .map((f) =>
          f === 'active'
            ? FIELD_ZH.active
            : f === 'reporterStaffId' || f === 'headStaffId'
              ? `${FIELD_ZH[f]}：${staffName(c.before[f])} → ${staffName(c.unit[f])}`
              : `${FIELD_ZH[f] ?? f}已变更`,
        )
        .join('；')}`;
    case 'deactivate':
      return `停用 ${KIND_ZH[c.before.kind]}「${c.before.name}」（花名册或政策中已无此单位）`;
  }
}
