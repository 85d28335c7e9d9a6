/**
 * Chinese text of the matching: one sentence per finding, and the summary
 * report of `jiuzhu match` (ID numbers masked). Pure.
 */
import { maskIdNumber } from '../identity/id-number.js';
import { formatYuan } from './amounts.js';
import type { EvidenceOf } from './evidence.js';
import { PAYMENT_KIND_LABELS, type PaymentKind } from '../policy/schema.js';
import { ASSISTANCE_KIND_LABELS, FINDING_KINDS, FINDING_KIND_INFO, STAFF_ROLE_LABELS, type FindingKind } from './kinds.js';

const PAYEE_KIND_LABELS: Record<string, string> = { HOUSEHOLD: '保障家庭', INSTITUTION: '机构', OTHER: '其他' };

const yuanText = (n: number) => `${formatYuan(n)} 元`;
const who = (name: string | null) => name ?? '（姓名不详）';

/** What describeFinding needs: a kind and its evidence (plus period and amount). */
export type DescribableFinding = {
  [K in FindingKind]: { kind: K; evidence: EvidenceOf<K>; period: string | null; amount: number | null };
}[FindingKind];

/** One Chinese sentence for a finding (names, no ID numbers). */
export function describeFinding(f: DescribableFinding): string {
  const period = f.period ?? '';
  switch (f.kind) {
    case 'paid_after_death': {
      const e = f.evidence;
      if (e.perCapita) {
        return `${who(e.name)}于 ${e.deathDate} 死亡，家庭核查时限 ${e.reviewDeadline ?? ''} 已过，${period} ${ASSISTANCE_KIND_LABELS[e.assistanceKind]}仍按原额发放 ${yuanText(e.amountPaid)}；该户共 ${e.householdSize} 人、仍有在世成员，按人均估算死者份额（时限之后的 ${e.overpaidMonths} 个月）${yuanText(f.amount ?? 0)}，以核查核定的新金额为准`;
      }
      const part = e.overpaidMonths < e.coveredMonths ? `，其中死亡后的 ${e.overpaidMonths} 个月折算 ${yuanText(f.amount ?? 0)}` : '';
      const recompute = e.recomputeHousehold ? `；该户共 ${e.householdSize} 人，应重新核定家庭保障金额（金额按整笔计）` : '';
      return `${who(e.name)}于 ${e.deathDate} 死亡，${period} ${ASSISTANCE_KIND_LABELS[e.assistanceKind]}仍发放 ${yuanText(e.amountPaid)}${part}${recompute}`;
    }
    case 'paid_in_prison': {
      const e = f.evidence;
      const term = e.releaseDate ? `${e.custodyDate} 羁押、${e.releaseDate} 释放` : `${e.custodyDate} 羁押、尚未释放`;
      const part = e.overpaidMonths < e.coveredMonths ? `，其中服刑期间的 ${e.overpaidMonths} 个月折算 ${yuanText(f.amount ?? 0)}` : '';
      const recompute = e.recomputeHousehold ? `；该户共 ${e.householdSize} 人，应重新核定家庭保障金额（金额按整笔计）` : '';
      return `${who(e.name)}于 ${term}，${period} ${ASSISTANCE_KIND_LABELS[e.assistanceKind]}仍发放 ${yuanText(e.amountPaid)}${part}${recompute}`;
    }
    case 'death_review_overdue': {
      const e = f.evidence;
      const state = !e.review
        ? '没有核查记录'
        : e.review.status === 'OPEN'
          ? `核查案件（#${e.review.caseId}）尚未办结`
          : `核查案件（#${e.review.caseId}）于 ${e.review.closedAt ?? '（日期不详）'} 才办结`;
      return `${who(e.name)}于 ${e.deathDate} 死亡，家庭状况核查应于 ${e.deadline} 前办结，${state}`;
    }
    case 'duplicate_enrolment': {
      const e = f.evidence;
      if (e.type === 'multiple_households') {
        const heads = e.households.map((h) => h.headName).join('、');
        return `${who(e.name)}同时是 ${e.households.length} 个在保家庭的成员（户主：${heads}）`;
      }
      const kinds = e.enrolments.map((x) => ASSISTANCE_KIND_LABELS[x.kind]).join('、');
      return `${who(e.name)}户同时享受${kinds}`;
    }
    case 'payment_missing': {
      const e = f.evidence;
      const reason =
        e.reason === 'no_record' ? '没有发放记录' : e.reason === 'not_paid' ? '发放记录未标明发放日期' : `至比对日未发放（${e.paidDate ?? ''} 才发放）`;
      return `${period} ${ASSISTANCE_KIND_LABELS[e.assistanceKind]}应于 ${e.dueDate} 前发放 ${yuanText(e.amountDue)}，${reason}`;
    }
    case 'payment_late': {
      const e = f.evidence;
      return `${period} ${ASSISTANCE_KIND_LABELS[e.assistanceKind]}应于 ${e.dueDate} 前发放，实际 ${e.paidDate ?? ''} 发放，延迟 ${e.daysLate} 天`;
    }
    case 'payment_short': {
      const e = f.evidence;
      return `${period} ${ASSISTANCE_KIND_LABELS[e.assistanceKind]}应发 ${yuanText(e.amountDue)}，实发 ${yuanText(e.amountPaid)}`;
    }
    case 'payment_wrong_payee': {
      const e = f.evidence;
      const inst = e.institutionName ? `“${e.institutionName}”` : '';
      const reason = {
        other_payee: '收款方既非保障家庭也非登记的供养服务机构',
        not_institution: `应统一支付到供养服务机构${inst}`,
        wrong_institution: `应支付到其供养服务机构${inst}`,
        unregistered_institution: inst ? `收款机构未登记，应支付到${inst}` : '收款机构不是登记的供养服务机构',
        no_institution_on_record: '该集中供养对象没有登记供养服务机构',
        not_household: '应发放到户',
      }[e.reason];
      return `${period} ${ASSISTANCE_KIND_LABELS[e.assistanceKind]} ${yuanText(e.amountPaid)}发放给“${e.payeeName}”（${PAYEE_KIND_LABELS[e.payeeKind] ?? e.payeeKind}），${reason}`;
    }
    case 'undeclared_near_relative': {
      const e = f.evidence;
      const role = STAFF_ROLE_LABELS[e.staff.role] ?? e.staff.role;
      const as = e.sources.map((s) => (s === 'enrolment' ? '在保' : '申请救助')).join('并');
      return `${who(e.name)}（${as}）是${role}${e.staff.name}（${e.staff.unit}）申报的近亲属（${e.relation}），没有有效的近亲属备案`;
    }
  }
}

