/**
 * 转办: reassigning an open case to another caseworker. Who may (the township
 * head for a case of the township, the 专班 office or 组长 for any case of the
 * county), to whom (a caseworker whose region covers the case), and who must
 * recuse (the filer of a near-relative filing, the accused of a complaint,
 * staff related to the subject) — neither ordering nor receiving such a case.
 * Pure rules; the front gathers the facts.
 */
import type { StaffRole } from '../import/vocabulary.js';

export const TRANSFER_ROLES: readonly StaffRole[] = ['TOWNSHIP_HEAD', 'TASKFORCE_OFFICE', 'TASKFORCE_LEADER'];
export const ASSIGNEE_ROLES: readonly StaffRole[] = ['TOWNSHIP_CASEWORKER', 'SECTION_CASEWORKER'];

export interface TransferFacts {
  actor: { staffId: number; role: StaffRole; coversCase: boolean };
  case: { open: boolean; complaint: boolean; assigneeStaffId: number | null };
  to: { staffId: number; role: StaffRole; active: boolean; coversCase: boolean; name: string } | null;
  /** Staff who must recuse from this case. */
  recused: readonly number[];
}

/** Whether this person may reassign cases of this kind at all (the 「转办」 button). */
export function mayTransfer(actor: TransferFacts['actor'], c: TransferFacts['case'], recused: readonly number[]): boolean {
  return TRANSFER_ROLES.includes(actor.role) && actor.coversCase && c.open && !c.complaint && !recused.includes(actor.staffId);
}

/** A Chinese refusal, or null when the transfer may be made. */
export function transferRefusal(f: TransferFacts): string | null {
  if (!TRANSFER_ROLES.includes(f.actor.role)) return '只有乡镇负责人或工作专班可以转办案件';
  if (!f.actor.coversCase) return '该案件不在您的辖区，不能转办';
  if (!f.case.open) return '该案件已办结，不能转办';
  if (f.case.complaint) return '投诉举报由工作专班按规定分办，不能在此转办';
  if (f.recused.includes(f.actor.staffId)) return '您与该案件有利害关系，须回避，不能转办';
  if (!f.to || !f.to.active) return '“承办人编号”不存在，请填写在职工作人员的编号';
  if (!ASSIGNEE_ROLES.includes(f.to.role)) return `“承办人编号”应为经办人员的编号（${f.to.name}不是经办人员）`;
  if (!f.to.coversCase) return `${f.to.name}的辖区不含该案件，不能承办`;
  if (f.to.staffId === f.case.assigneeStaffId) return `该案件已由${f.to.name}承办`;
  if (f.recused.includes(f.to.staffId)) return `${f.to.name}与该案件有利害关系，须回避，不能承办`;
  return null;
}
