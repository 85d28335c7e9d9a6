/**
 * A progress-report cycle (进展情况报告, domain.md R24–R28) or a phase summary
 * (阶段总结): one run per county and due date (`progress:<county>:<date>`,
 * `phase-summary:<county>:<id>`).
 *
 * open the ReportCycle row → prompt each active unit's reporter (deadline and
 * time left) → Update `submit` (validated; late when it arrives after the
 * cut-off) → reminders before the deadline and escalation after it to the
 * units still missing, each once per unit → at the cut-off the 专班 office
 * gets the aggregate (totals per focus item, missing units), also written to
 * ReportCycle.summary, with the period's statutory tables attached (patch
 * `cycle-tables-attached`) → late submissions are accepted until every unit has
 * reported or the cycle closes (`closeAfterHours` after the last escalation).
 *
 * A phase summary run (patch `phase-summary-compiled`) takes each unit's
 * summary text (Update `submitSummary`) instead of figures; once every unit is
 * in (or at the cut-off with what is in) the 专班 office gets the compiled
 * .docx (texts + the period's progress table) and records it as sent upward
 * (Update `reportUpward`, 「已上报」, audited); the run closes once recorded.
 *
 * The due date and the policy are input: the schedule's tick computes them,
 * so a policy change never alters a running cycle's replay.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  currentUpdateInfo,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { CycleActivities, UnitKind } from '../activities/cycles.js';
import type { CycleTableActivities } from '../activities/cycle-tables.js';
import type { NotifyActivities } from '../activities/notify.js';
import type { PhaseSummaryActivities } from '../activities/phase-summary.js';
import {
  aggregateText,
  chinaDateOf,
  checkProgressSubmission,
  checkReportUpward,
  checkSummarySubmission,
  compiledSummaryText,
  cycleEscalationText,
  cyclePromptText,
  cycleReminderText,
  deadlineText,
  type CycleUnit,
} from '../domain/cycles/index.js';
import { escalationSchedule, reminderSchedule } from '../domain/policy/compute.js';
import type { CountyPolicy } from '../domain/policy/schema.js';
import type { NotificationAttachment } from '../domain/tables/attachments.js';
import type { LocalDate } from '../domain/time/local-date.js';
import { planLadder, type LadderEvent } from './escalation.js';
import { forEachSideBySide } from './notify-side-by-side.js';

const acts = proxyActivities<CycleActivities & NotifyActivities & PhaseSummaryActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

// Writing a county's tables reads every row of the period: a longer timeout, and a bounded
// number of attempts (the aggregate still goes out, without files, if they cannot be written).
const tableActs = proxyActivities<CycleTableActivities>({
  startToCloseTimeout: '15 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', backoffCoefficient: 2, maximumAttempts: 5 },
});

export interface ProgressCycleInput {
  countyRegionId: number;
  kind: 'progress' | 'phase-summary';
  /** Period key: the nominal due date ('2026-11-29') or the summary id ('final'). */
  period: string;
  /** Shown to people: '进展情况报告（第3期）', '重点问题整治工作情况总结'. */
  title: string;
  /** Last on-time day. */
  due: LocalDate;
  /** First late instant, ISO-8601 (end of `due`, or the cut-off time). */
  expiresAt: string;
  periodStart?: LocalDate | null;
  periodEnd?: LocalDate | null;
  policy: CountyPolicy;
  /** How long late submissions are still taken after the last escalation (default 7 days). */
  closeAfterHours?: number;
}

export {
  progressCycleStatusQuery,
  reportUpwardUpdate,
  submitProgressUpdate,
  submitSummaryUpdate,
  type ProgressCycleStatus,
  type SubmitResult,
} from '../domain/steps/updates/progress-cycle.js';
import { progressCycleStatusQuery, reportUpwardUpdate, submitProgressUpdate, submitSummaryUpdate, type ProgressCycleStatus } from '../domain/steps/updates/progress-cycle.js';

function unitKindOf(policy: CountyPolicy): UnitKind {
  return policy.progressReport.reportingUnits === 'section' ? 'SECTION' : 'TOWNSHIP';
}