// ---------------------------------------------------------------- the report

export interface KindCount {
  kind: FindingKind;
  found: number;
  /** Stored for the first time by this run. */
  inserted: number;
  /** Sum of amounts (yuan), null when the kind has none. */
  amount: number | null;
}

export interface TownshipCount extends KindCount {
  county: string;
  /** null: the finding has no township (e.g. an application filed at county level). */
  township: string | null;
}

/** A finding as the text report shows it. */
export interface ExampleLine {
  kind: FindingKind;
  idNumber: string;
  township: string | null;
  village: string | null;
  period: string | null;
  amount: number | null;
  description: string;
}

export interface MatchReport {
  asOf: string;
  counties: string[];
  kinds: KindCount[];
  townships: TownshipCount[];
  examples: ExampleLine[];
  examplesPerKind: number;
  /** Kinds the county policy switched off (e.g. near relatives), with the reason. */
  skipped?: Array<{ county: string; kind: FindingKind; reason: string }>;
  /** The payment periods judged and those the ledger does not cover, per county and payment schedule. */
  periods?: PeriodCoverage[];
  /** Findings of earlier runs this run no longer produced (marked cleared). */
  cleared?: Array<{ county: string; kind: FindingKind; cleared: number }>;
}

/** A run of consecutive schedule months, judged or not (no payment data). */
export interface PeriodRun {
  from: string;
  to: string;
  count: number;
  judged: boolean;
}

export interface PeriodCoverage {
  county: string;
  paymentKind: PaymentKind;
  runs: PeriodRun[];
}

/** Consecutive schedule months (sorted) with the same judged flag, as runs. */
export function periodRuns(months: ReadonlyArray<{ month: string; judged: boolean }>): PeriodRun[] {
  const out: PeriodRun[] = [];
  for (const m of months) {
    const last = out[out.length - 1];
    if (last && last.judged === m.judged) {
      last.to = m.month;
      last.count++;
    } else {
      out.push({ from: m.month, to: m.month, count: 1, judged: m.judged });
    }
  }
  return out;
}

const runText = (r: PeriodRun) => `${r.from === r.to ? r.from : `${r.from} 至 ${r.to}`}（${r.count} 期）`;

/** One line per county and payment schedule: which periods were judged, which have no payment data. */
export function formatPeriodCoverage(periods: readonly PeriodCoverage[], multiCounty: boolean): string[] {
  const out: string[] = [];
  for (const p of periods) {
    const judged = p.runs.filter((r) => r.judged);
    const none = p.runs.filter((r) => !r.judged);
    const parts = [judged.length ? `已比对 ${judged.map(runText).join('、')}` : '没有可比对的期间'];
    if (none.length) parts.push(`无发放数据、未比对 ${none.map(runText).join('、')}`);
    out.push(`  ${multiCounty ? `${p.county} ` : ''}${PAYMENT_KIND_LABELS[p.paymentKind]}：${parts.join('；')}`);
  }
  return out;
}

