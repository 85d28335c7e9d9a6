/**
 * Four weeks of a small county's campaign on the time-skipping server. The
 * test plays the Temporal Schedules (the Java test server has none): every
 * day at each kind's tick time it starts `cycleTick`, exactly as the schedule
 * action would. The ticks open the progress cycle, the phase summary, the
 * village chain, the payment watch and the daily digests; people act at
 * fixed instants in between. Then every notification is checked: once per
 * key, to the right person, at the right Asia/Shanghai instant.
 */
import { describe, expect, it, inject } from 'vitest';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { TICK_TIMES } from '../../services/schedules.js';
import {
  dailyDigestWorkflowId,
  digestDue,
  paymentWatchesToOpen,
  phaseSummaryToOpen,
  phaseSummaryWorkflowId,
  progressCycleToOpen,
  progressCycleWorkflowId,
  villageChainWorkflowId,
  type CycleKind,
} from '../../domain/cycles/index.js';
import { deathReviewWorkflowId } from '../../domain/cases/ids.js';
import { paymentDeadline, villageChainDueDates } from '../../domain/policy/compute.js';
import { testCalendar } from '../support/clock.js';
import { cycleTick } from '../../workflows/cycle-tick.js';
import { submitProgressUpdate } from '../../workflows/progress-report-cycle.js';
import { townshipSubmitUpdate, villageReportUpdate } from '../../workflows/village-monthly-chain.js';
import { useTemporalTestContext, connectTimeSkipping, createTestWorker, testDataConverter, uniqueTaskQueue } from '../support/temporal.js';
import { freshIdNumber } from '../support/ids.js';
import { DAY, HOUR, addDays, chinaDate, chinaInstantMs, eventually, monthOf } from './fixtures/death-review.js';
import { createCycleFixture, progressItems } from './fixtures/cycles.js';
import { loadPolicy, presetInputs } from '../../domain/policy/load.js';
import type { CountyPolicy, CountyPolicyInput } from '../../domain/policy/schema.js';

const MINUTE = 60_000;

/** 长子 with a campaign from the 1st of `start`'s month for three months; phase summaries 21 and 52 days after `start`. */
function campaignPolicy(start: string): CountyPolicy {
  const input = structuredClone(presetInputs.zhangzi) as CountyPolicyInput;
  const windowEnd = addDays(`${monthOf(start, 3)}-01`, -1);
  input.campaign = { ...input.campaign, window: { start: `${monthOf(start)}-01`, end: windowEnd }, phases: [] };
  input.progressReport = { ...input.progressReport, firstDue: undefined };
  input.phaseSummaries = [
    { id: 'phase', title: '阶段性整治进展情况', due: addDays(start, 21), inclusive: true, submittedBy: '各乡镇（服务中心）', recipient: '工作专班' },
    { id: 'final', title: '重点问题整治工作情况总结', due: addDays(start, 52), inclusive: true, submittedBy: '各乡镇（服务中心）', recipient: '工作专班' },
  ];
  return loadPolicy(input, '测试配置');
}
const KINDS: CycleKind[] = ['payment-watch', 'progress', 'phase-summary', 'village-chain', 'daily-digest'];

function expectAt(actual: Date | undefined, expected: number, what: string) {
  expect(actual, what).toBeDefined();
  expect(actual!.getTime(), what).toBeGreaterThanOrEqual(expected);
  expect(actual!.getTime(), what).toBeLessThan(expected + MINUTE);
}

