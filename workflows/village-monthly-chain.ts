/**
 * Village monthly chain (长子: 村(居)委会每月20日前报乡镇, 乡镇每月25日前报县民政局;
 * only when `policy.villageMonthlyChain.enabled`). One run per county and month
 * (`village-chain:<county>:<YYYY-MM>`).
 *
 * open the cycle → prompt each village → Update `villageReport` (events:
 * employment, income change, large purchase, disaster, serious illness,
 * funeral, or nothing to report) → a funeral starts the death review of the
 * member found by ID number (its own workflow, natural-key id, joined when it
 * already runs); an income change writes a review item for the township
 * caseworker → Update `townshipSubmit` once all its villages reported →
 * reminders before each deadline and escalation after it, per unit, once each.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  currentUpdateInfo,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { CycleActivities } from '../activities/cycles.js';
import type { NotifyActivities } from '../activities/notify.js';
import { deathReviewWorkflowId } from '../domain/cases/ids.js';
import {
  checkTownshipSubmit,
  checkVillageReport,
  cycleEscalationText,
  cyclePromptText,
  cycleReminderText,
  type CycleUnit,
} from '../domain/cycles/index.js';
import { escalationSchedule, reminderSchedule } from '../domain/policy/compute.js';
import type { CountyPolicy } from '../domain/policy/schema.js';
import type { LocalDate } from '../domain/time/local-date.js';
import type { DeathReviewInput } from './death-review.js';
import { planLadder, type LadderEvent } from './escalation.js';
import { forEachSideBySide } from './notify-side-by-side.js';

const acts = proxyActivities<CycleActivities & NotifyActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

interface Deadline {
  due: LocalDate;
  /** ISO-8601 first late instant. */
  expiresAt: string;
}

export interface VillageChainInput {
  countyRegionId: number;
  /** 'YYYY-MM' */
  month: string;
  village: Deadline;
  township: Deadline;
  policy: CountyPolicy;
  /** Late reports are taken this long after the last escalation (default 3 days). */
  closeAfterHours?: number;
}

export { townshipSubmitUpdate, villageChainStatusQuery, villageReportUpdate, type VillageChainStatus } from '../domain/steps/updates/village-chain.js';
import { townshipSubmitUpdate, villageChainStatusQuery, villageReportUpdate, type VillageChainStatus } from '../domain/steps/updates/village-chain.js';

type Village = CycleUnit & { townshipUnitId: number | null };

