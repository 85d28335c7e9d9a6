/**
 * 代理审批: a leader (股室负责人, 专班组长) names a deputy for a period, for leave.
 * In it the leader's approval cards go to the deputy and the deputy may take
 * the leader's steps, recorded as 「由 X 代 Y 审批」. Who may name one, who has
 * the standing to act (county staff of the leader's line, never a village or
 * township cadre), and the period. Recusal stays personal: a deputy who must
 * recuse from a case (own filing, a relative's application, an accusation
 * against their unit) is refused by that step's own rule. Pure rules.
 */
import type { StaffRole } from '../import/vocabulary.js';

export const DELEGATING_ROLES: readonly StaffRole[] = ['SECTION_HEAD', 'TASKFORCE_LEADER'];

/** Who may stand in for a leader of this role. */
export const DEPUTY_ROLES: Readonly<Record<string, readonly StaffRole[]>> = {
  SECTION_HEAD: ['SECTION_HEAD', 'SECTION_CASEWORKER', 'TASKFORCE_LEADER'],
  TASKFORCE_LEADER: ['TASKFORCE_LEADER', 'TASKFORCE_OFFICE', 'SECTION_HEAD'],
};

/** The longest period one delegation may cover (days, inclusive). */
export const MAX_DELEGATION_DAYS = 90;

export interface DelegationFacts {
  leader: { staffId: number; role: StaffRole; regionId: number };
  deputy: { staffId: number; role: StaffRole; regionId: number; active: boolean; name: string } | null;
  /** YYYY-MM-DD, already checked as dates. */
  startsOn: string;
  endsOn: string;
  /** Today in Asia/Shanghai. */
  today: string;
}

const dayCount = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000) + 1;

/** A Chinese refusal naming what is wrong, or null. */
export function delegationRefusal(f: DelegationFacts): string | null {
  if (!DELEGATING_ROLES.includes(f.leader.role)) return '只有股室负责人或工作专班组长可以指定代理审批人';
  if (!f.deputy || !f.deputy.active) return '“代理人编号”不存在，请填写在职工作人员的编号';
  if (f.deputy.staffId === f.leader.staffId) return '“代理人编号”不能是您本人';
  const standing = DEPUTY_ROLES[f.leader.role] ?? [];
  if (!standing.includes(f.deputy.role) || f.deputy.regionId !== f.leader.regionId) {
    return `${f.deputy.name}不具备代您审批的资格（代理人须为县级${f.leader.role === 'SECTION_HEAD' ? '股室负责人、股室经办人或工作专班组长' : '工作专班组长、专班办公室人员或股室负责人'}）`;
  }
  if (f.endsOn < f.startsOn) return '“止”不能早于“起”';
  if (f.endsOn < f.today) return '“止”不能早于今天';
  if (dayCount(f.startsOn, f.endsOn) > MAX_DELEGATION_DAYS) return `代理期限不能超过 ${MAX_DELEGATION_DAYS} 天`;
  return null;
}

/** Facts for ending a delegation early (提前结束代理). */
export interface DelegationEndFacts {
  /** The delegation, or null when the number names none. */
  delegation: { leaderStaffId: number; endsOn: string; revoked: boolean } | null;
  /** Who asks to end it. */
  staffId: number;
  /** Today in Asia/Shanghai. */
  today: string;
}

/** Only the leader who named the deputy ends the delegation, once, while it has days left: a Chinese refusal, or null. */
export function delegationEndRefusal(f: DelegationEndFacts): string | null {
  if (!f.delegation || f.delegation.leaderStaffId !== f.staffId) return '“代理编号”不是您指定的代理审批，请核对编号';
  if (f.delegation.revoked) return '该代理审批已结束，无需再次结束';
  if (f.delegation.endsOn < f.today) return '该代理审批已到期，无需结束';
  return null;
}

/** Whether a delegation covers this day. */
export function delegationCovers(d: { startsOn: string; endsOn: string; revoked: boolean }, today: string): boolean {
  return !d.revoked && d.startsOn <= today && today <= d.endsOn;
}

/** Who took a step, as the workflow sees it: the person and, under 代理审批, the leader they stood in for. */
export interface StepBy {
  byStaffId: number;
  /** 代理审批: the leader `byStaffId` stood in for (verified by the front against a delegation in force). */
  onBehalfOfStaffId?: number;
}

const isStaffId = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;

/**
 * The one authority rule of a step reserved to some staff (approvers, 专班组长, deciders …):
 * who may act as one of them at the instant of the step is those staff and the deputies of
 * their delegations in force then. The front verifies the delegation at that instant
 * (readmodels/delegation.ts) and only then sends `onBehalfOfStaffId`; the workflow validators
 * (deterministic) read it from the Update's arguments. Recusal stays the deputy's own and is
 * checked on `byStaffId` by each step's rule.
 */
export function actsAs(a: { byStaffId?: unknown; onBehalfOfStaffId?: unknown }, staffIds: readonly number[]): boolean {
  if (!isStaffId(a.byStaffId)) return false;
  if (staffIds.includes(a.byStaffId)) return true;
  return isStaffId(a.onBehalfOfStaffId) && a.onBehalfOfStaffId !== a.byStaffId && staffIds.includes(a.onBehalfOfStaffId);
}

/** A Chinese reason when `onBehalfOfStaffId` is present but not a staff id, or null. */
export function onBehalfOfInvalid(a: { onBehalfOfStaffId?: unknown }): string | null {
  return a.onBehalfOfStaffId === undefined || isStaffId(a.onBehalfOfStaffId) ? null : '被代理的审批人编号无效';
}

/** The line on a card or outcome: 「由 X 代 Y 审批」. */
export function actingForLine(deputyName: string, leaderName: string): string {
  return `由${deputyName}代${leaderName}审批`;
}
