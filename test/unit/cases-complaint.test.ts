import { describe, expect, it } from 'vitest';
import {
  beijingDateOf,
  canReadComplaint,
  checkAcceptanceNotice,
  checkClueTransfer,
  checkExtension,
  checkExtensionNotice,
  checkFeedback,
  checkVerification,
  complainantLabel,
  complaintAccess,
  complaintEscalationText,
  complaintReminderText,
  complaintWorkflowId,
  type ComplaintAccessSubject,
  type ComplaintCheckContext,
  type ComplaintReader,
} from '../../domain/cases/index.js';
import { computeDeadline } from '../../domain/policy/compute.js';
import { presets } from '../../domain/policy/load.js';
import { createCalendar } from '../../domain/time/calendar.js';

const COUNTY = 1;
const T1 = 10;
const T2 = 20;
const reader = (id: number, role: ComplaintReader['role'], townshipId: number | null, unit: string): ComplaintReader => ({ id, role, active: true, unit, countyId: COUNTY, townshipId });
const office = reader(1, 'TASKFORCE_OFFICE', null, '社会救助股');
const leader = reader(2, 'TASKFORCE_LEADER', null, '县民政局');
const liaison = reader(3, 'DISCIPLINE_LIAISON', null, '派驻纪检组');
const sectionHead = reader(4, 'SECTION_HEAD', null, '社会救助股');
const caseworker1 = reader(5, 'TOWNSHIP_CASEWORKER', T1, '第1镇人民政府');
const head1 = reader(6, 'TOWNSHIP_HEAD', T1, '第1镇人民政府');
const villager1 = reader(7, 'VILLAGE_COMMITTEE', T1, '第1村村委会');
const caseworker2 = reader(8, 'TOWNSHIP_CASEWORKER', T2, '第2镇人民政府');
const admin = reader(9, 'ADMIN', null, '信息中心');

const ordinary: ComplaintAccessSubject = { countyRegionId: COUNTY, subjectTownshipId: T1, accusedStaffId: null, accused: null };
const againstCaseworker: ComplaintAccessSubject = { countyRegionId: COUNTY, subjectTownshipId: T1, accusedStaffId: 5, accused: { unit: '第1镇人民政府', townshipId: T1 } };
const againstOffice: ComplaintAccessSubject = { countyRegionId: COUNTY, subjectTownshipId: null, accusedStaffId: 1, accused: { unit: '社会救助股', townshipId: null } };

describe('who reads a complaint', () => {
  it('ordinary complaint: county in full, the subject township without the complainant, nobody else', () => {
    expect([office, leader, liaison, sectionHead].map((s) => complaintAccess(s, ordinary))).toEqual(['full', 'full', 'full', 'full']);
    expect(complaintAccess(caseworker1, ordinary)).toBe('redacted');
    expect(complaintAccess(head1, ordinary)).toBe('redacted');
    expect(canReadComplaint(villager1, ordinary)).toBe(false);
    expect(canReadComplaint(caseworker2, ordinary)).toBe(false);
    expect(canReadComplaint(admin, ordinary)).toBe(false);
    expect(canReadComplaint({ ...office, countyId: 99 }, ordinary)).toBe(false);
    expect(canReadComplaint({ ...office, active: false }, ordinary)).toBe(false);
  });

  it('accusation: only 纪检联络 and 专班组长, never the accused unit', () => {
    expect(complaintAccess(liaison, againstCaseworker)).toBe('full');
    expect(complaintAccess(leader, againstCaseworker)).toBe('full');
    for (const s of [caseworker1, head1, villager1, office, sectionHead, caseworker2, admin]) {
      expect(canReadComplaint(s, againstCaseworker)).toBe(false);
    }
    // Accused in the county office: the office and the same section are the accused unit.
    expect(canReadComplaint(office, againstOffice)).toBe(false);
    expect(canReadComplaint(sectionHead, againstOffice)).toBe(false);
    expect(canReadComplaint(liaison, againstOffice)).toBe(true);
    // An accused 专班组长 cannot read the accusation against himself.
    const againstLeader = { ...againstOffice, accusedStaffId: 2, accused: { unit: '县民政局', townshipId: null } };
    expect(canReadComplaint(leader, againstLeader)).toBe(false);
    expect(canReadComplaint(liaison, againstLeader)).toBe(true);
  });

  it('complainant label masks phone and ID number', () => {
    expect(complainantLabel({ name: '周建国', phone: '13812345678', idNumber: '11010519491231002X' })).toBe('周建国（电话 138****5678，身份证 1101**********002X）');
    expect(complainantLabel({ name: '周建国' })).toBe('周建国');
  });
});