export async function villageMonthlyChain(input: VillageChainInput): Promise<VillageChainStatus> {
  if (!input.policy.villageMonthlyChain.enabled) throw ApplicationFailure.nonRetryable('本县未启用村（居）月度报告链', 'ChainDisabled');
  const { workflowId } = workflowInfo();
  const villageExpiry = Date.parse(input.village.expiresAt);
  const townshipExpiry = Date.parse(input.township.expiresAt);
  const state: VillageChainStatus = {
    workflowId,
    phase: 'opening',
    cycleId: null,
    villages: [],
    townships: [],
    reported: [],
    deathReviewsStarted: [],
    funeralsNotFound: 0,
    reviewItems: [],
    notified: [],
  };
  let villages: Village[] = [];
  let townships: CycleUnit[] = [];
  const accepted = new Set<number>();
  let pending = 0;

  const record = async (unitId: number, byStaffId: number, data: unknown, expiresAtMs: number) => {
    const updateId = currentUpdateInfo()?.id;
    if (!updateId || state.cycleId === null) throw ApplicationFailure.nonRetryable('本月报告尚未开始');
    const late = Date.now() >= expiresAtMs;
    const r = await acts.recordSubmission({ cycleId: state.cycleId, unitId, byStaffId, data, updateId, submittedAt: new Date(Date.now()).toISOString(), late });
    state.reported.push({ unitId, late: r.late });
    return { r, updateId };
  };

  setHandler(villageChainStatusQuery, () => state);
  setHandler(
    villageReportUpdate,
    async (args) => {
      accepted.add(args.unitId);
      pending++;
      try {
        const events = args.nothingToReport ? [] : (args.events ?? []);
        const { r, updateId } = await record(args.unitId, args.byStaffId, { nothingToReport: args.nothingToReport === true, events }, villageExpiry);
        for (const [i, e] of events.entries()) {
          if (e.type === 'funeral' && e.idNumber !== undefined && e.date !== undefined) {
            const member = await acts.findMemberByIdNumber({ countyRegionId: input.countyRegionId, idNumber: e.idNumber });
            if (!member) {
              state.funeralsNotFound++;
              continue;
            }
            // Started as a workflow of its own (not a child): the review outlives the month's chain.
            // A review already running for this death (another source reported it) is joined.
            const childId = deathReviewWorkflowId(input.countyRegionId, member.memberId);
            const reviewInput: DeathReviewInput = { countyRegionId: input.countyRegionId, memberId: member.memberId, deathDate: e.date, source: '村报', policy: input.policy };
            await acts.startCycleRun({ workflowType: 'deathReview', workflowId: childId, args: [reviewInput] });
            state.deathReviewsStarted.push(childId);
          } else if (e.type === 'incomeChange') {
            const key = `${workflowId}:income:${updateId}:${i}`;
            await acts.recordIncomeChangeReview({ dedupeKey: key, workflowId, villageUnitId: args.unitId, event: e, sentAt: new Date(Date.now()).toISOString() });
            state.reviewItems.push(key);
          }
        }
        return r;
      } finally {
        pending--;
      }
    },
    {
      validator: (args) => {
        const reason = checkVillageReport(args, { open: state.phase === 'collecting', units: villages, submitted: accepted, month: input.month });
        if (reason) throw new Error(reason);
      },
      description: '村（居）委会报告本月就业、收入、大额消费、受灾、大病、丧葬等情况',
    },
  );
  setHandler(
    townshipSubmitUpdate,
    async (args) => {
      accepted.add(args.unitId);
      pending++;
      try {
        const { r } = await record(args.unitId, args.byStaffId, { verified: true, note: args.note ?? null, villages: villages.filter((v) => v.townshipUnitId === args.unitId).map((v) => v.id) }, townshipExpiry);
        return r;
      } finally {
        pending--;
      }
    },
    {
      validator: (args) => {
        const reason = checkTownshipSubmit(args, {
          open: state.phase === 'collecting',
          units: townships,
          submitted: accepted,
          pendingVillages: (t) => villages.filter((v) => v.townshipUnitId === t && !accepted.has(v.id)).map((v) => v.name),
        });
        if (reason) throw new Error(reason);
      },
      description: '乡镇核实本月村（居）报告并上报县民政局',
    },
  );

  const openedAtMs = Date.now();
  const opened = await acts.openVillageChain({
    workflowId,
    countyRegionId: input.countyRegionId,
    kind: 'village-chain',
    period: input.month,
    dueAt: input.village.expiresAt,
    townshipDueAt: input.township.expiresAt,
    openedAt: new Date(openedAtMs).toISOString(),
    unitKind: 'VILLAGE',
  });
  villages = opened.villages;
  townships = opened.townships;
  for (const id of opened.submittedUnitIds) accepted.add(id);
  state.cycleId = opened.cycleId;
  state.villages = villages.map((v) => ({ id: v.id, name: v.name, townshipUnitId: v.townshipUnitId }));
  state.townships = townships.map((t) => ({ id: t.id, name: t.name }));
  state.phase = 'collecting';

  const title = (group: 'village' | 'township') => (group === 'village' ? `${input.month}村（居）月度报告` : `${input.month}乡镇核实上报`);
  const ctx = (u: CycleUnit, group: 'village' | 'township') => ({
    title: title(group),
    unitName: u.name,
    expiresAtMs: group === 'village' ? villageExpiry : townshipExpiry,
    nowMs: Date.now(),
  });

  if (Date.now() < villageExpiry) {
    const sentAt = new Date(Date.now()).toISOString();
    await forEachSideBySide(villages, async (v) => {
      if (v.reporterStaffId === null || accepted.has(v.id)) return;
      const dedupeKey = `${workflowId}:prompt:unit:${v.id}`;
      await acts.notify({ recipientStaffId: v.reporterStaffId, kind: 'report-prompt', text: cyclePromptText({ ...ctx(v, 'village'), instruction: '逐项报告就业、收入变化、大额消费、受灾、大病、丧葬等情况，无事项也须报告' }), dedupeKey, workflowId, sentAt });
      state.notified.push(dedupeKey);
    });
  }

  type Step = { group: 'village' | 'township'; event: LadderEvent };
  const plan = (group: 'village' | 'township', d: Deadline): Step[] =>
    planLadder(`${workflowId}:${group}`, reminderSchedule(input.policy, d.due), escalationSchedule(input.policy, new Date(Date.parse(d.expiresAt))), openedAtMs).map((event) => ({ group, event }));
  const steps = [...plan('village', input.village), ...plan('township', input.township)].sort((a, b) => a.event.atMs - b.event.atMs);
  const missing = (group: 'village' | 'township'): CycleUnit[] => (group === 'village' ? villages : townships).filter((u) => !accepted.has(u.id));
  const allIn = () => missing('village').length === 0 && missing('township').length === 0 && pending === 0;

  for (const { group, event } of steps) {
    const waitMs = event.atMs - Date.now();
    if (waitMs > 0 && (await condition(allIn, waitMs))) break;
    if (allIn()) break;
    const targets = missing(group);
    if (targets.length === 0) continue;
    const ids = [...targets.map((u) => u.id), ...townships.map((t) => t.id)];
    const recipients = await acts.resolveCycleRecipients({ countyRegionId: input.countyRegionId, unitIds: ids });
    const sentAt = new Date(Date.now()).toISOString();
    await forEachSideBySide(targets, async (u) => {
      if (accepted.has(u.id)) return;
      const r = recipients.units[u.id];
      let recipient: number | null;
      if (event.kind === 'reminder') recipient = r?.assignee ?? null;
      else if (event.level === 'unitHead' && group === 'village') {
        // A village's "unit head" is its township's head.
        const t = (u as Village).townshipUnitId;
        recipient = r?.unitHead ?? (t === null ? null : (recipients.units[t]?.unitHead ?? null));
      } else recipient = r?.[event.level] ?? null;
      if (recipient === null) return;
      const dedupeKey = `${event.key}:unit:${u.id}`;
      await acts.notify({
        recipientStaffId: recipient,
        kind: event.kind,
        text: event.kind === 'reminder' ? cycleReminderText(ctx(u, group)) : cycleEscalationText(ctx(u, group), event.label),
        dedupeKey,
        workflowId,
        sentAt,
      });
      state.notified.push(dedupeKey);
    });
  }

  const lastMs = Math.max(townshipExpiry, ...steps.map((s) => s.event.atMs));
  const remaining = lastMs + (input.closeAfterHours ?? 72) * 3_600_000 - Date.now();
  if (remaining > 0) await condition(allIn, remaining);
  await condition(() => pending === 0);
  state.phase = 'closed';
  await acts.summarizeProgressCycle({
    cycleId: opened.cycleId,
    units: [...villages, ...townships],
    focusCodes: [],
    at: new Date(Date.now()).toISOString(),
    close: true,
  });
  await condition(allHandlersFinished);
  return state;
}