function pad(text: string, width: number): string {
  // East Asian characters take two columns in a terminal.
  let w = 0;
  for (const ch of text) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return text + ' '.repeat(Math.max(0, width - w));
}

function countText(c: { found: number; inserted: number }): string {
  return `${c.found} 条（新 ${c.inserted}）`;
}

/** The human-readable report of one run. ID numbers are masked. */
export function formatMatchReport(r: MatchReport): string {
  const out: string[] = [];
  const total = r.kinds.reduce((s, k) => s + k.found, 0);
  const inserted = r.kinds.reduce((s, k) => s + k.inserted, 0);
  const amount = r.kinds.reduce((s, k) => s + (k.amount ?? 0), 0);
  out.push(`数据比对结果（截至 ${r.asOf}；范围：${r.counties.length ? r.counties.join('、') : '（无县级区划）'}）`);
  out.push(
    `共发现问题线索 ${total} 条：新发现 ${inserted} 条，此前已记录 ${total - inserted} 条；涉及金额 ${yuanText(Math.round(amount * 100) / 100)}。`,
  );
  out.push('');
  out.push('按问题类型：');
  for (const kind of FINDING_KINDS) {
    const k = r.kinds.find((x) => x.kind === kind) ?? { kind, found: 0, inserted: 0, amount: null };
    const money = FINDING_KIND_INFO[kind].amountMeaning === null ? '' : `  ${yuanText(k.amount ?? 0)}`;
    out.push(`  ${pad(FINDING_KIND_INFO[kind].label, 16)}${pad(countText(k), 20)}${money}`);
  }
  for (const s of r.skipped ?? []) out.push(`  （${s.county}：未比对“${FINDING_KIND_INFO[s.kind].label}”，${s.reason}）`);
  const cleared = (r.cleared ?? []).reduce((n, c) => n + c.cleared, 0);
  if (cleared > 0) out.push(`  此前记录、本次不再出现的线索 ${cleared} 条，已标记为“线索已消除”。`);
  if (r.periods?.length) {
    out.push('');
    out.push('发放期间（只比对发放台账覆盖的期间；全县当期没有任何发放记录视为“无数据”，不判为未发放）：');
    out.push(...formatPeriodCoverage(r.periods, new Set(r.periods.map((p) => p.county)).size > 1));
  }

  if (r.townships.length) {
    out.push('');
    out.push('按乡镇：');
    const multiCounty = new Set(r.townships.map((t) => t.county)).size > 1;
    const places = [...new Set(r.townships.map((t) => `${multiCounty ? `${t.county} ` : ''}${t.township ?? '（未定乡镇）'}`))];
    for (const place of places) {
      const rows = r.townships.filter((t) => `${multiCounty ? `${t.county} ` : ''}${t.township ?? '（未定乡镇）'}` === place);
      const n = rows.reduce((s, x) => s + x.found, 0);
      const a = rows.reduce((s, x) => s + (x.amount ?? 0), 0);
      out.push(`  ${place}：${n} 条，${yuanText(Math.round(a * 100) / 100)}`);
      for (const kind of FINDING_KINDS) {
        const row = rows.find((x) => x.kind === kind);
        if (!row) continue;
        const money = FINDING_KIND_INFO[kind].amountMeaning === null ? '' : `  ${yuanText(row.amount ?? 0)}`;
        out.push(`    ${pad(FINDING_KIND_INFO[kind].label, 16)}${pad(countText(row), 20)}${money}`);
      }
    }
  }

  if (r.examples.length) {
    out.push('');
    out.push(`明细示例（每类最多 ${r.examplesPerKind} 条，身份证号已脱敏）：`);
    for (const kind of FINDING_KINDS) {
      const rows = r.examples.filter((e) => e.kind === kind);
      if (!rows.length) continue;
      out.push(`  【${FINDING_KIND_INFO[kind].label}】${FINDING_KIND_INFO[kind].description}`);
      for (const e of rows) {
        const place = [e.township, e.village].filter(Boolean).join('');
        out.push(`    ${maskIdNumber(e.idNumber)}  ${place || '（未定村）'}  ${e.description}`);
      }
    }
  }
  out.push('');
  out.push('完整明细：jiuzhu match --json（每行一条，含完整身份证号，仅供授权人员使用）。');
  return out.join('\n');
}