describe('complaint deadlines (Asia/Shanghai)', () => {
  const cal = createCalendar();
  it('acceptance notice 15 days from receipt; handling 60, extended 90 from acceptance', () => {
    const a = computeDeadline(presets.wenshui, 'complaint-acceptance-notice', '2026-09-20', cal);
    expect(a.due).toBe('2026-10-05');
    expect(a.expiresAt.toISOString()).toBe('2026-10-05T16:00:00.000Z');
    expect(computeDeadline(presets.wenshui, 'complaint-handling', '2026-09-20').due).toBe('2026-11-19');
    expect(computeDeadline(presets.wenshui, 'complaint-handling-extended', '2026-09-20').due).toBe('2026-12-19');
  });
  it('accusation acceptance (15 working days) and clue transfer (5 working days) skip the National Day holiday', () => {
    // Received Friday 2026-09-25: 9-28, 9-29, 9-30, then 国庆 (10-01..10-07), make-up Saturday 10-10 counts.
    const clue = computeDeadline(presets.wenshui, 'clue-transfer', '2026-09-25', cal);
    expect(cal.countWorkingDays('2026-09-25', clue.due)).toBe(5);
    expect(clue.due > '2026-10-07').toBe(true);
    const acc = computeDeadline(presets.zhangzi, 'accusation-acceptance-notice', '2026-09-25', cal);
    expect(cal.countWorkingDays('2026-09-25', acc.due)).toBe(15);
  });
  it('Beijing date of an instant, in workflow code', () => {
    expect(beijingDateOf(Date.parse('2026-11-22T16:03:00Z'))).toBe('2026-11-23');
    expect(beijingDateOf(Date.parse('2026-11-22T15:59:59Z'))).toBe('2026-11-22');
  });
});

