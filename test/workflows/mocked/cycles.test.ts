// The reporting cycles with mocked activities: daily digest (每日待办), progress-report cycle (进展情况报告) and
// village monthly chain (村（居）月度报告链) on the time-skipping server, no database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CycleActivities, CycleRecipients } from '../../../activities/cycles.js';
import type { CycleTableActivities } from '../../../activities/cycle-tables.js';
import type { NotifyActivities } from '../../../activities/notify.js';
import { deathReviewWorkflowId } from '../../../domain/cases/ids.js';
import { digestText, type CycleSummary, type CycleUnit, type DigestItem, type ProgressItem } from '../../../domain/cycles/index.js';
import { escalationSchedule, reminderSchedule } from '../../../domain/policy/compute.js';
import { presets } from '../../../domain/policy/load.js';
import type { EscalationLevel } from '../../../domain/policy/schema.js';
import { progressCycleStatusQuery, submitProgressUpdate } from '../../../domain/steps/updates/progress-cycle.js';
import { townshipSubmitUpdate, villageChainStatusQuery, villageReportUpdate } from '../../../domain/steps/updates/village-chain.js';
import { endOfChinaDay } from '../../../domain/time/instants.js';
import { addCalendarDays, type LocalDate } from '../../../domain/time/local-date.js';
import type { dailyDigest } from '../../../workflows/daily-digest.js';
import type { progressReportCycle } from '../../../workflows/progress-report-cycle.js';
import type { villageMonthlyChain } from '../../../workflows/village-monthly-chain.js';
import { beijingDateOf } from '../../../domain/cases/clock.js';
import { freshIdNumber } from '../../support/ids.js';
import { connectTimeSkipping } from '../../support/temporal.js';
import { callArgs, completedResult, mockActivities, mockedWorker, orTerminate, refusal, until } from './support.js';

const policy = presets.zhangzi;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const OFFICE = 90;
const LEADER = 91;
const focusCodes = policy.focusItems.map((f) => f.code);
const zeroItem: ProgressItem = { found: 0, households: 0, amount: 0, rectified: 0, recovered: 0, cluesTransferred: 0, heldAccountable: 0 };
const allZero = () => Object.fromEntries(focusCodes.map((c) => [c, { ...zeroItem }]));

/** Who holds each level for a unit: its reporter (or head) as assignee, its head, then the county's 专班. */
function ladderOf(u: CycleUnit): Record<EscalationLevel, number | null> {
  return { assignee: u.reporterStaffId ?? u.headStaffId, unitHead: u.headStaffId, taskForceOffice: OFFICE, taskForceDeputy: null, taskForceLeader: LEADER };
}

/** Keys the ladder (reminders before `due`, escalations after `expiresAt`) sends to each unit that has a recipient at that level. */
function ladderKeys(prefix: string, due: LocalDate, expiresAt: Date, units: Array<{ id: number; levels: Record<EscalationLevel, number | null> }>): string[] {
  const out: string[] = [];
  for (const r of reminderSchedule(policy, due)) for (const u of units) if (u.levels.assignee !== null) out.push(`${prefix}:reminder:${r.daysBefore}:unit:${u.id}`);
  for (const s of escalationSchedule(policy, expiresAt)) for (const u of units) if (u.levels[s.level] !== null) out.push(`${prefix}:escalation:${s.level}:unit:${u.id}`);
  return out;
}

