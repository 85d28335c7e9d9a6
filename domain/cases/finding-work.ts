/**
 * Data becomes work (issue 13, design.md "Data becomes work"): what an import or a match opens by
 * itself, named by natural keys, and the Chinese texts it sends. Pure and workflow-safe.
 *
 * A work order is recorded in the database first (WorkOrder, unique by the target workflow id),
 * then opened by the findings-to-work workflow; which finding kinds open what is the policy's
 * `findingWork` setting (domain/policy/schema.ts).
 */

/** What a work order opens. */
export type WorkOrderKind = 'deathReview' | 'prisonExit' | 'rectification' | 'askFiling' | 'applicationReview';

export const WORK_ORDER_LABELS: Readonly<Record<WorkOrderKind, string>> = {
  deathReview: '死亡核查',
  prisonExit: '服刑人员退出核查',
  rectification: '整改清单事项',
  askFiling: '近亲属备案提示',
  applicationReview: '申请审核确认',
};

/**
 * One findings-to-work run per county and trigger: `import-<batch id>`, `match-<audit id>`,
 * `payment-watch-<period>…`, `pending-<last order id>` (the service's start-up sweep). A second
 * start with the same trigger joins the first.
 */
export function findingsToWorkWorkflowId(countyRegionId: number, trigger: string): string {
  if (!/^[\w:.-]{1,120}$/.test(trigger)) throw new RangeError(`bad findings-to-work trigger: ${trigger}`);
  return `findings-to-work:${countyRegionId}:${trigger}`;
}

/** Natural key of the request that a staff member file a near relative (no workflow of its own). */
export function askFilingKey(countyRegionId: number, staffId: number, relative: { memberId: number } | { applicationId: number }): string {
  const subject = 'memberId' in relative ? `member-${relative.memberId}` : `application-${relative.applicationId}`;
  return `ask-filing:${countyRegionId}:${staffId}:${subject}`;
}

/** The measures a rectification item from a finding starts with (the township may rewrite them). */
export const RECTIFICATION_MEASURES: Readonly<Record<string, string>> = {
  payment_missing: '核实未发放原因，及时足额补发到户，并说明原因',
  payment_late: '查明逾期发放原因，落实按月10日前发放到户',
  payment_short: '核实少发原因，补足差额并说明原因',
  payment_wrong_payee: '核实收款方，纠正发放对象；资金未到户的追回后重新发放',
  duplicate_enrolment: '核实重复享受情况，保留一处保障，停发并追回重复发放资金',
  paid_after_death: '开展家庭状况核查，停发或减发，追回死亡后发放的资金',
  death_review_overdue: '尽快完成家庭状况核查并办理增发、减发或停发',
  paid_in_prison: '按规定程序办理退出或重新核定家庭保障金额，追回服刑期间发放的资金',
};

export const FINDING_REF_RE = /^finding:(\d+)$/;

/** 'finding:12' → 12. */
export function findingIdOfRef(ref: string | null | undefined): number | null {
  const m = ref ? FINDING_REF_RE.exec(ref) : null;
  return m ? Number(m[1]) : null;
}

/** The notice that a finding's open work no longer has a problem behind it (sent once per finding and work). */
export function findingClearedText(what: string, findingId: number, description: string, clearedAt: string): string {
  return (
    `【线索已消除】问题线索 #${findingId}（${description}）在 ${clearedAt} 的数据比对中已不再出现，` +
    `可能数据已更正。您承办的${what}不会自动办结：请核实后按实际情况继续办理或办结。`
  );
}

/** Asks the staff member an `undeclared_near_relative` finding names to file (近亲属备案). */
export function askFilingText(findingId: number, relativeName: string | null, relation: string, sources: readonly string[]): string {
  const what = sources.includes('application') ? '正在申请救助' : '正在享受救助';
  const who = relativeName ? `${relativeName.slice(0, 1)}${'*'.repeat(Math.max(1, relativeName.length - 1))}` : '您的一位亲属';
  return (
    `【请办理近亲属备案】数据比对发现（线索 #${findingId}）：${who}（您的${relation}）${what}，尚无近亲属备案记录。` +
    '按规定经办人员近亲属申请或享受救助须单独备案登记。请发送 /近亲属备案 按提示填报（身份证号请在私聊中填写）。'
  );
}

/** The 专班 office's card for a finding put on the rectification list (and the command to do it by hand). */
export function rectificationFromFindingHint(findingId: number): string {
  return `如需列入整改清单，请发送 /整改 ${findingId}`;
}