export async function progressReportCycle(input: ProgressCycleInput): Promise<ProgressCycleStatus> {
  const { workflowId } = workflowInfo();
  const expiresAtMs = Date.parse(input.expiresAt);
  const focusItems = input.policy.focusItems.map((f) => ({ code: f.code, title: f.title }));
  const state: ProgressCycleStatus = {
    workflowId,
    phase: 'opening',
    cycleId: null,
    expiresAt: input.expiresAt,
    units: [],
    submitted: [],
    notified: [],
    summary: null,
  };
  let units: CycleUnit[] = [];
  const accepted = new Set<number>();
  let pending = 0;
  // Phase summaries take the units' texts and are compiled for the office (added after the cycle shipped).
  const textSummary = input.kind === 'phase-summary' && patched('phase-summary-compiled');
  if (textSummary) {
    state.summaryMode = 'text';
    state.compiled = null;
    state.sentUpward = null;
    state.recipient = input.policy.phaseSummaries.find((p) => p.id === input.period)?.recipient ?? '上级部门';
  }

  setHandler(progressCycleStatusQuery, () => state);
  setHandler(
    submitProgressUpdate,
    async (args) => {
      const updateId = currentUpdateInfo()?.id;
      if (!updateId || state.cycleId === null) throw ApplicationFailure.nonRetryable('本期报送尚未开始');
      accepted.add(args.unitId);
      pending++;
      try {
        const late = Date.now() >= expiresAtMs;
        const r = await acts.recordSubmission({
          cycleId: state.cycleId,
          unitId: args.unitId,
          byStaffId: args.byStaffId,
          data: { items: args.items },
          updateId,
          submittedAt: new Date(Date.now()).toISOString(),
          late,
        });
        state.submitted.push({ unitId: args.unitId, late: r.late, updateId });
        return r;
      } finally {
        pending--;
      }
    },
    {
      validator: (args) => {
        const reason = checkProgressSubmission(args, {
          units,
          focusItems,
          submittedUnitIds: accepted,
          open: state.phase === 'collecting' || state.phase === 'aggregated',
        });
        if (reason) throw new Error(reason);
      },
      description: '报送本期进展情况（逐条填写各整治重点数据）',
    },
  );

  if (textSummary) {
    const record = async (unitId: number, byStaffId: number, data: unknown) => {
      const updateId = currentUpdateInfo()?.id;
      if (!updateId || state.cycleId === null) throw ApplicationFailure.nonRetryable('本期报送尚未开始');
      accepted.add(unitId);
      pending++;
      try {
        const r = await acts.recordSubmission({ cycleId: state.cycleId, unitId, byStaffId, data, updateId, submittedAt: new Date(Date.now()).toISOString(), late: Date.now() >= expiresAtMs });
        state.submitted.push({ unitId, late: r.late, updateId });
        return r;
      } finally {
        pending--;
      }
    };
    setHandler(submitSummaryUpdate, (args) => record(args.unitId, args.byStaffId, { text: args.text.trim() }), {
      validator: (args) => {
        const reason = checkSummarySubmission(args, { units, submittedUnitIds: accepted, open: (state.phase === 'collecting' || state.phase === 'aggregated') && !state.sentUpward });
        if (reason) throw new Error(reason);
      },
      description: '报送本单位阶段工作总结（文字）',
    });
    setHandler(
      reportUpwardUpdate,
      async (args) => {
        const updateId = currentUpdateInfo()?.id ?? `${workflowId}:sent`;
        const recordedAt = new Date(Date.now()).toISOString();
        const sentOn = args.sentOn ?? chinaDateOf(Date.now());
        state.sentUpward = { byStaffId: args.byStaffId, recipient: args.recipient.trim(), sentOn, recordedAt };
        return acts.recordSummarySent({ cycleId: state.cycleId!, updateId, byStaffId: args.byStaffId, recipient: args.recipient.trim(), sentOn, recordedAt });
      },
      {
        validator: (args) => {
          const reason = checkReportUpward(args, { compiled: !!state.compiled, alreadySent: !!state.sentUpward });
          if (reason) throw new Error(reason);
        },
        description: '登记阶段总结已上报（报送单位、日期）',
      },
    );
  }

  const openedAtMs = Date.now();
  const opened = await acts.openReportCycle({
    workflowId,
    countyRegionId: input.countyRegionId,
    kind: input.kind,
    period: input.period,
    periodStart: input.periodStart ?? null,
    periodEnd: input.periodEnd ?? null,
    dueAt: input.expiresAt,
    openedAt: new Date(openedAtMs).toISOString(),
    unitKind: unitKindOf(input.policy),
  });
  units = opened.units;
  for (const id of opened.submittedUnitIds) accepted.add(id);
  state.cycleId = opened.cycleId;
  state.units = units.map((u) => ({ id: u.id, name: u.name }));
  state.phase = 'collecting';
  const cycleId = opened.cycleId;
  const missing = () => units.filter((u) => !accepted.has(u.id));
  const text = (u: CycleUnit) => ({
    title: input.title,
    unitName: u.name,
    expiresAtMs,
    nowMs: Date.now(),
    ...(textSummary ? { instruction: '填写本单位工作总结（文字，点「报送工作总结」）' } : {}),
  });

  // The prompt: each unit's reporter, once.
  if (Date.now() < expiresAtMs) {
    const sentAt = new Date(Date.now()).toISOString();
    await forEachSideBySide(missing(), async (u) => {
      if (u.reporterStaffId === null) return;
      const dedupeKey = `${workflowId}:prompt:unit:${u.id}`;
      await acts.notify({ recipientStaffId: u.reporterStaffId, kind: 'report-prompt', text: cyclePromptText(text(u)), dedupeKey, workflowId, sentAt });
      state.notified.push(dedupeKey);
    });
  }

  const ladder = planLadder(workflowId, reminderSchedule(input.policy, input.due), escalationSchedule(input.policy, new Date(expiresAtMs)), openedAtMs);
  type Step = LadderEvent | { kind: 'aggregate'; key: string; atMs: number };
  const steps: Step[] = [...ladder, { kind: 'aggregate' as const, key: `${workflowId}:aggregate`, atMs: expiresAtMs }].sort(
    (a, b) => a.atMs - b.atMs || (a.kind === 'aggregate' ? -1 : b.kind === 'aggregate' ? 1 : 0),
  );
  const allIn = () => missing().length === 0 && pending === 0;
  const aggregatedAndAllIn = () => state.phase === 'aggregated' && allIn();

  const aggregate = async () => {
    await condition(() => pending === 0);
    const at = new Date(Date.now()).toISOString();
    const summary = await acts.summarizeProgressCycle({ cycleId, units, focusCodes: focusItems.map((f) => f.code), at, close: false });
    state.summary = summary;
    state.phase = 'aggregated';
    const team = await acts.taskForceStaff({ countyRegionId: input.countyRegionId });
    if (textSummary) {
      const key = `${workflowId}:compiled`;
      const c = await acts.compilePhaseSummary({ countyRegionId: input.countyRegionId, cycleId, period: input.period, title: input.title, units, policy: input.policy, at, dedupeKey: key });
      state.compiled = c.compiled;
      const recipient = team.office ?? team.leader;
      if (recipient !== null) {
        await acts.notify({
          recipientStaffId: recipient,
          kind: 'report-aggregate',
          text: compiledSummaryText(input.title, state.recipient ?? '上级部门', units, c.compiled.unitIds),
          dedupeKey: key,
          workflowId,
          sentAt: at,
          attachments: [c.attachment],
        });
        state.notified.push(key);
      }
      return;
    }
    if (team.office !== null) {
      const key = `${workflowId}:aggregate`;
      let text = aggregateText(input.title, deadlineText(expiresAtMs), focusItems, summary);
      let attachments: NotificationAttachment[] | undefined;
      // The statutory tables of the period go with the aggregate (added after the cycle shipped).
      if (patched('cycle-tables-attached')) {
        try {
          attachments = await tableActs.writeCycleTables({ countyRegionId: input.countyRegionId, kind: input.kind, period: input.period, policy: input.policy, dedupeKey: key });
          text += `\n附件：本期统计表${attachments.length}份（随后发送）。`;
        } catch {
          text += '\n本期统计表未能自动生成，请用“jiuzhu report”命令生成。';
        }
      }
      await acts.notify({
        recipientStaffId: team.office,
        kind: 'report-aggregate',
        text,
        dedupeKey: key,
        workflowId,
        sentAt: at,
        ...(attachments?.length ? { attachments } : {}),
      });
      state.notified.push(key);
    }
  };

  for (const step of steps) {
    const waitMs = step.atMs - Date.now();
    if (step.kind === 'aggregate') {
      if (textSummary) {
        // Compiled once every unit is in, or at the cut-off with what is in.
        if (waitMs > 0) await condition(allIn, waitMs);
      } else if (waitMs > 0) await sleep(waitMs);
      await aggregate();
      if (textSummary && allIn()) break;
      continue;
    }
    if (textSummary) {
      if (waitMs > 0) await condition(allIn, waitMs);
      if (allIn()) {
        if ((state.phase as ProgressCycleStatus['phase']) !== 'aggregated') await aggregate();
        break;
      }
    } else {
      if (waitMs > 0 && (await condition(aggregatedAndAllIn, waitMs))) break;
      if (aggregatedAndAllIn()) break;
    }
    const targets = missing();
    if (targets.length === 0) continue;
    const recipients = await acts.resolveCycleRecipients({ countyRegionId: input.countyRegionId, unitIds: targets.map((u) => u.id) });
    const sentAt = new Date(Date.now()).toISOString();
    await forEachSideBySide(targets, async (u) => {
      if (accepted.has(u.id)) return;
      const r = recipients.units[u.id];
      const recipient = step.kind === 'reminder' ? (r?.assignee ?? null) : (r?.[step.level] ?? null);
      if (recipient === null) return;
      const dedupeKey = `${step.key}:unit:${u.id}`;
      await acts.notify({
        recipientStaffId: recipient,
        kind: step.kind,
        text: step.kind === 'reminder' ? cycleReminderText(text(u)) : cycleEscalationText(text(u), step.label),
        dedupeKey,
        workflowId,
        sentAt,
      });
      state.notified.push(dedupeKey);
    });
  }

  // Late submissions are still taken until everyone has reported or the cycle closes.
  const lastMs = Math.max(expiresAtMs, ...steps.map((s) => s.atMs));
  const closeAtMs = lastMs + (input.closeAfterHours ?? 7 * 24) * 3_600_000;
  const remaining = closeAtMs - Date.now();
  // A phase summary stays open until the office records it as sent upward (or the cycle closes).
  if (remaining > 0) await condition(textSummary ? () => state.sentUpward !== null : allIn, remaining);
  await condition(() => pending === 0);
  state.phase = 'closed';
  state.summary = await acts.summarizeProgressCycle({
    cycleId,
    units,
    focusCodes: focusItems.map((f) => f.code),
    at: new Date(Date.now()).toISOString(),
    close: true,
  });
  await condition(allHandlersFinished);
  return state;
}