describe('complaint update checks', () => {
  const ctx: ComplaintCheckContext = {
    opened: true,
    closed: false,
    accusation: false,
    receiptDate: '2026-11-01',
    today: '2026-11-22',
    fullReaderIds: [1, 2, 3],
    verifierIds: [1, 2, 3, 5],
    leaderIds: [2],
    clueHandlerIds: [2, 3],
    acceptanceRecorded: false,
    acceptedOn: null,
    handlingExpired: false,
    extensionApproved: false,
    extensionNoticed: false,
    verified: false,
    fedBack: false,
    clueTransferred: false,
  };
  const accepted = { ...ctx, acceptanceRecorded: true, acceptedOn: '2026-11-05' };

  it('acceptance notice: by a full reader, dated between receipt and today, once', () => {
    const ok = { byStaffId: 1, noticeOn: '2026-11-10', acceptedOn: '2026-11-05', method: '书面' };
    expect(checkAcceptanceNotice(ok, ctx)).toBeNull();
    expect(checkAcceptanceNotice({ ...ok, byStaffId: 5 }, ctx)).toContain('无权');
    expect(checkAcceptanceNotice({ ...ok, noticeOn: '2026-10-31' }, ctx)).toContain('不能早于2026年11月1日');
    expect(checkAcceptanceNotice({ ...ok, acceptedOn: '2026-11-11' }, ctx)).toContain('受理日期不能晚于告知日期');
    expect(checkAcceptanceNotice(ok, accepted)).toContain('不能重复登记');
    expect(checkAcceptanceNotice(ok, { ...ctx, opened: false })).toContain('登记中');
  });

  it('extension: 专班组长 with a reason, once, before the deadline; its notice after the approval', () => {
    expect(checkExtension({ byStaffId: 2, reason: '需入户调查' }, accepted)).toBeNull();
    expect(checkExtension({ byStaffId: 1, reason: '需入户调查' }, accepted)).toContain('须为工作专班组长');
    expect(checkExtension({ byStaffId: 2, reason: '' }, accepted)).toContain('延期理由不能为空');
    expect(checkExtension({ byStaffId: 2, reason: 'x' }, ctx)).toContain('尚未受理');
    expect(checkExtension({ byStaffId: 2, reason: 'x' }, { ...accepted, extensionApproved: true })).toContain('只能延长一次');
    expect(checkExtension({ byStaffId: 2, reason: 'x' }, { ...accepted, handlingExpired: true })).toContain('期限已过');
    const notice = { byStaffId: 1, noticeOn: '2026-11-20', method: '电话' };
    expect(checkExtensionNotice(notice, accepted)).toContain('尚未经工作专班组长批准');
    expect(checkExtensionNotice(notice, { ...accepted, extensionApproved: true })).toBeNull();
    expect(checkExtensionNotice({ ...notice, noticeOn: '2026-11-04' }, { ...accepted, extensionApproved: true })).toContain('不能早于2026年11月5日');
  });

  it('verification then feedback', () => {
    expect(checkVerification({ byStaffId: 5, finding: '属实', result: '经核实属实' }, accepted)).toBeNull();
    expect(checkVerification({ byStaffId: 8, finding: '属实', result: 'x' }, accepted)).toContain('无权');
    expect(checkVerification({ byStaffId: 5, finding: '基本属实', result: 'x' }, accepted)).toContain('核实结论只能是');
    expect(checkFeedback({ byStaffId: 1, feedbackOn: '2026-11-22', method: '书面' }, accepted)).toContain('尚未登记核实结果');
    expect(checkFeedback({ byStaffId: 1, feedbackOn: '2026-11-22', method: '书面' }, { ...accepted, verified: true })).toBeNull();
    expect(checkFeedback({ byStaffId: 5, feedbackOn: '2026-11-22', method: '书面' }, { ...accepted, verified: true })).toContain('无权');
  });

  it('clue transfer: accusations only, by 纪检联络 or 专班组长, once', () => {
    const t = { byStaffId: 3, transferredTo: '县纪委监委', transferredOn: '2026-11-03' };
    expect(checkClueTransfer(t, ctx)).toContain('没有问题线索');
    const acc = { ...ctx, accusation: true };
    expect(checkClueTransfer(t, acc)).toBeNull();
    expect(checkClueTransfer({ ...t, byStaffId: 1 }, acc)).toContain('须为纪检联络人或工作专班组长');
    expect(checkClueTransfer(t, { ...acc, clueTransferred: true })).toContain('不能重复移交');
  });
});

describe('complaint ids and texts', () => {
  it('workflow id carries a digest only', () => {
    expect(complaintWorkflowId(3, 'a1b2c3d4e5f6a7b8c9d0e1f2')).toBe('complaint:3:a1b2c3d4e5f6a7b8c9d0e1f2');
    expect(() => complaintWorkflowId(3, '周建国')).toThrow();
  });
  it('texts name the ledger number and the stage, never a person', () => {
    expect(complaintReminderText(false, '2026-0001', 'acceptance', '2026-12-07', 7)).toBe('【实名举报提醒】台账编号 2026-0001：须于2026年12月7日前告知信访人是否受理（还剩7天）。');
    expect(complaintEscalationText(true, '2026-0002', 'clue', '2026-11-30', '经办人')).toBe('【检举控告逾期·经办人】台账编号 2026-0002：应于2026年11月30日前将问题线索移交纪检监察机关，现已逾期，请督促办理。');
  });
});