describe('reporting cycles, mocked activities (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await connectTimeSkipping();
  });
  afterAll(async () => {
    await env?.teardown();
  });
  let seq = 0;

  describe('daily digest', () => {
    type Acts = Pick<CycleActivities, 'collectDigestItems'> & Pick<NotifyActivities, 'notify'>;
    it('one message per staff member with open items, least time left first; nobody with nothing open; the date defaults to workflow today', async () => {
      const now = await env.currentTimeMs();
      const items: Record<number, DigestItem[]> = {
        7: [{ kind: 'filing', ref: 'f-1', title: '近亲属备案待审批', dueAt: null }],
        5: [
          { kind: 'case', ref: 'c-1', title: '死亡核查', dueAt: new Date(now + 10 * DAY).toISOString() },
          { kind: 'report', ref: 'r-1', title: '进展情况报告', dueAt: new Date(now + 2 * DAY).toISOString() },
        ],
        6: [],
      };
      const acts = mockActivities<Acts>({ collectDigestItems: async () => items, notify: async () => ({ notificationId: 1, created: true }) });
      const { worker, taskQueue } = await mockedWorker(env, 'dd-mocked', acts);
      const [byDefault, byDate] = await worker.runUntil(async () => {
        const start = (date?: string) =>
          env.client.workflow.start<typeof dailyDigest>('dailyDigest', { taskQueue, workflowId: `daily-digest:1:${seq++}:${taskQueue}`, args: [{ countyRegionId: 1, ...(date ? { date } : {}) }] });
        const a = await start();
        const ra = await completedResult(env, a);
        const b = await start('2031-02-03');
        return [ra, await completedResult(env, b)];
      });
      const today = beijingDateOf(now);
      expect(byDefault).toEqual({ date: today, sent: [5, 7] });
      expect(byDate).toEqual({ date: '2031-02-03', sent: [5, 7] });
      const calls = callArgs(acts.notify);
      expect(calls.map((n) => [n.recipientStaffId, n.dedupeKey, n.kind])).toEqual(
        expect.arrayContaining([
          [5, `digest:1:${today}:staff:5`, 'digest'],
          [7, `digest:1:${today}:staff:7`, 'digest'],
          [5, 'digest:1:2031-02-03:staff:5', 'digest'],
          [7, 'digest:1:2031-02-03:staff:7', 'digest'],
        ]),
      );
      expect(calls).toHaveLength(4);
      const five = calls.find((n) => n.dedupeKey === `digest:1:${today}:staff:5`)!;
      // The text the domain writes for the workflow's own now, the nearer deadline first.
      expect(five.text).toBe(digestText(today, items[5]!, Date.parse(five.sentAt)));
      expect(five.text.indexOf('进展情况报告')).toBeLessThan(five.text.indexOf('死亡核查'));
      expect(Math.abs(Date.parse(five.sentAt) - now)).toBeLessThan(60_000);
    });
  });

  describe('progress-report cycle', () => {
    type Acts = Pick<CycleActivities, 'openReportCycle' | 'recordSubmission' | 'resolveCycleRecipients' | 'summarizeProgressCycle' | 'taskForceStaff'> &
      Pick<CycleTableActivities, 'writeCycleTables'> &
      Pick<NotifyActivities, 'notify'>;
    type Handle = WorkflowHandle<typeof progressReportCycle>;
    const units: CycleUnit[] = [
      { id: 1, name: '城关镇', reporterStaffId: 11, headStaffId: 12 },
      { id: 2, name: '丹朱镇', reporterStaffId: 21, headStaffId: 22 },
      { id: 3, name: '宋村乡', reporterStaffId: null, headStaffId: 32 },
    ];
    const attachment = { path: 'reports/1/progress/x/附件1.xlsx', fileName: '附件1.xlsx', mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' };

    function activities(tables: 'ok' | 'fail') {
      const submitted: CycleSummary['submitted'] = [];
      return mockActivities<Acts>({
        openReportCycle: async () => ({ cycleId: 501, units, submittedUnitIds: [] }),
        recordSubmission: async (i) => {
          submitted.push({ unitId: i.unitId, name: units.find((u) => u.id === i.unitId)!.name, late: i.late });
          return { submissionId: 600 + i.unitId, late: i.late };
        },
        resolveCycleRecipients: async (i) => ({ units: Object.fromEntries(i.unitIds.map((id) => [id, ladderOf(units.find((u) => u.id === id)!)])), office: OFFICE, leader: LEADER }) satisfies CycleRecipients,
        summarizeProgressCycle: async (i) => ({
          at: i.at,
          expected: i.units.length,
          submitted: [...submitted],
          missing: i.units.filter((u) => !submitted.some((s) => s.unitId === u.id)).map((u) => ({ unitId: u.id, name: u.name })),
          totals: {},
        }),
        taskForceStaff: async () => ({ office: OFFICE, leader: LEADER }),
        writeCycleTables: async () => {
          if (tables === 'fail') throw ApplicationFailure.nonRetryable('表格生成失败');
          return [attachment];
        },
        notify: async () => ({ notificationId: 1, created: true }),
      });
    }

    async function run<T>(acts: ReturnType<typeof activities>, body: (h: Handle, due: LocalDate, expiresAt: Date) => Promise<T>): Promise<T> {
      const { worker, taskQueue } = await mockedWorker(env, 'pc-mocked', acts);
      return worker.runUntil(async () => {
        const today = beijingDateOf(await env.currentTimeMs());
        const due = addCalendarDays(today, 10);
        const expiresAt = endOfChinaDay(due);
        const handle = await env.client.workflow.start<typeof progressReportCycle>('progressReportCycle', {
          taskQueue,
          workflowId: `progress:1:${due}:${seq++}:${taskQueue}`,
          args: [{ countyRegionId: 1, kind: 'progress', period: due, title: '进展情况报告（第9期）', due, expiresAt: expiresAt.toISOString(), policy, closeAfterHours: 24 }],
        });
        return orTerminate(handle, async () => {
          await until(async () => ((await handle.query(progressCycleStatusQuery)).phase === 'collecting' ? true : null));
          return body(handle, due, expiresAt);
        });
      });
    }
    const status = (h: Handle) => h.query(progressCycleStatusQuery);

    it('prompts, validates, chases only the missing units once each, aggregates with the tables at the cut-off, takes late reports until all are in', async () => {
      const acts = activities('ok');
      const result = await run(acts, async (h, due, expiresAt) => {
        await until(async () => (await status(h)).notified.length === 2);
        expect(callArgs(acts.notify).map((n) => [n.recipientStaffId, n.kind, n.dedupeKey])).toEqual(
          expect.arrayContaining([[11, 'report-prompt', `${h.workflowId}:prompt:unit:1`], [21, 'report-prompt', `${h.workflowId}:prompt:unit:2`]]),
        );
        const bad: Array<[unknown, string]> = [
          [{ unitId: 99, byStaffId: 11, items: allZero() }, '该单位不在本期报送范围内'],
          [{ unitId: 1, byStaffId: 21, items: allZero() }, '您不是城关镇的报送人或负责人，无权代为报送'],
          [{ unitId: 1, byStaffId: 11, items: { ...allZero(), X9: zeroItem } }, `未知的整治重点“X9”，本县的整治重点编号为：${focusCodes.join('、')}`],
          [{ unitId: 1, byStaffId: 11, items: { ...allZero(), [focusCodes[0]!]: { ...zeroItem, found: -1 } } }, `整治重点“${focusCodes[0]}”：“发现问题（个）”不能为负数`],
        ];
        for (const [i, [args, message]] of bad.entries()) expect(await refusal(h.executeUpdate(submitProgressUpdate, { args: [args as never], updateId: `bad-${i}` }))).toBe(message);
        const withoutSecond = Object.fromEntries(Object.entries(allZero()).filter(([code]) => code !== focusCodes[1]));
        expect(await refusal(h.executeUpdate(submitProgressUpdate, { args: [{ unitId: 1, byStaffId: 11, items: withoutSecond }], updateId: 'bad-missing' }))).toContain(`缺少整治重点“${focusCodes[1]}”`);
        expect(acts.recordSubmission).not.toHaveBeenCalled();

        expect(await h.executeUpdate(submitProgressUpdate, { args: [{ unitId: 1, byStaffId: 12, items: allZero() }], updateId: 'u1' })).toEqual({ submissionId: 601, late: false });
        expect(await refusal(h.executeUpdate(submitProgressUpdate, { args: [{ unitId: 1, byStaffId: 11, items: allZero() }], updateId: 'u1-again' }))).toBe('城关镇本期已报送，不能重复报送');

        // Past the whole ladder (but before the cycle closes, 24 h after its last step).
        const steps = escalationSchedule(policy, expiresAt);
        await env.sleep(steps.at(-1)!.at.getTime() + HOUR - (await env.currentTimeMs()));
        const missing = units.filter((u) => u.id !== 1).map((u) => ({ id: u.id, levels: ladderOf(u) }));
        const chased = ladderKeys(h.workflowId, due, expiresAt, missing);
        await until(async () => (await status(h)).notified.length === 2 + chased.length + 1);
        const s = await status(h);
        expect(s.phase).toBe('aggregated');
        expect([...s.notified].sort()).toEqual([`${h.workflowId}:prompt:unit:1`, `${h.workflowId}:prompt:unit:2`, `${h.workflowId}:aggregate`, ...chased].sort());
        expect(s.notified.some((k) => k.endsWith(':unit:1') && !k.includes(':prompt:'))).toBe(false); // the unit that reported is never chased
        // Each reminder to the unit's assignee, each escalation to the level's holder.
        for (const n of callArgs(acts.notify).filter((c) => c.kind === 'reminder' || c.kind === 'escalation')) {
          const unit = units.find((u) => n.dedupeKey.endsWith(`:unit:${u.id}`))!;
          const level = n.kind === 'reminder' ? 'assignee' : (n.dedupeKey.split(':escalation:')[1]!.split(':')[0] as EscalationLevel);
          expect(n.recipientStaffId).toBe(ladderOf(unit)[level]);
        }
        // The aggregate: at the cut-off, to the office, with the period's tables.
        const agg = callArgs(acts.notify).find((n) => n.dedupeKey === `${h.workflowId}:aggregate`)!;
        expect(agg).toMatchObject({ recipientStaffId: OFFICE, kind: 'report-aggregate', attachments: [attachment] });
        expect(agg.text).toMatch(/^【报送汇总】进展情况报告（第9期）/);
        expect(agg.text).toContain('未报单位：丹朱镇、宋村乡。');
        expect(agg.text).toContain('附件：本期统计表1份（随后发送）。');
        expect(Date.parse(agg.sentAt) - expiresAt.getTime()).toSatisfy((d: number) => d >= 0 && d < 1_000);
        expect(callArgs(acts.writeCycleTables)).toEqual([expect.objectContaining({ countyRegionId: 1, kind: 'progress', period: due, dedupeKey: `${h.workflowId}:aggregate` })]);
        expect(callArgs(acts.summarizeProgressCycle).map((c) => c.close)).toEqual([false]);

        // Late reports are taken and marked late; the last one closes the cycle.
        expect(await h.executeUpdate(submitProgressUpdate, { args: [{ unitId: 2, byStaffId: 21, items: allZero() }], updateId: 'u2' })).toEqual({ submissionId: 602, late: true });
        expect((await status(h)).phase).toBe('aggregated');
        await h.executeUpdate(submitProgressUpdate, { args: [{ unitId: 3, byStaffId: 32, items: allZero() }], updateId: 'u3' });
        return completedResult(env, h);
      });
      expect(result.phase).toBe('closed');
      expect(result.submitted).toEqual([{ unitId: 1, late: false, updateId: 'u1' }, { unitId: 2, late: true, updateId: 'u2' }, { unitId: 3, late: true, updateId: 'u3' }]);
      expect(callArgs(acts.summarizeProgressCycle).map((c) => c.close)).toEqual([false, true]);
      expect(callArgs(acts.recordSubmission).map((r) => [r.unitId, r.late, r.updateId])).toEqual([[1, false, 'u1'], [2, true, 'u2'], [3, true, 'u3']]);
    });

    it('everyone in before the cut-off: nobody chased, the aggregate still goes at the cut-off (without tables that failed), then it closes', async () => {
      const acts = activities('fail');
      const result = await run(acts, async (h, _due, expiresAt) => {
        for (const u of units) await h.executeUpdate(submitProgressUpdate, { args: [{ unitId: u.id, byStaffId: u.headStaffId!, items: allZero() }], updateId: `u${u.id}` });
        expect((await status(h)).phase).toBe('collecting');
        expect(acts.summarizeProgressCycle).not.toHaveBeenCalled();
        await env.sleep(expiresAt.getTime() + HOUR - (await env.currentTimeMs()));
        return completedResult(env, h);
      });
      expect(result).toMatchObject({ phase: 'closed', summary: { missing: [] } });
      expect(callArgs(acts.summarizeProgressCycle).map((c) => c.close)).toEqual([false, true]);
      const keys = callArgs(acts.notify).map((n) => n.dedupeKey);
      expect(keys.filter((k) => !k.includes(':prompt:'))).toEqual([`${result.workflowId}:aggregate`]);
      const agg = callArgs(acts.notify).at(-1)!;
      expect(agg.text).toContain('本期统计表未能自动生成，请用“jiuzhu report”命令生成。');
      expect(agg.attachments).toBeUndefined();
      expect(acts.writeCycleTables).toHaveBeenCalledTimes(1); // non-retryable: not tried again
      expect(acts.resolveCycleRecipients).not.toHaveBeenCalled();
    });
  });

  describe('village monthly chain', () => {
    type Acts = Pick<
      CycleActivities,
      'openVillageChain' | 'recordSubmission' | 'resolveCycleRecipients' | 'findMemberByIdNumber' | 'startCycleRun' | 'recordIncomeChangeReview' | 'summarizeProgressCycle'
    > &
      Pick<NotifyActivities, 'notify'>;
    type Handle = WorkflowHandle<typeof villageMonthlyChain>;
    const villages = [
      { id: 101, name: '东村', reporterStaffId: 1011, headStaffId: null, townshipUnitId: 201 },
      { id: 102, name: '西村', reporterStaffId: 1021, headStaffId: 1022, townshipUnitId: 201 },
      { id: 103, name: '南村', reporterStaffId: null, headStaffId: 1032, townshipUnitId: 202 },
    ];
    const townships: CycleUnit[] = [
      { id: 201, name: '城关镇', reporterStaffId: 2011, headStaffId: 2012 },
      { id: 202, name: '宋村乡', reporterStaffId: 2021, headStaffId: 2022 },
    ];
    /** 南村 has nobody to chase at village level: its escalation to the "unit head" goes to its township's head. */
    const levels = (id: number): Record<EscalationLevel, number | null> =>
      id === 103 ? { assignee: null, unitHead: null, taskForceOffice: OFFICE, taskForceDeputy: null, taskForceLeader: LEADER } : ladderOf([...villages, ...townships].find((u) => u.id === id)!);
    const knownDead = freshIdNumber({ birthYear: 1940 });
    const unknownDead = freshIdNumber({ birthYear: 1941 });

    function activities() {
      return mockActivities<Acts>({
        openVillageChain: async () => ({ cycleId: 701, villages, townships, submittedUnitIds: [] }),
        recordSubmission: async (i) => ({ submissionId: 800 + i.unitId, late: i.late }),
        resolveCycleRecipients: async (i) => ({ units: Object.fromEntries(i.unitIds.map((id) => [id, levels(id)])), office: OFFICE, leader: LEADER }),
        findMemberByIdNumber: async (i) => (i.idNumber === knownDead ? { memberId: 77, label: '钱八（1401**********0055）' } : null),
        startCycleRun: async () => ({ started: true }),
        recordIncomeChangeReview: async () => ({ notificationId: 1 }),
        summarizeProgressCycle: async (i) => ({ at: i.at, expected: i.units.length, submitted: [], missing: [], totals: {} }),
        notify: async () => ({ notificationId: 1, created: true }),
      });
    }

    it('village reports validated, a funeral starts the death review, an income change a review item; townships only after their villages; the ladder chases the missing units once each', async () => {
      const acts = activities();
      const { worker, taskQueue } = await mockedWorker(env, 'vc-mocked', acts);
      const result = await worker.runUntil(async () => {
        const today = beijingDateOf(await env.currentTimeMs());
        const village = { due: addCalendarDays(today, 5), expiresAt: endOfChinaDay(addCalendarDays(today, 5)).toISOString() };
        const township = { due: addCalendarDays(today, 10), expiresAt: endOfChinaDay(addCalendarDays(today, 10)).toISOString() };
        const h: Handle = await env.client.workflow.start<typeof villageMonthlyChain>('villageMonthlyChain', {
          taskQueue,
          workflowId: `village-chain:1:${today.slice(0, 7)}:${seq++}:${taskQueue}`,
          args: [{ countyRegionId: 1, month: today.slice(0, 7), village, township, policy, closeAfterHours: 24 }],
        });
        return orTerminate(h, async () => {
          const status = () => h.query(villageChainStatusQuery);
          await until(async () => (await status()).notified.length === 2);
          expect(callArgs(acts.notify).map((n) => n.recipientStaffId).sort()).toEqual([1011, 1021]);

          const refusals: Array<[unknown, string]> = [
            [{ unitId: 101, byStaffId: 1011 }, '请填写本月事项，或选择“本月无事项”'],
            [{ unitId: 101, byStaffId: 1011, nothingToReport: true, events: [{ type: 'employment', name: '孙九' }] }, '选择“本月无事项”时不能同时填写事项'],
            [{ unitId: 101, byStaffId: 1011, events: [{ type: 'funeral', idNumber: knownDead }] }, '第1项：丧葬事项须填写死亡日期'],
            [{ unitId: 101, byStaffId: 1011, events: [{ type: 'funeral', idNumber: '140101199001011234', date: today }] }, '第1项：身份证号码无效'],
            [{ unitId: 101, byStaffId: 1021, nothingToReport: true }, '您不是东村的报告人或负责人，无权代为报告'],
            [{ unitId: 201, byStaffId: 2011, nothingToReport: true }, '该村（居）委会不在本月报告范围内'],
          ];
          for (const [i, [args, message]] of refusals.entries()) expect(await refusal(h.executeUpdate(villageReportUpdate, { args: [args as never], updateId: `bad-${i}` }))).toBe(message);
          expect(await refusal(h.executeUpdate(townshipSubmitUpdate, { args: [{ unitId: 201, byStaffId: 2011 }], updateId: 't-early' }))).toBe('以下村（居）委会尚未报告，暂不能核实上报：东村、西村');
          expect(acts.recordSubmission).not.toHaveBeenCalled();

          const deathDate = addCalendarDays(today, -3);
          await h.executeUpdate(villageReportUpdate, {
            args: [{ unitId: 101, byStaffId: 1011, events: [{ type: 'funeral', idNumber: knownDead, date: deathDate }, { type: 'funeral', idNumber: unknownDead, date: deathDate }, { type: 'incomeChange', name: '李大', note: '外出务工' }] }],
            updateId: 'v101',
          });
          const reviewId = deathReviewWorkflowId(1, 77);
          expect(callArgs(acts.startCycleRun)).toEqual([{ workflowType: 'deathReview', workflowId: reviewId, args: [{ countyRegionId: 1, memberId: 77, deathDate, source: '村报', policy }] }]);
          expect(callArgs(acts.recordIncomeChangeReview)).toEqual([expect.objectContaining({ dedupeKey: `${h.workflowId}:income:v101:2`, villageUnitId: 101, event: { type: 'incomeChange', name: '李大', note: '外出务工' } })]);
          expect(await status()).toMatchObject({ deathReviewsStarted: [reviewId], funeralsNotFound: 1, reviewItems: [`${h.workflowId}:income:v101:2`] });
          await h.executeUpdate(villageReportUpdate, { args: [{ unitId: 102, byStaffId: 1022, nothingToReport: true }], updateId: 'v102' });
          expect(await refusal(h.executeUpdate(villageReportUpdate, { args: [{ unitId: 102, byStaffId: 1021, nothingToReport: true }], updateId: 'v102-again' }))).toBe('西村本月已报告，不能重复报告');
          expect(await h.executeUpdate(townshipSubmitUpdate, { args: [{ unitId: 201, byStaffId: 2012, note: '已核实' }], updateId: 't201' })).toEqual({ submissionId: 1001, late: false });

          // 南村 and 宋村乡 never report in time: past both ladders.
          const villageExpiry = new Date(village.expiresAt);
          const townshipExpiry = new Date(township.expiresAt);
          const last = Math.max(...escalationSchedule(policy, townshipExpiry).map((s) => s.at.getTime()));
          await env.sleep(last + HOUR - (await env.currentTimeMs()));
          const expected = [
            ...ladderKeys(`${h.workflowId}:village`, village.due, villageExpiry, [{ id: 103, levels: { ...levels(103), unitHead: townships[1]!.headStaffId } }]),
            ...ladderKeys(`${h.workflowId}:township`, township.due, townshipExpiry, [{ id: 202, levels: levels(202) }]),
          ];
          await until(async () => (await status()).notified.length === 2 + expected.length);
          expect([...(await status()).notified].sort()).toEqual([`${h.workflowId}:prompt:unit:101`, `${h.workflowId}:prompt:unit:102`, ...expected].sort());
          const villageHead = callArgs(acts.notify).find((n) => n.dedupeKey === `${h.workflowId}:village:escalation:unitHead:unit:103`);
          expect(villageHead?.recipientStaffId).toBe(2022); // 宋村乡's head stands in for 南村's
          expect(callArgs(acts.notify).some((n) => n.dedupeKey.includes(':village:reminder:'))).toBe(false); // 南村 has no assignee

          expect(await h.executeUpdate(villageReportUpdate, { args: [{ unitId: 103, byStaffId: 1032, nothingToReport: true }], updateId: 'v103' })).toEqual({ submissionId: 903, late: true });
          await h.executeUpdate(townshipSubmitUpdate, { args: [{ unitId: 202, byStaffId: 2021 }], updateId: 't202' });
          return completedResult(env, h);
        });
      });
      expect(result.phase).toBe('closed');
      expect(result.reported).toEqual([{ unitId: 101, late: false }, { unitId: 102, late: false }, { unitId: 201, late: false }, { unitId: 103, late: true }, { unitId: 202, late: true }]);
      expect(callArgs(acts.summarizeProgressCycle)).toEqual([expect.objectContaining({ cycleId: 701, close: true, units: [...villages, ...townships] })]);
      expect(callArgs(acts.recordSubmission).find((r) => r.unitId === 201)?.data).toEqual({ verified: true, note: '已核实', villages: [101, 102] });
    });

    it('a county without the chain: the run fails at once and opens nothing', async () => {
      const acts = activities();
      const { worker, taskQueue } = await mockedWorker(env, 'vc-off', acts);
      const failure = await worker.runUntil(async () => {
        const today = beijingDateOf(await env.currentTimeMs());
        const d = { due: today, expiresAt: endOfChinaDay(today).toISOString() };
        const h = await env.client.workflow.start<typeof villageMonthlyChain>('villageMonthlyChain', {
          taskQueue,
          workflowId: `village-chain:1:off:${seq++}:${taskQueue}`,
          args: [{ countyRegionId: 1, month: today.slice(0, 7), village: d, township: d, policy: presets.wenshui }],
        });
        return completedResult(env, h).then(
          () => null,
          (e: Error) => e,
        );
      });
      expect(failure?.cause).toMatchObject({ type: 'ChainDisabled', message: '本县未启用村（居）月度报告链' });
      expect(acts.openVillageChain).not.toHaveBeenCalled();
    });
  });
});
