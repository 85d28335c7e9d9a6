/**
 * The village monthly chain (长子: 村(居)委会 by the 20th → 乡镇 verifies and
 * reports by the 25th, domain.md §1.10). Pure checks with Chinese messages.
 */
import { isValidIdNumber } from '../identity/id-number.js';
import { isValidLocalDate } from '../time/local-date.js';
import type { CycleUnit } from './progress.js';

export const VILLAGE_EVENT_TYPES = {
  employment: '就业',
  incomeChange: '收入变化',
  largePurchase: '大额消费',
  disaster: '受灾',
  seriousIllness: '大病',
  funeral: '丧葬',
} as const;
export type VillageEventType = keyof typeof VILLAGE_EVENT_TYPES;

export interface VillageEvent {
  type: VillageEventType;
  /** The person concerned (ID number: never shown unmasked). Required for a funeral. */
  idNumber?: string;
  name?: string;
  /** 'YYYY-MM-DD' (the date of death for a funeral). */
  date?: string;
  note?: string;
}

export interface VillageReportArgs {
  unitId: number;
  byStaffId: number;
  nothingToReport?: boolean;
  events?: VillageEvent[];
}

export interface TownshipSubmitArgs {
  unitId: number;
  byStaffId: number;
  note?: string;
}

export function checkVillageReport(args: unknown, ctx: { open: boolean; units: readonly CycleUnit[]; submitted: ReadonlySet<number>; month: string }): string | null {
  if (!ctx.open) return '本月报告尚未开始或已结束，不能提交';
  if (typeof args !== 'object' || args === null) return '报告内容格式不正确';
  const a = args as Partial<VillageReportArgs>;
  const unit = ctx.units.find((u) => u.id === a.unitId);
  if (!unit) return '该村（居）委会不在本月报告范围内';
  if (a.byStaffId !== unit.reporterStaffId && a.byStaffId !== unit.headStaffId) return `您不是${unit.name}的报告人或负责人，无权代为报告`;
  if (ctx.submitted.has(unit.id)) return `${unit.name}本月已报告，不能重复报告`;
  const events = a.events ?? [];
  if (!Array.isArray(events)) return '事项（events）必须是列表';
  if (a.nothingToReport === true && events.length > 0) return '选择“本月无事项”时不能同时填写事项';
  if (a.nothingToReport !== true && events.length === 0) return '请填写本月事项，或选择“本月无事项”';
  for (const [i, e] of events.entries()) {
    const n = `第${i + 1}项`;
    if (typeof e !== 'object' || e === null) return `${n}格式不正确`;
    if (!(e.type in VILLAGE_EVENT_TYPES)) return `${n}：未知的事项类型“${String(e.type)}”，可选：${Object.values(VILLAGE_EVENT_TYPES).join('、')}`;
    if (e.idNumber !== undefined && !isValidIdNumber(e.idNumber)) return `${n}：身份证号码无效`;
    if (e.date !== undefined && !isValidLocalDate(e.date)) return `${n}：日期应为 YYYY-MM-DD`;
    if (e.type === 'funeral') {
      if (e.idNumber === undefined) return `${n}：丧葬事项须填写逝者身份证号码`;
      if (e.date === undefined) return `${n}：丧葬事项须填写死亡日期`;
    }
    if (e.type === 'incomeChange' && e.idNumber === undefined && e.name === undefined) return `${n}：收入变化须填写姓名或身份证号码`;
  }
  return null;
}

export function checkTownshipSubmit(args: unknown, ctx: { open: boolean; units: readonly CycleUnit[]; submitted: ReadonlySet<number>; pendingVillages: (townshipUnitId: number) => string[] }): string | null {
  if (!ctx.open) return '本月报告尚未开始或已结束，不能提交';
  if (typeof args !== 'object' || args === null) return '报告内容格式不正确';
  const a = args as Partial<TownshipSubmitArgs>;
  const unit = ctx.units.find((u) => u.id === a.unitId);
  if (!unit) return '该乡镇不在本月报告范围内';
  if (a.byStaffId !== unit.reporterStaffId && a.byStaffId !== unit.headStaffId) return `您不是${unit.name}的报告人或负责人，无权代为上报`;
  if (ctx.submitted.has(unit.id)) return `${unit.name}本月已上报，不能重复上报`;
  const pending = ctx.pendingVillages(unit.id);
  if (pending.length > 0) return `以下村（居）委会尚未报告，暂不能核实上报：${pending.join('、')}`;
  return null;
}