describe('a campaign month of a small county (time-skipping server)', () => {
  const ctx = useTemporalTestContext(connectTimeSkipping);
  const { prisma } = ctx;

  it('runs every cycle from the ticks: each deadline, reminder, escalation, alert and digest once, on time, to the right person', async () => {
    // The run: from the next Shanghai midnight until the day after the township deadline of next month's
    // chain. The campaign covers it, whatever the tests' clock says (test/support/clock.ts).
    const start = addDays(chinaDate(await ctx.env.currentTimeMs()), 1);
    const thisMonth = monthOf(start);
    const chainMonth = monthOf(start, 1);
    const policy = campaignPolicy(start);
    const calendar = testCalendar();
    const calendarData = calendar.sliceData(Number(start.slice(0, 4)), Number(policy.campaign.window.end.slice(0, 4)));
    const fx = await createCycleFixture(prisma, { townships: 2, villagesPerTownship: 2 });
    const [A, B] = fx.townships as [(typeof fx.townships)[0], (typeof fx.townships)[0]];
    const [a1, a2] = A.villages as [(typeof A.villages)[0], (typeof A.villages)[0]];

    // A 低保 household in each township: A's December payment never arrives, B's is short.
    const household = async (villageRegionId: number, name: string) => {
      const idNumber = freshIdNumber();
      const h = await prisma.household.create({ data: { regionId: villageRegionId, headName: name, headIdNumber: idNumber } });
      const m = await prisma.member.create({ data: { householdId: h.id, name, idNumber, relationToHead: '本人' } });
      const e = await prisma.enrolment.create({ data: { householdId: h.id, kind: 'RURAL_DIBAO', monthlyAmount: 500, startDate: new Date(`${thisMonth}-01`) } });
      await prisma.payment.create({
        data: { enrolmentId: e.id, householdId: h.id, period: thisMonth, dueDate: new Date(`${thisMonth}-10`), amountDue: 500, amountPaid: 500, paidDate: new Date(`${thisMonth}-06`), payeeKind: 'HOUSEHOLD', payeeName: name },
      });
      return { householdId: h.id, enrolmentId: e.id, memberId: m.id, idNumber };
    };
    const hA = await household(a1.regionId, '张大伯');
    const hB = await household(fx.townships[1]!.villages[0]!.regionId, '李大妈');
    await prisma.payment.create({
      data: { enrolmentId: hB.enrolmentId, householdId: hB.householdId, period: chainMonth, dueDate: new Date(`${chainMonth}-10`), amountDue: 500, amountPaid: 300, paidDate: new Date(`${chainMonth}-08`), payeeKind: 'HOUSEHOLD', payeeName: '李大妈' },
    });
    // A second member in A's household: the one who dies (so the household's payments are not held).
    const deceasedId = freshIdNumber();
    // A filing sent back to township A's head for more information: it is in the head's digest.
    await prisma.nearRelativeFiling.create({ data: { staffId: A.head, relativeIdNumber: freshIdNumber(), relativeName: '张小妹', relation: 'sibling', status: 'MORE_INFO_REQUESTED' } });
    const deceased = await prisma.member.create({ data: { householdId: hA.householdId, name: '张大娘', idNumber: deceasedId, relationToHead: '配偶' } });

    await ctx.env.sleep(chinaInstantMs(start, '00:00') - (await ctx.env.currentTimeMs()));

    const progress = progressCycleToOpen(policy, start)!;
    const progressId = progressCycleWorkflowId(fx.countyId, progress.nominal);
    const expiry = progress.expiresAt.getTime();
    const phase = phaseSummaryToOpen(policy, start, calendar)!;
    const phaseId = phaseSummaryWorkflowId(fx.countyId, phase.id);
    const chain = villageChainDueDates(policy, chainMonth)!;
    const chainId = villageChainWorkflowId(fx.countyId, chainMonth);
    const pay = paymentDeadline(policy, 'dibao', chainMonth);
    expect(pay.due).toBe(`${chainMonth}-10`);
    const end = addDays(chain.township.due, 1);

    type Action = { at: number; what: string; run: () => Promise<void> };
    const taskQueue = uniqueTaskQueue('campaign');
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    const client = ctx.env.client;
    const ticks: Action[] = [];
    for (let d = start; d <= end; d = addDays(d, 1)) {
      for (const kind of KINDS) {
        const { hour, minute } = TICK_TIMES[kind];
        const at = chinaInstantMs(d, `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`);
        ticks.push({
          at,
          what: `tick ${kind} ${d}`,
          run: async () => {
            const h = await client.workflow.start(cycleTick, { taskQueue, workflowId: `tick:${fx.countyId}:${kind}:${d}`, args: [{ countyRegionId: fx.countyId, kind, policy, calendarData }] });
            // Poll (a result() wait would let the server skip time).
            await eventually(async () => ((await h.describe()).status.name === 'COMPLETED' ? true : null));
          },
        });
      }
    }
    const people: Action[] = [
      {
        // Township A reports the progress cycle on time, right after it opened (before any reminder).
        at: chinaInstantMs(start, '07:05'),
        what: 'A submits progress',
        run: async () => {
          await client.workflow.getHandle(progressId).executeUpdate(submitProgressUpdate, { args: [{ unitId: A.unitId, byStaffId: A.reporter, items: progressItems(policy, 1) }], updateId: 'evt-a-progress' });
        },
      },
      {
        // Township B reports after the unit-head escalation: accepted, marked late.
        at: expiry + 24 * HOUR + 2 * HOUR,
        what: 'B submits progress late',
        run: async () => {
          const r = await client.workflow.getHandle(progressId).executeUpdate(submitProgressUpdate, { args: [{ unitId: B.unitId, byStaffId: B.reporter, items: progressItems(policy, 3) }], updateId: 'evt-b-progress' });
          expect(r.late).toBe(true);
        },
      },
      {
        at: chinaInstantMs(addDays(chain.village.due, -5), '10:00'),
        what: 'village a1 reports a funeral',
        run: async () => {
          await client.workflow.getHandle(chainId).executeUpdate(villageReportUpdate, {
            args: [{ unitId: a1.unitId, byStaffId: a1.reporter, events: [{ type: 'funeral', idNumber: deceasedId, name: '张大娘', date: addDays(chain.village.due, -8) }] }],
            updateId: 'evt-a1-village',
          });
        },
      },
      {
        at: chinaInstantMs(addDays(chain.village.due, -4), '10:00'),
        what: 'village a2 reports an income change',
        run: async () => {
          await client.workflow.getHandle(chainId).executeUpdate(villageReportUpdate, {
            args: [{ unitId: a2.unitId, byStaffId: a2.reporter, events: [{ type: 'incomeChange', idNumber: hA.idNumber, name: '张大伯', note: '外出务工，月收入约3000元' }] }],
            updateId: 'evt-a2-village',
          });
        },
      },
      {
        at: chinaInstantMs(addDays(chain.village.due, -3), '10:00'),
        what: 'refused chain updates',
        run: async () => {
          const h = client.workflow.getHandle(chainId);
          const refused = async (p: Promise<unknown>) => {
            try {
              await p;
            } catch (error) {
              expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
              return (error as WorkflowUpdateFailedError).cause?.message ?? '';
            }
            throw new Error('accepted');
          };
          const before = await prisma.reportSubmission.count({ where: { cycle: { workflowId: chainId } } });
          expect(await refused(h.executeUpdate(townshipSubmitUpdate, { args: [{ unitId: B.unitId, byStaffId: B.head }], updateId: 'bad-b' }))).toContain('尚未报告，暂不能核实上报');
          expect(await refused(h.executeUpdate(villageReportUpdate, { args: [{ unitId: a1.unitId, byStaffId: a1.reporter, nothingToReport: true }], updateId: 'bad-a1' }))).toContain('不能重复报告');
          expect(await refused(h.executeUpdate(villageReportUpdate, { args: [{ unitId: B.villages[0]!.unitId, byStaffId: a1.reporter, nothingToReport: true }], updateId: 'bad-x' }))).toContain('无权');
          expect(await prisma.reportSubmission.count({ where: { cycle: { workflowId: chainId } } })).toBe(before);
        },
      },
      {
        at: chinaInstantMs(addDays(chain.village.due, 1), '10:00'),
        what: 'township A verifies and submits',
        run: async () => {
          await client.workflow.getHandle(chainId).executeUpdate(townshipSubmitUpdate, { args: [{ unitId: A.unitId, byStaffId: A.head }], updateId: 'evt-a-township' });
        },
      },
    ];
    const agenda = [...ticks, ...people].sort((x, y) => x.at - y.at);

    // Runs still waiting on timers when the test ends would stall the shared time-skipping clock for the
    // next test file (a due workflow task with no worker stops time skipping): terminate them at the end.
    const cleanup = async () => {
      const ids = new Set((await prisma.reportCycle.findMany({ where: { countyRegionId: fx.countyId }, select: { workflowId: true } })).map((c) => c.workflowId));
      for (let d = start; d <= addDays(start, 60); d = addDays(d, 1)) for (const p of paymentWatchesToOpen(policy, d)) ids.add(`payment-watch:${fx.countyId}:${p.kind}:${p.periodMonth}`);
      ids.add(deathReviewWorkflowId(fx.countyId, deceased.id));
      for (const id of ids) {
        const h = client.workflow.getHandle(id);
        const running = await h.describe().then((d) => d.status.name === 'RUNNING', () => false);
        if (running) await h.terminate('end of the campaign-month test');
      }
    };
    try {
      await worker.runUntil(async () => {
        for (const action of agenda) {
          const wait = action.at - (await ctx.env.currentTimeMs());
          if (wait > 0) await ctx.env.sleep(wait);
          await action.run().catch((error: unknown) => {
            throw new Error(`${action.what}: ${(error as Error).message}`, { cause: error });
          });
        }
        // Let the last timers of the day fire and the activities finish.
        await ctx.env.sleep(HOUR);
        await eventually(() => prisma.notification.findFirst({ where: { dedupeKey: `${chainId}:township:escalation:assignee:unit:${B.unitId}` } }));
      });

      const rows = await prisma.notification.findMany({
        where: { OR: [{ workflowId: { in: [progressId, phaseId, chainId] } }, { dedupeKey: { startsWith: `digest:${fx.countyId}:` } }, { dedupeKey: { startsWith: `payment-watch:${fx.countyId}:` } }] },
        orderBy: { id: 'asc' },
      });
      const byKey = new Map(rows.map((r) => [r.dedupeKey, r]));
      const get = (key: string) => {
        const r = byKey.get(key);
        expect(r, key).toBeDefined();
        return r!;
      };
      const absent = (key: string) => expect(byKey.has(key), key).toBe(false);

      // ---- progress cycle: reminders for B only, escalation assignee → head, B late, aggregate lists B.
      const firstTick = chinaInstantMs(start, '07:00');
      expectAt(get(`${progressId}:prompt:unit:${A.unitId}`).sentAt, firstTick, 'prompt A');
      expect(get(`${progressId}:prompt:unit:${B.unitId}`).recipientStaffId).toBe(B.reporter);
      for (const d of [7, 3, 1, 0]) {
        const at = chinaInstantMs(addDays(progress.due, -d), '09:00');
        const key = `${progressId}:reminder:${d}:unit:${B.unitId}`;
        if (at < firstTick) absent(key);
        else {
          expect(get(key).recipientStaffId).toBe(B.reporter);
          expectAt(get(key).sentAt, at, key);
        }
        absent(`${progressId}:reminder:${d}:unit:${A.unitId}`);
      }
      const esc = (level: string) => `${progressId}:escalation:${level}:unit:${B.unitId}`;
      expect(get(esc('assignee')).recipientStaffId).toBe(B.reporter);
      expectAt(get(esc('assignee')).sentAt, expiry, 'escalation assignee');
      expect(get(esc('unitHead')).recipientStaffId).toBe(B.head);
      expectAt(get(esc('unitHead')).sentAt, expiry + DAY, 'escalation head');
      absent(esc('taskForceDeputy'));
      absent(esc('taskForceLeader'));
      const agg = get(`${progressId}:aggregate`);
      expect(agg.recipientStaffId).toBe(fx.office);
      expectAt(agg.sentAt, expiry, 'aggregate');
      expect(agg.text).toContain(`未报单位：${B.name}`);
      const subs = await prisma.reportSubmission.findMany({ where: { cycle: { workflowId: progressId } }, orderBy: { id: 'asc' } });
      expect(subs.map((s) => [s.unitId, s.late])).toEqual([[A.unitId, false], [B.unitId, true]]);
      expect((await prisma.reportCycle.findUniqueOrThrow({ where: { workflowId: progressId } })).closedAt).not.toBeNull();

      // The next progress cycle opened the morning after the cut-off day, not before.
      const next = progressCycleToOpen(policy, addDays(progress.due, 1))!;
      const nextCycle = await prisma.reportCycle.findUniqueOrThrow({ where: { workflowId: progressCycleWorkflowId(fx.countyId, next.nominal) } });
      expectAt(nextCycle.openedAt, chinaInstantMs(addDays(progress.due, 1), '07:00'), 'next cycle opened');
      const opened = new Set<string>();
      for (let d = start; d <= end; d = addDays(d, 1)) opened.add(progressCycleToOpen(policy, d)!.nominal);
      expect(opened.size).toBeGreaterThanOrEqual(2);
      expect(await prisma.reportCycle.count({ where: { countyRegionId: fx.countyId, kind: 'progress' } })).toBe(opened.size);

      // ---- phase summary: opened by the first tick, nobody reports; the ladder reaches the 专班 leader.
      const phaseExpiry = phase.expiresAt.getTime();
      expectAt(get(`${phaseId}:prompt:unit:${B.unitId}`).sentAt, chinaInstantMs(start, '07:10'), 'phase prompt');
      // Nobody sent a text: the office gets the compiled document at the cut-off, every unit marked missing.
      expect(get(`${phaseId}:compiled`).text).toContain(`未报送：${A.name}、${B.name}`);
      expectAt(get(`${phaseId}:compiled`).sentAt, phaseExpiry, 'phase compiled');
      for (const [level, hours, who] of [['assignee', 0, B.reporter], ['unitHead', 24, B.head], ['taskForceDeputy', 48, fx.leader], ['taskForceLeader', 72, fx.leader]] as const) {
        const key = `${phaseId}:escalation:${level}:unit:${B.unitId}`;
        if (phaseExpiry + hours * HOUR > chinaInstantMs(end, '09:00')) continue;
        expect(get(key).recipientStaffId).toBe(who);
        expectAt(get(key).sentAt, phaseExpiry + hours * HOUR, key);
      }

      // ---- village chain: opened on the 1st; funeral → death review; income change → review item.
      const chainRow = await prisma.reportCycle.findUniqueOrThrow({ where: { workflowId: chainId } });
      expectAt(chainRow.openedAt, chinaInstantMs(`${chainMonth}-01`, '07:20'), 'chain opened');
      const review = await prisma.case.findUniqueOrThrow({ where: { workflowId: deathReviewWorkflowId(fx.countyId, deceased.id) } });
      expect(review).toMatchObject({ kind: 'DEATH_REVIEW', status: 'OPEN', assigneeStaffId: A.reporter });
      const item = rows.find((r) => r.kind === 'reviewItem') ?? (await prisma.notification.findFirstOrThrow({ where: { workflowId: chainId, kind: 'reviewItem' } }));
      expect(item.recipientStaffId).toBe(A.reporter);
      expect(item.text).toContain('收入变化');
      expect(item.text).not.toContain(hA.idNumber);
      expect(await prisma.auditEntry.count({ where: { action: 'village.income-change-review', subjectId: String(a2.unitId) } })).toBe(1);
      const villageExpiry = chain.village.expiresAt.getTime();
      for (const v of B.villages) {
        expectAt(get(`${chainId}:village:reminder:1:unit:${v.unitId}`).sentAt, chinaInstantMs(addDays(chain.village.due, -1), '09:00'), 'village reminder');
        expectAt(get(`${chainId}:village:escalation:assignee:unit:${v.unitId}`).sentAt, villageExpiry, 'village escalation');
        // A village's unit head is its township's head.
        expect(get(`${chainId}:village:escalation:unitHead:unit:${v.unitId}`).recipientStaffId).toBe(B.head);
      }
      for (const v of A.villages) absent(`${chainId}:village:reminder:1:unit:${v.unitId}`);
      absent(`${chainId}:township:escalation:assignee:unit:${A.unitId}`);
      expectAt(get(`${chainId}:township:escalation:assignee:unit:${B.unitId}`).sentAt, chain.township.expiresAt.getTime(), 'township escalation');

      // ---- payment watch: after the 10th, one alert per township, no ID numbers, and the 专班 summary.
      const watchId = `payment-watch:${fx.countyId}:dibao:${chainMonth}`;
      const alertA = get(`${watchId}:township:${A.regionId}`);
      const alertB = get(`${watchId}:township:${B.regionId}`);
      expect(alertA.recipientStaffId).toBe(A.reporter);
      expect(alertB.recipientStaffId).toBe(B.reporter);
      expectAt(alertA.sentAt, pay.expiresAt.getTime(), 'payment alert');
      expect(alertA.text).toContain('未按时足额发放（逾期未发）1户，涉及500.00元');
      expect(alertB.text).toContain('少发1户，涉及200.00元');
      const summary = get(`${watchId}:summary`);
      expect(summary.recipientStaffId).toBe(fx.office);
      for (const t of [alertA.text, alertB.text, summary.text]) {
        expect(t).not.toContain(hA.idNumber);
        expect(t).not.toContain(hB.idNumber);
      }

      // ---- digests: on every working day at 08:30, one per person with open items, none otherwise.
      const digests = rows.filter((r) => r.kind === 'digest');
      const workingDays: string[] = [];
      for (let d = start; d <= end; d = addDays(d, 1)) if (digestDue(policy, d, calendar).due) workingDays.push(d);
      for (const r of digests) {
        const date = r.dedupeKey.split(':')[2]!;
        expect(workingDays).toContain(date);
        expectAt(r.sentAt, chinaInstantMs(date, '08:30'), r.dedupeKey);
        expect([fx.office, fx.leader, fx.outsider]).not.toContain(r.recipientStaffId);
      }
      // B's reporter always has something open (the phase summary is never sent): a digest each working day.
      const bDates = digests.filter((r) => r.recipientStaffId === B.reporter).map((r) => r.dedupeKey.split(':')[2]);
      expect(bDates).toEqual(workingDays);
      expect(digests.filter((r) => r.workflowId === dailyDigestWorkflowId(fx.countyId, workingDays[0]!) && r.recipientStaffId === B.reporter)).toHaveLength(1);
      // Least time left first: the progress report (due first) before the phase summary.
      const firstB = digests.find((r) => r.recipientStaffId === B.reporter)!;
      expect(firstB.text.indexOf('进展情况报告')).toBeGreaterThan(-1);
      expect(firstB.text.indexOf('进展情况报告')).toBeLessThan(firstB.text.indexOf('阶段总结'));
      // After A reported the progress cycle, A's digest no longer lists it.
      const aDay3 = digests.find((r) => r.recipientStaffId === A.reporter && r.dedupeKey.split(':')[2]! > addDays(start, 1));
      expect(aDay3?.text ?? '').not.toContain(`进展情况报告（${progress.nominal}）`);

      // The death review opened by the funeral report is in A's caseworker's digest from the next working day on.
      const reviewOpened = review.openedAt.getTime();
      const withReview = digests.filter((r) => r.recipientStaffId === A.reporter && r.sentAt.getTime() > reviewOpened);
      expect(withReview.length).toBeGreaterThan(0);
      for (const r of withReview) expect(r.text).toContain('死亡核查');
      // The head's filing stays open: a digest every working day, and it has no deadline.
      const headDigests = digests.filter((r) => r.recipientStaffId === A.head);
      expect(headDigests.map((r) => r.dedupeKey.split(':')[2])).toEqual(workingDays);
      expect(headDigests[0]!.text).toContain('近亲属备案：请补充材料');
      expect(headDigests[0]!.text).toContain('无期限');

      // Every kind of run replays with the current workflow code.
      for (const id of [progressId, phaseId, chainId, watchId, dailyDigestWorkflowId(fx.countyId, workingDays[0]!), `tick:${fx.countyId}:progress:${start}`]) {
        await Worker.runReplayHistory(
          { workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: testDataConverter },
          await client.workflow.getHandle(id).fetchHistory(),
          id,
        );
      }
    } finally {
      await cleanup();
    }
  }, 600_000);
});
