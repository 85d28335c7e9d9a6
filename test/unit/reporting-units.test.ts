/**
 * Reporting units derived from the policy and the roster (domain/cycles/units.ts): sections for
 * Wenshui, townships and villages for Zhangzi, reporter and head chosen by role; the change plan
 * that makes `jiuzhu units sync` idempotent.
 */
import { describe, expect, it } from 'vitest';

import {
  deriveReportingUnits,
  describeUnitChange,
  planUnitChanges,
  sectionName,
  villageUnitName,
  type RosterRegions,
  type RosterStaff,
  type StoredUnit,
} from '../../domain/cycles/index.js';
import { presets } from '../../domain/policy/index.js';

const regions: RosterRegions = {
  countyRegionId: 1,
  townships: [
    { id: 10, name: '丹朱镇' },
    { id: 20, name: '南陈乡' },
  ],
  villages: [
    { id: 11, name: '东街社区', townshipId: 10 },
    { id: 12, name: '西庄村', townshipId: 10 },
    { id: 21, name: '西庄村', townshipId: 20 },
  ],
};

const s = (id: number, role: RosterStaff['role'], regionId: number, unit = '', active = true): RosterStaff => ({ id, role, regionId, unit, active });

const roster: RosterStaff[] = [
  s(1, 'TASKFORCE_LEADER', 1, '民政局'),
  s(2, 'TASKFORCE_OFFICE', 1, '工作专班办公室（社会救助股）'),
  s(3, 'SECTION_HEAD', 1, '社会救助股'),
  s(4, 'SECTION_CASEWORKER', 1, '社会救助股'),
  s(5, 'SECTION_CASEWORKER', 1, '社会救助股'),
  s(6, 'SECTION_HEAD', 1, '规划财务股'),
  s(7, 'SECTION_CASEWORKER', 1, '养老服务股', false),
  s(30, 'TOWNSHIP_CASEWORKER', 10),
  s(31, 'TOWNSHIP_HEAD', 10),
  s(32, 'TOWNSHIP_CASEWORKER', 10),
  s(40, 'TOWNSHIP_HEAD', 20),
  s(50, 'VILLAGE_COMMITTEE', 11),
  s(51, 'VILLAGE_COMMITTEE', 12),
  s(52, 'VILLAGE_COMMITTEE', 12),
];

describe('deriveReportingUnits', () => {
  it('Wenshui: one unit per 股室 with section staff; reporter the first caseworker (else the head), head the section head; no village chain', () => {
    const units = deriveReportingUnits(presets.wenshui, regions, roster);
    expect(units).toEqual([
      { kind: 'SECTION', name: '社会救助股', regionId: null, reporterStaffId: 4, headStaffId: 3 },
      { kind: 'SECTION', name: '规划财务股', regionId: null, reporterStaffId: 6, headStaffId: 6 },
    ]);
  });

  it('Zhangzi: one unit per township (caseworker reports, head answers) and one per village for the monthly chain', () => {
    const units = deriveReportingUnits(presets.zhangzi, regions, roster);
    expect(units).toEqual([
      { kind: 'TOWNSHIP', name: '丹朱镇人民政府', regionId: 10, reporterStaffId: 30, headStaffId: 31 },
      { kind: 'TOWNSHIP', name: '南陈乡人民政府', regionId: 20, reporterStaffId: 40, headStaffId: 40 },
      { kind: 'VILLAGE', name: '丹朱镇东街社区居委会', regionId: 11, reporterStaffId: 50, headStaffId: 31 },
      { kind: 'VILLAGE', name: '丹朱镇西庄村委会', regionId: 12, reporterStaffId: 51, headStaffId: 31 },
      { kind: 'VILLAGE', name: '南陈乡西庄村委会', regionId: 21, reporterStaffId: null, headStaffId: 40 },
    ]);
  });

  it('ignores staff of other regions and inactive staff; does not depend on roster order', () => {
    const shuffled = [...roster].reverse().concat([s(99, 'SECTION_HEAD', 999, '外县股')]);
    expect(deriveReportingUnits(presets.wenshui, regions, shuffled)).toEqual(deriveReportingUnits(presets.wenshui, regions, roster));
  });

  it('names: the 股 in a unit text, village units by township', () => {
    expect(sectionName('工作专班办公室（社会救助股）')).toBe('社会救助股');
    expect(sectionName(' 规划财务股 ')).toBe('规划财务股');
    expect(villageUnitName('丹朱镇', '西庄村')).toBe('丹朱镇西庄村委会');
    expect(villageUnitName('丹朱镇', '东街社区')).toBe('丹朱镇东街社区居委会');
  });
});

describe('planUnitChanges', () => {
  const desired = deriveReportingUnits(presets.zhangzi, regions, roster);
  const stored: StoredUnit[] = desired.map((u, i) => ({ ...u, id: 100 + i, active: true }));

  it('creates every unit on an empty county, and nothing when the stored units match', () => {
    expect(planUnitChanges([], desired).map((c) => c.action)).toEqual(desired.map(() => 'create'));
    expect(planUnitChanges(stored, desired)).toEqual([]);
  });

  it('updates a changed reporter or head, reactivates, and deactivates units no longer called for', () => {
    const changedRoster = roster.map((x) => (x.id === 30 ? { ...x, active: false } : x));
    const next = deriveReportingUnits(presets.zhangzi, regions, changedRoster).filter((u) => u.regionId !== 21);
    const withInactive = stored.map((u) => (u.id === 101 ? { ...u, active: false } : u));
    const changes = planUnitChanges(withInactive, next);
    expect(changes).toEqual([
      { action: 'update', id: 100, before: withInactive[0], unit: next[0], fields: ['reporterStaffId'] },
      { action: 'update', id: 101, before: withInactive[1], unit: next[1], fields: ['active'] },
      { action: 'deactivate', id: 104, before: withInactive[4] },
    ]);
    expect(next[0]!.reporterStaffId).toBe(32);
    const names = (id: number | null) => (id === null ? '（无）' : `#${id}`);
    expect(changes.map((c) => describeUnitChange(c, names))).toEqual([
      '更新 乡镇「丹朱镇人民政府」 填报人：#30 → #32',
      '更新 乡镇「南陈乡人民政府」 重新启用',
      '停用 村(居)委会「南陈乡西庄村委会」（花名册或政策中已无此单位）',
    ]);
    expect(describeUnitChange({ action: 'create', unit: desired[0]! }, names)).toBe('新增 乡镇「丹朱镇人民政府」 填报人：#30，负责人：#31');
  });

  it('does not deactivate an already inactive unit again', () => {
    const inactive = stored.map((u) => ({ ...u, active: false }));
    expect(planUnitChanges(inactive, []).length).toBe(0);
  });
});
