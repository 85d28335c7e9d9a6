/**
 * Campaign rehearsal (`jiuzhu simulate`): the real case and cycle workflows
 * run over months of campaign time on the Java time-skipping test server,
 * with synthetic staff (staff.ts), and the result is a timeline of what was
 * due, reminded, escalated, decided and submitted, plus the statutory tables.
 *
 * - The server's clock starts just before the first day (a launcher built by
 *   scripts/temporal-test-server.sh: the stock server always starts at real
 *   now), and only moves forward.
 * - Temporal Schedules do not exist on the test server: the rehearsal plays
 *   them, starting `cycleTick` at every instant the county's schedule specs
 *   fire (domain/cycles/schedule.ts, the same specs `ensureSchedules` gives
 *   Temporal), and sleeps the server's clock in between.
 * - After every step it reads the Notification rows written since the last
 *   look and lets the synthetic staff react through Temporal Updates.
 * - A few deaths are planted: death reviews opened through the same client
 *   code as production (services/cases/death-review.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { UpdateDefinition } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities/index.js';
import { createTemporalGateway } from '../../bot/temporal-gateway.js';
import { openDeathReview } from '../../services/cases/death-review.js';
import { openDatabase, type Database } from '../../infra/db/index.js';
import type { PrismaClient } from '../../infra/db/client.js';
import { notificationKindOf, reportCycleKindOf } from '../../infra/db/kinds.js';
import { REPORT_CYCLE_TITLES } from '../../domain/cycles/ids.js';
import type { NotificationKind } from '../../domain/notification-kinds.js';
import { writeStatutoryTables } from '../../services/reports/index.js';
import { workflowBundle } from '../../infra/temporal/workflow-bundle.js';
import {
  chinaDateTimeText,
  cycleScheduleId,
  cycleTickInstants,
  dailyDigestWorkflowId,
  digestDue,
  paymentWatchesToOpen,
  paymentWatchWorkflowId,
  phaseSummaryToOpen,
  phaseSummaryWorkflowId,
  progressCycleToOpen,
  progressCycleWorkflowId,
  villageChainToOpen,
  villageChainWorkflowId,
  type CycleKind,
  type ProgressItem,
} from '../../domain/cycles/index.js';
import type { CountyPolicy } from '../../domain/policy/schema.js';
import { createCalendar } from '../../domain/time/calendar.js';
import { chinaInstant } from '../../domain/time/instants.js';
import { addCalendarDays, diffCalendarDays, monthKey, yearOf, type LocalDate } from '../../domain/time/local-date.js';
import { createCalendarFromData, type WorkCalendar } from '../../domain/time/work-calendar.js';
import type { CycleTickInput } from '../../workflows/cycle-tick.js';
import { createRandom } from '../../domain/random.js';
import { confirmOverpaymentUpdate, decideUpdate, recordRecoveryUpdate } from '../../domain/steps/updates/death-review.js';
import { submitProgressUpdate } from '../../domain/steps/updates/progress-cycle.js';
import { townshipSubmitUpdate, villageReportUpdate } from '../../domain/steps/updates/village-chain.js';
import { assignBehaviours, REACTION, type Behaviour } from './staff.js';
import { loadRehearsalCounty } from './county.js';
import { PROJECT_ROOT } from '../../infra/project-root.js';
import { DEMO_PRESETS, loadDemoCounty, type DemoPreset } from '../index.js';

const HOUR = 3_600_000;
/** How far past the end the clock goes before counting (see the end of the run). */
const END_MARGIN_MS = 60_000;

/** Agenda items of these kinds due at the same instant run concurrently (independent Updates of different units or cases). */
const CONCURRENT_ACTIONS = new Set(['submit', 'village', 'township', 'decide', 'recover']);

/** The county loader's shape (demo `loadDemoCounty` has the same one). */
export type CountyLoader = (
  prisma: PrismaClient,
  opts: { preset: string; seed: number; scale?: number; today: LocalDate; policy: CountyPolicy },
) => Promise<{ countyRegionId: number }>;

export interface RehearsalOptions {
  policy: CountyPolicy;
  from: LocalDate;
  to: LocalDate;
  seed?: number;
  /** Where the statutory tables go (created). */
  outDir: string;
  /** PostgreSQL; default a fresh PGlite in a temporary folder. */
  databaseUrl?: string;
  /** The time-skipping launcher that takes --initial-time-ms (default: built by scripts/temporal-test-server.sh). */
  testServerPath?: string;
  /** A prebuilt workflow bundle (tests); default: bundled here. */
  workflowBundlePath?: string;
  /** Which county: 'demo' (demo's demo county, the default), 'small' (3 townships), or a loader of one's own. */
  county?: 'demo' | 'small' | CountyLoader;
  /** County size handed to the loader (townships for the small county). */
  scale?: number;
  /** Deaths planted during the campaign (default 4). */
  deaths?: number;
  /** Days between a planted death and its report (default 3–12, drawn from the seed). */
  deathLagDays?: number;
  calendar?: WorkCalendar;
  /** Called after every step with the campaign time reached. */
  onProgress?: (doneMs: number, totalMs: number, now: number) => void;
}

export type TimelineType = 'opened' | 'prompt' | 'due' | 'reminder' | 'escalation' | 'aggregate' | 'submitted' | 'refused' | 'decided' | 'confirmed' | 'recovered' | 'death' | 'alert' | 'review-item' | 'closed';

export interface TimelineEvent {
  /** ISO-8601 instant (campaign time). */
  at: string;
  /** 'YYYY-MM-DD HH:mm', Asia/Shanghai. */
  local: string;
  type: TimelineType;
  /** Run or case workflow id. */
  workflowId: string | null;
  /** Reporting unit or case subject. */
  subject: string | null;
  /** Who received or acted. */
  staff: string | null;
  text: string;
  late?: boolean;
}

export interface RehearsalSummary {
  from: LocalDate;
  to: LocalDate;
  cycles: number;
  /** Unit × cycle obligations whose deadline fell in the period. */
  due: number;
  onTime: number;
  late: number;
  never: number;
  reminded: number;
  escalated: number;
  reminders: number;
  escalations: number;
  deaths: number;
  casesDecidedOnTime: number;
  casesDecidedLate: number;
  casesUndecided: number;
  caseReminders: number;
  caseEscalations: number;
  digests: number;
  paymentAlerts: number;
  ticks: number;
}

export interface RehearsalResult {
  county: { countyRegionId: number; name: string };
  behaviours: { units: Record<string, Behaviour>; caseworkers: Record<string, Behaviour> };
  timeline: TimelineEvent[];
  summary: RehearsalSummary;
  tables: string[];
  notes: string[];
  wallMs: number;
}

export class RehearsalInputError extends Error {
  override name = 'RehearsalInputError';
}

/** The launcher whose clock can start in the past (scripts/temporal-test-server.sh writes it beside the stock one). */
export function defaultRehearsalServerPath(): string {
  if (process.env.TEMPORAL_TEST_SERVER_AT_PATH) return process.env.TEMPORAL_TEST_SERVER_AT_PATH;
  const script = path.join(PROJECT_ROOT, 'scripts', 'temporal-test-server.sh');
  const out = execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
  const at = path.join(path.dirname(out), 'temporal-test-server-at');
  if (!fs.existsSync(at)) throw new RehearsalInputError('找不到可设定起始时间的 Temporal 测试服务器（需要 JDK 的 javac 编译 scripts/temporal-test-server/JiuzhuTestServer.java）');
  return at;
}

/** Checks the period against the policy and the holiday data (Chinese messages). */
export function checkRehearsalPeriod(policy: CountyPolicy, from: LocalDate, to: LocalDate, calendar: WorkCalendar): string[] {
  if (from > to) throw new RehearsalInputError(`起始日期 ${from} 晚于结束日期 ${to}`);
  if (diffCalendarDays(from, to) > 400) throw new RehearsalInputError('演练期间不能超过400天');
  for (let y = yearOf(from); y <= yearOf(to); y++) {
    if (!calendar.covers(y)) {
      throw new RehearsalInputError(`没有${y}年的节假日安排（内置数据只覆盖2004–2026年），无法计算工作日期限；请先在数据目录的 holiday-overrides.yaml 中录入${y}年的安排，或选择已有节假日数据的年份`);
    }
  }
  const w = policy.campaign.window;
  const notes: string[] = [];
  if (to < w.start || from > w.end) throw new RehearsalInputError(`演练期间 ${from}～${to} 不在政策的整治期间 ${w.start}～${w.end} 之内`);
  if (from < w.start || to > w.end) notes.push(`整治期间为 ${w.start}～${w.end}，期间之外不开启任何报送`);
  return notes;
}

const UNIT_KEY = /:unit:(\d+)$/;

interface Agenda {
  at: number;
  seq: number;
  what: string;
  run: () => Promise<void>;
}

/** Small: the rehearsal's own three-township county; demo: demo (when the policy is one of its presets). */
function countyLoader(opts: RehearsalOptions, notes: string[]): CountyLoader {
  const small: CountyLoader = (p, o) => loadRehearsalCounty(p, { ...o, until: opts.to });
  const choice = opts.county ?? 'demo';
  if (typeof choice === 'function') return choice;
  if (choice === 'small') return small;
  if (!(DEMO_PRESETS as readonly string[]).includes(opts.policy.county.code)) {
    notes.push(`没有“${opts.policy.county.name}”的演示县数据，改用三个乡镇的小型演练县`);
    return small;
  }
  return async (p, o) => {
    const tag = Math.random().toString(36).slice(2, 6);
    // The ledger runs to the end of the rehearsal: payments are as if made on time.
    const summary = await loadDemoCounty(p, {
      preset: o.policy.county.code as DemoPreset,
      seed: o.seed,
      ...(o.scale !== undefined ? { scale: o.scale } : {}),
      today: addCalendarDays(opts.to, 1),
      countyName: `${o.policy.county.name}演练${tag}`,
      actor: 'cli:simulate',
    });
    return { countyRegionId: summary.countyRegionId };
  };
}

/** Runs one rehearsal; the caller owns nothing (database, server and worker are started and stopped here). */
export async function runRehearsal(opts: RehearsalOptions): Promise<RehearsalResult> {
  const t0 = Date.now();
  const seed = opts.seed ?? 1;
  const policy = opts.policy;
  const calendar = opts.calendar ?? createCalendar();
  const notes = checkRehearsalPeriod(policy, opts.from, opts.to, calendar);
  const fromMs = chinaInstant(opts.from).getTime();
  const toMs = chinaInstant(addCalendarDays(opts.to, 1)).getTime();

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-simulate-'));
  let db: Database | undefined;
  let env: TestWorkflowEnvironment | undefined;
  quietRuntime();
  // Slow starts side by side: the workflow bundle (webpack), the test server (JVM) and the database.
  const bundling = opts.workflowBundlePath ? Promise.resolve({ codePath: opts.workflowBundlePath }) : workflowBundle();
  bundling.catch(() => {});
  const serverPath = opts.testServerPath ?? defaultRehearsalServerPath();
  const starting = TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: serverPath }, extraArgs: ['--initial-time-ms', String(fromMs - HOUR)] },
  });
  starting.catch(() => {});
  const profile = process.env.JIUZHU_SIMULATE_PROFILE ? newProfile() : null;
  try {
    db = await openDatabase({ databaseUrl: opts.databaseUrl, dataDir: tmp });
    profile?.mark('database');
    const prisma = db.prisma;
    const loader = countyLoader(opts, notes);
    const { countyRegionId } = await loader(prisma, { preset: policy.county.code, seed, scale: opts.scale, today: opts.from, policy });
    const county = await prisma.region.findUniqueOrThrow({ where: { id: countyRegionId } });
    profile?.mark('county');

    // ---- who is in the county and how they behave
    const townships = await prisma.region.findMany({ where: { parentId: countyRegionId, level: 'TOWNSHIP' }, select: { id: true, name: true } });
    const villages = await prisma.region.findMany({ where: { parentId: { in: townships.map((t) => t.id) }, level: 'VILLAGE' }, select: { id: true, parentId: true } });
    const regionIds = [countyRegionId, ...townships.map((t) => t.id), ...villages.map((v) => v.id)];
    const staffRows = await prisma.staff.findMany({ where: { regionId: { in: regionIds } }, select: { id: true, name: true, role: true, regionId: true } });
    const staffName = new Map(staffRows.map((s) => [s.id, s.name]));
    const units = await prisma.reportingUnit.findMany({ where: { countyRegionId, active: true }, orderBy: { id: 'asc' } });
    const unitById = new Map(units.map((u) => [u.id, u]));
    const unitBehaviour = assignBehaviours(units.map((u) => u.name), seed);
    const caseworkers = staffRows.filter((s) => s.role === 'TOWNSHIP_CASEWORKER');
    const caseworkerBehaviour = assignBehaviours(caseworkers.map((s) => `${townships.find((t) => t.id === s.regionId)?.name ?? ''}${s.name}`), seed + 1);
    const behaviourOfStaff = (id: number): Behaviour => {
      const s = caseworkers.find((c) => c.id === id);
      return s ? caseworkerBehaviour.get(`${townships.find((t) => t.id === s.regionId)?.name ?? ''}${s.name}`)! : 'onTime';
    };
    const villageTownshipUnit = new Map<number, number>();
    for (const u of units.filter((x) => x.kind === 'VILLAGE')) {
      const parent = villages.find((v) => v.id === u.regionId)?.parentId;
      const t = units.find((x) => x.kind === 'TOWNSHIP' && x.regionId === parent);
      if (t) villageTownshipUnit.set(u.id, t.id);
    }

    // ---- Temporal: test server from the first day, one worker
    env = await starting;
    profile?.mark('test server');
    const client = env.client;
    const gateway = createTemporalGateway(client);
    const taskQueue = `simulate-${countyRegionId}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await bundling,
      activities: profile ? profile.timed(createActivities({ prisma })) : createActivities({ prisma }),
    });
    profile?.mark('bundle + worker');

    const timeline: TimelineEvent[] = [];
    const log = (atMs: number, e: Omit<TimelineEvent, 'at' | 'local'>) => timeline.push({ at: new Date(atMs).toISOString(), local: chinaDateTimeText(atMs), ...e });
    const agenda: Agenda[] = [];
    let seq = 0;
    const schedule = (at: number, what: string, run: () => Promise<void>) => {
      agenda.push({ at, seq: seq++, what, run });
    };
    const now = () => env!.currentTimeMs();

    // ---- the schedules, played
    const calendarData = calendar.sliceData(yearOf(policy.campaign.window.start), yearOf(policy.campaign.window.end));
    const ticks = cycleTickInstants(policy, fromMs, toMs);
    const opened = new Set<string>();
    const tickRuns: Array<{ workflowId: string; describe(): Promise<{ status: { name: string } }> }> = [];
    // The runs a tick would start, from the planners the tick itself runs on the holiday data it is given.
    // Runs start under their natural-key id with REJECT_DUPLICATE: a tick whose runs an earlier tick
    // of this rehearsal already started starts nothing (the schedule fires it anyway; most days it finds
    // the week's cycle open). Such a tick is not started here, but its instant stays a step of the run
    // (sleep, then read the notifications), so everyone reacts at the same moments.
    const tickCalendar = createCalendarFromData(calendarData);
    const runsStarted = new Set<string>();
    let ticksStarted = 0;
    for (const tick of ticks) {
      schedule(tick.atMs, `tick ${tick.kind} ${tick.date}`, async () => {
        const runs = runsOpenedByTick(policy, countyRegionId, tick.kind, tick.date, tickCalendar);
        if (runs.every((id) => runsStarted.has(id))) return;
        for (const id of runs) runsStarted.add(id);
        ticksStarted++;
        const input: CycleTickInput = { countyRegionId, kind: tick.kind, policy, calendarData };
        // Not waited for here: the test server does not move its clock while the tick's tasks are
        // outstanding, so the next step (a sleep) runs after it. Every tick is checked at the end.
        tickRuns.push(await client.workflow.start('cycleTick', { taskQueue, workflowId: `tick:${cycleScheduleId(policy.county.code, countyRegionId, tick.kind)}:${tick.date}`, args: [input] }));
        // A tick that opens a run with prompts (the same pure planner the tick uses): wait, in real
        // time, until that run has sent its prompts, so people react to them on time and not one step
        // later by chance (the server's clock does not wait for activities).
        const opens = promptedRunOpenedBy(policy, countyRegionId, tick.kind, tick.date, calendar);
        if (opens && !opened.has(opens)) {
          opened.add(opens);
          await waitPrompted(client.workflow.getHandle(opens));
        }
      });
    }
    // A working pass twice a day: people act on what they received.
    for (let d = opts.from; d <= opts.to; d = addCalendarDays(d, 1)) {
      for (const time of ['10:00']) schedule(chinaInstant(d, time).getTime(), `pass ${d} ${time}`, async () => {});
    }

    // ---- planted deaths
    const rnd = createRandom(`deaths:${seed}`);
    const members = await prisma.member.findMany({
      where: { household: { regionId: { in: villages.map((v) => v.id) } }, relationToHead: { not: '本人' } },
      select: { id: true, name: true, household: { select: { regionId: true } } },
      orderBy: { id: 'asc' },
      take: 500,
    });
    const deathCount = Math.min(opts.deaths ?? 4, members.length);
    const span = toMs - fromMs;
    const planted: Array<{ memberId: number; name: string; deathDate: LocalDate }> = [];
    const chosen = new Set<number>();
    for (let i = 0; i < deathCount; i++) {
      let idx = Math.floor(rnd() * members.length);
      while (chosen.has(idx)) idx = (idx + 1) % members.length;
      chosen.add(idx);
      const m = members[idx]!;
      // Reported during the campaign, early enough for its ladder to show (spread over the first 60%).
      const reportMs = chinaInstant(chinaDateTimeText(fromMs + Math.floor(((i + 0.5) / deathCount) * span * 0.6)).slice(0, 10), '11:00').getTime();
      const deathDate = addCalendarDays(chinaDateTimeText(reportMs).slice(0, 10), -(opts.deathLagDays ?? 3 + Math.floor(rnd() * 10)));
      planted.push({ memberId: m.id, name: m.name, deathDate });
      schedule(reportMs, `death ${m.id}`, async () => {
        const h = await openDeathReview(client, { taskQueue, countyRegionId, memberId: m.id, deathDate, source: '公安', policy });
        log(await now(), { type: 'death', workflowId: h.workflowId, subject: maskName(m.name), staff: null, text: `公安通报死亡（死亡日期${deathDate}），开启死亡核查` });
      });
    }

    // ---- synthetic staff
    const cycleItems = (): Record<string, ProgressItem> =>
      Object.fromEntries(policy.focusItems.map((f) => {
        const n = Math.floor(rnd() * 3);
        return [f.code, { found: n, households: n, amount: n * 300, rectified: n, recovered: n * 100, cluesTransferred: 0, heldAccountable: 0 }];
      }));
    const acted = new Set<string>();
    const townshipTrying = new Map<string, { unitId: number; behaviour: Behaviour }>();
    const act = async <R, A>(
      key: string,
      workflowId: string,
      update: UpdateDefinition<R, [A]>,
      args: A,
      what: { subject: string; staff: number; type: TimelineType; text: string },
      lateOf: (result: R) => boolean | undefined = () => undefined,
    ) => {
      const out = await gateway.execute(update, { workflowId, args, updateId: `sim:${key}` });
      const at = await now();
      if (out.ok) {
        const late = lateOf(out.result);
        log(at, { type: what.type, workflowId, subject: what.subject, staff: staffName.get(what.staff) ?? null, text: what.text + (late === true ? '（逾期）' : late === false ? '（按时）' : ''), ...(late === undefined ? {} : { late }) });
      } else {
        log(at, { type: 'refused', workflowId, subject: what.subject, staff: staffName.get(what.staff) ?? null, text: `未被接受：${out.message}` });
      }
      return out;
    };

    const reactToCycle = (n: { dedupeKey: string; kind: NotificationKind; workflowId: string; sentAt: Date }) => {
      const m = UNIT_KEY.exec(n.dedupeKey);
      if (!m) return;
      const unit = unitById.get(Number(m[1]));
      if (!unit) return;
      const b = unitBehaviour.get(unit.name) ?? 'onTime';
      const isChain = n.workflowId.startsWith('village-chain:');
      const township = isChain && n.dedupeKey.includes(':township:');
      const sent = n.sentAt.getTime();
      let at: number | null = null;
      if (b === 'onTime' && n.kind === 'report-prompt') at = sent + REACTION.onTimeAfterPromptMs;
      if (b === 'late' && n.kind === 'escalation') at = sent + REACTION.lateAfterEscalationMs;
      if (at === null) return;
      const key = `${n.workflowId}:${unit.id}`;
      if (acted.has(key)) return;
      acted.add(key);
      const reporter = unit.reporterStaffId ?? unit.headStaffId!;
      if (township) {
        schedule(at, `township ${key}`, () => tryTownship(n.workflowId, unit.id, b));
      } else if (isChain) {
        schedule(at, `village ${key}`, async () => {
          await act(key, n.workflowId, villageReportUpdate, { unitId: unit.id, byStaffId: reporter, nothingToReport: true }, { subject: unit.name, staff: reporter, type: 'submitted', text: '村（居）月度报告：无事项' }, (r) => r.late);
          const t = villageTownshipUnit.get(unit.id);
          if (t !== undefined) {
            const tb = unitBehaviour.get(unitById.get(t)!.name) ?? 'onTime';
            if (tb === 'onTime') townshipTrying.set(`${n.workflowId}:${t}`, { unitId: t, behaviour: tb });
          }
        });
      } else {
        schedule(at, `submit ${key}`, async () => {
          await act(key, n.workflowId, submitProgressUpdate, { unitId: unit.id, byStaffId: reporter, items: cycleItems() }, { subject: unit.name, staff: reporter, type: 'submitted', text: '报送进展情况' }, (r) => r.late);
        });
      }
    };
    const tryTownship = async (workflowId: string, unitId: number, b: Behaviour) => {
      const unit = unitById.get(unitId)!;
      const key = `${workflowId}:${unitId}:township`;
      if (acted.has(key)) return;
      const byStaffId = unit.headStaffId ?? unit.reporterStaffId!;
      const out = await gateway.execute(townshipSubmitUpdate, { workflowId, args: { unitId, byStaffId }, updateId: `sim:${key}:${await now()}` });
      const at = await now();
      if (out.ok) {
        acted.add(key);
        townshipTrying.delete(`${workflowId}:${unitId}`);
        const late = out.result.late;
        log(at, { type: 'submitted', workflowId, subject: unit.name, staff: staffName.get(byStaffId) ?? null, text: `乡镇核实上报${late ? '（逾期）' : '（按时）'}`, late });
      } else if (!out.message.includes('尚未报告')) {
        acted.add(key);
        townshipTrying.delete(`${workflowId}:${unitId}`);
      } else if (b === 'late') {
        townshipTrying.set(`${workflowId}:${unitId}`, { unitId, behaviour: b });
      }
    };

    const cases = new Map<string, { decided: boolean; assignee: number }>();
    const reactToCase = async (n: { dedupeKey: string; kind: NotificationKind; workflowId: string; sentAt: Date; recipientStaffId: number }) => {
      const row = await prisma.case.findUnique({ where: { workflowId: n.workflowId }, select: { assigneeStaffId: true } });
      const assignee = row?.assigneeStaffId ?? n.recipientStaffId;
      const b = behaviourOfStaff(assignee);
      const sent = n.sentAt.getTime();
      let at: number | null = null;
      if (b === 'onTime' && n.kind === 'reminder') at = sent + REACTION.onTimeAfterReminderMs;
      if (b === 'late' && n.kind === 'escalation') at = sent + REACTION.lateAfterEscalationMs;
      if (at === null || cases.has(n.workflowId)) return;
      cases.set(n.workflowId, { decided: false, assignee });
      const p = planted.find((x) => n.workflowId.endsWith(`:${x.memberId}`));
      const effectiveMonth = monthKey(addCalendarDays(`${(p?.deathDate ?? opts.from).slice(0, 7)}-28`, 7));
      const subject = p ? maskName(p.name) : n.workflowId;
      schedule(at, `decide ${n.workflowId}`, async () => {
        const out = await act(`${n.workflowId}:decide`, n.workflowId, decideUpdate, { decision: '停发', effectiveMonth, decidedByStaffId: assignee }, { subject, staff: assignee, type: 'decided', text: `作出停发决定（自${effectiveMonth}起）` });
        if (!out.ok) return;
        cases.get(n.workflowId)!.decided = true;
        const overpaidCents = out.result.overpaidCents;
        timeline.at(-1)!.text += overpaidCents > 0 ? `，超发${(overpaidCents / 100).toFixed(2)}元` : '，无超发';
        if (overpaidCents > 0) {
          schedule((await now()) + REACTION.recoveryAfterDecisionMs, `recover ${n.workflowId}`, async () => {
            // The over-payment is confirmed first, by someone other than the decider: the township head, else the 专班组长.
            const regionId = staffRows.find((s) => s.id === assignee)?.regionId;
            const confirmer = staffRows.find((s) => s.role === 'TOWNSHIP_HEAD' && s.regionId === regionId && s.id !== assignee) ?? staffRows.find((s) => s.role === 'TASKFORCE_LEADER' && s.id !== assignee);
            if (confirmer) {
              const c = await act(`${n.workflowId}:confirm`, n.workflowId, confirmOverpaymentUpdate, { amount: overpaidCents / 100, byStaffId: confirmer.id }, { subject, staff: confirmer.id, type: 'confirmed', text: `确认超发金额${(overpaidCents / 100).toFixed(2)}元` });
              if (!c.ok) return;
            }
            await act(`${n.workflowId}:recover`, n.workflowId, recordRecoveryUpdate, { amount: overpaidCents / 100, recordedByStaffId: assignee }, { subject, staff: assignee, type: 'recovered', text: `登记追回超发资金${(overpaidCents / 100).toFixed(2)}元` });
          });
        }
      });
    };

    // ---- notifications → timeline and reactions
    const staffIds = staffRows.map((s) => s.id);
    let lastId = (await prisma.notification.aggregate({ _max: { id: true } }))._max.id ?? 0;
    const firstId = lastId;
    const seen = new Set<number>();
    const caseWorkflow = new Map<number, string | null>();
    const poll = async () => {
      // A little behind the last id seen: concurrent inserts may commit out of id order. Ids and
      // kinds first, then the rows not seen yet (most of the window was read by the previous look),
      // except digests (counted at the end, neither shown nor answered).
      const unseen = (await prisma.notification.findMany({ where: { id: { gt: Math.max(firstId, lastId - 200) }, recipientStaffId: { in: staffIds } }, select: { id: true, kind: true }, orderBy: { id: 'asc' } }))
        .filter((n) => !seen.has(n.id));
      if (unseen.length === 0) return;
      const wanted = unseen.filter((n) => notificationKindOf(n.kind) !== 'digest').map((n) => n.id);
      const rows = wanted.length === 0 ? [] : (await prisma.notification.findMany({ where: { id: { in: wanted } }, orderBy: { id: 'asc' } })).map((n) => ({ ...n, kind: notificationKindOf(n.kind) }));
      for (const n of unseen) seen.add(n.id);
      // Case ladders write the case, not the workflow: name the run through the Case row.
      for (const n of rows) {
        if (n.workflowId || n.caseId === null) continue;
        if (!caseWorkflow.has(n.caseId)) caseWorkflow.set(n.caseId, (await prisma.case.findUnique({ where: { id: n.caseId }, select: { workflowId: true } }))?.workflowId ?? null);
        n.workflowId = caseWorkflow.get(n.caseId) ?? null;
      }
      for (const n of rows) {
        if (n.kind !== 'digest') {
          const m = UNIT_KEY.exec(n.dedupeKey);
          const subject = m ? (unitById.get(Number(m[1]))?.name ?? null) : null;
          log(n.sentAt.getTime(), { type: timelineType(n.kind), workflowId: n.workflowId, subject, staff: staffName.get(n.recipientStaffId) ?? null, text: firstLine(n.text) });
        }
        if (!n.workflowId) continue;
        if (n.workflowId.startsWith('progress:') || n.workflowId.startsWith('phase-summary:') || n.workflowId.startsWith('village-chain:')) reactToCycle({ ...n, workflowId: n.workflowId });
        else if (n.workflowId.startsWith('death-review:') && (n.kind === 'reminder' || n.kind === 'escalation')) await reactToCase({ ...n, workflowId: n.workflowId });
        if (n.workflowId.startsWith('village-chain:') && n.dedupeKey.includes(':township:escalation:')) {
          const m = UNIT_KEY.exec(n.dedupeKey);
          const unit = m ? unitById.get(Number(m[1])) : undefined;
          if (unit && unitBehaviour.get(unit.name) === 'late') schedule(n.sentAt.getTime() + REACTION.lateAfterEscalationMs, 'township late', () => tryTownship(n.workflowId!, unit.id, 'late'));
        }
      }
      // Only ids seen: a row committed while this query ran is read next time.
      for (const n of unseen) lastId = Math.max(lastId, n.id);
    };

    // ---- the run
    const prof: Record<string, number> & { sleep: number; poll: number } = { sleep: 0, poll: 0 };
    await worker.runUntil(async () => {
      for (;;) {
        agenda.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const next = agenda.shift();
        if (!next || next.at >= toMs) break;
        // The 10:00 pass only matters while a township waits to verify its villages.
        if (next.what.startsWith('pass ') && townshipTrying.size === 0) continue;
        let t = Date.now();
        const wait = next.at - (await now());
        if (wait > 0) await env!.sleep(wait);
        prof.sleep += Date.now() - t;
        t = Date.now();
        // People acting at the same instant act side by side (e.g. every village answering its
        // prompt an hour after it went out); ticks and anything else stay one at a time, in order.
        const kind = next.what.split(' ')[0]!;
        const batch = [next];
        if (CONCURRENT_ACTIONS.has(kind)) {
          while (agenda[0] && agenda[0].at === next.at && agenda[0].what.split(' ')[0] === kind) batch.push(agenda.shift()!);
        }
        await Promise.all(
          batch.map((item) =>
            item.run().catch((error: unknown) => {
              throw new Error(`${item.what}: ${(error as Error).message}`, { cause: error });
            }),
          ),
        );
        prof[kind] = (prof[kind] ?? 0) + Date.now() - t;
        // The 10:00 pass: townships whose villages have all reported verify and submit.
        if (next.what.startsWith('pass ') && next.what.endsWith('10:00')) {
          for (const [k, t] of [...townshipTrying]) await tryTownship(k.slice(0, k.lastIndexOf(':')), t.unitId, t.behaviour);
        }
        t = Date.now();
        await poll();
        prof.poll += Date.now() - t;
        opts.onProgress?.(Math.min(span, (await now()) - fromMs), span, await now());
      }
      const rest = toMs - (await now());
      if (rest > 0) await env!.sleep(rest);
      await poll();
      // What falls due at the end instant itself (the escalations of 00:00 after the last day) is not
      // in the timeline but is in the summary's counts: let it fire and be written before counting. A
      // workflow's timer fires some milliseconds after its instant (it is set from the time of the task
      // that set it), hence a minute; the next thing due after 00:00 is the 00:05 tick, which is played.
      await env!.sleep(END_MARGIN_MS);
      const runIds = [...runsStarted, ...planted.map((p) => `death-review:${countyRegionId}:${p.memberId}`)];
      await waitSettled(runIds.map((id) => client.workflow.getHandle(id)));
      // Every tick must have completed (a failed tick would have opened nothing).
      for (let i = 0; i < tickRuns.length; i += 50) await Promise.all(tickRuns.slice(i, i + 50).map((h) => waitClosed(h)));
    });
    profile?.mark('run', { ...prof, ticksStarted });

    // ---- the period's cycles, from the database
    const cycles = await prisma.reportCycle.findMany({ where: { countyRegionId, dueAt: { gte: new Date(fromMs), lt: new Date(toMs) } }, include: { submissions: true }, orderBy: { dueAt: 'asc' } });
    const cycleRows = (await prisma.reportCycle.findMany({ where: { countyRegionId }, select: { workflowId: true, dueAt: true, openedAt: true, kind: true, period: true } })).map((c) => ({ ...c, kind: reportCycleKindOf(c.kind) }));
    for (const c of cycleRows) {
      log(c.openedAt.getTime(), { type: 'opened', workflowId: c.workflowId, subject: null, staff: null, text: `开启${REPORT_CYCLE_TITLES[c.kind]}（${c.period}期），截止${chinaDateTimeText(c.dueAt.getTime())}` });
      if (c.dueAt.getTime() < toMs) log(c.dueAt.getTime(), { type: 'due', workflowId: c.workflowId, subject: null, staff: null, text: `${REPORT_CYCLE_TITLES[c.kind]}（${c.period}期）报送截止` });
    }
    const notifications = (await prisma.notification.findMany({ where: { id: { gt: firstId }, recipientStaffId: { in: staffIds } }, select: { dedupeKey: true, kind: true, workflowId: true, caseId: true } })).map((n) => ({
      ...n,
      kind: notificationKindOf(n.kind),
      workflowId: n.workflowId ?? (n.caseId === null ? null : (caseWorkflow.get(n.caseId) ?? null)),
    }));
    const expectedUnits = (c: (typeof cycles)[number]) =>
      c.kind === 'villageChain' ? units.filter((u) => u.kind === 'VILLAGE' || u.kind === 'TOWNSHIP') : units.filter((u) => u.kind === (policy.progressReport.reportingUnits === 'section' ? 'SECTION' : 'TOWNSHIP'));
    let due = 0;
    let onTime = 0;
    let late = 0;
    for (const c of cycles) {
      const expected = expectedUnits(c);
      due += expected.length;
      for (const s of c.submissions) if (s.late) late++; else onTime++;
    }
    const periodCycleIds = new Set(cycles.map((c) => c.workflowId));
    const unitHits = (kind: NotificationKind) => new Set(notifications.filter((n) => n.kind === kind && n.workflowId && periodCycleIds.has(n.workflowId)).map((n) => `${n.workflowId}${UNIT_KEY.exec(n.dedupeKey)?.[1] ?? ''}`)).size;
    const caseRows = await prisma.case.findMany({ where: { workflowId: { in: planted.map((p) => `death-review:${countyRegionId}:${p.memberId}`) } } });
    const decisions = timeline.filter((e) => e.type === 'decided');
    const decidedLate = (wf: string) => {
      const c = caseRows.find((x) => x.workflowId === wf);
      const d = decisions.find((x) => x.workflowId === wf);
      return c?.dueAt && d ? Date.parse(d.at) >= c.dueAt.getTime() : false;
    };
    const decidedIds = new Set(decisions.map((d) => d.workflowId!));
    const summary: RehearsalSummary = {
      from: opts.from,
      to: opts.to,
      cycles: cycles.length,
      due,
      onTime,
      late,
      never: due - onTime - late,
      reminded: unitHits('reminder'),
      escalated: unitHits('escalation'),
      reminders: notifications.filter((n) => n.kind === 'reminder' && !n.workflowId?.startsWith('death-review:')).length,
      escalations: notifications.filter((n) => n.kind === 'escalation' && !n.workflowId?.startsWith('death-review:')).length,
      deaths: planted.length,
      casesDecidedOnTime: [...decidedIds].filter((id) => !decidedLate(id)).length,
      casesDecidedLate: [...decidedIds].filter((id) => decidedLate(id)).length,
      casesUndecided: planted.length - decidedIds.size,
      caseReminders: notifications.filter((n) => n.kind === 'reminder' && n.workflowId?.startsWith('death-review:')).length,
      caseEscalations: notifications.filter((n) => n.kind === 'escalation' && n.workflowId?.startsWith('death-review:')).length,
      digests: notifications.filter((n) => n.kind === 'digest').length,
      paymentAlerts: notifications.filter((n) => n.kind === 'payment-alert').length,
      ticks: ticks.length,
    };

    fs.mkdirSync(opts.outDir, { recursive: true });
    profile?.mark('summary');
    const written = await writeStatutoryTables({ prisma }, { countyRegionId, period: `${opts.from}..${opts.to}`, dir: opts.outDir, policy });
    profile?.mark('tables');
    profile?.print();
    // By the minute shown, then type, unit, person and text, so a seed always prints the same timeline
    // (notifications at one instant are written side by side, in no fixed order, milliseconds apart).
    const tie = (e: TimelineEvent) => `${e.subject ?? ''}\u0000${e.staff ?? ''}\u0000${e.text}`;
    timeline.sort((a, b) => a.local.localeCompare(b.local) || TYPE_ORDER.indexOf(a.type) - TYPE_ORDER.indexOf(b.type) || (tie(a) < tie(b) ? -1 : tie(a) > tie(b) ? 1 : 0));
    return {
      county: { countyRegionId, name: county.name },
      behaviours: {
        units: Object.fromEntries(unitBehaviour),
        caseworkers: Object.fromEntries(caseworkerBehaviour),
      },
      timeline,
      summary,
      tables: written.map((w) => w.file ?? ''),
      notes,
      wallMs: Date.now() - t0,
    };
  } finally {
    env ??= await starting.catch(() => undefined);
    await env?.teardown().catch(() => {});
    await db?.close().catch(() => {});
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const TYPE_ORDER: TimelineType[] = ['death', 'opened', 'prompt', 'reminder', 'submitted', 'decided', 'confirmed', 'recovered', 'refused', 'due', 'aggregate', 'escalation', 'alert', 'review-item', 'closed'];

function timelineType(kind: NotificationKind): TimelineType {
  switch (kind) {
    case 'report-prompt':
      return 'prompt';
    case 'reminder':
      return 'reminder';
    case 'escalation':
      return 'escalation';
    case 'report-aggregate':
    case 'payment-summary':
      return 'aggregate';
    case 'payment-alert':
      return 'alert';
    case 'review-item':
      return 'review-item';
    default:
      return 'alert';
  }
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 120 ? `${line.slice(0, 118)}…` : line;
}

/** 张大娘 → 张** (names of the assisted stay out of the printed timeline). */
function maskName(name: string): string {
  return name.slice(0, 1) + '*'.repeat(Math.max(1, name.length - 1));
}

/**
 * `JIUZHU_SIMULATE_PROFILE=1`: wall time of each phase, the run's steps (sleep: the test server and
 * the worker working through the timers of the interval), every activity's count and time (its
 * database work), and this process's CPU (main thread, workflow threads and Prisma together).
 */
function newProfile() {
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  let last = t0;
  const phases: Array<[string, number, Record<string, number>?]> = [];
  const acts = new Map<string, { n: number; ms: number }>();
  return {
    mark(phase: string, detail?: Record<string, number>) {
      const t = Date.now();
      phases.push([phase, t - last, detail]);
      last = t;
    },
    timed<T extends Record<string, unknown>>(activities: T): T {
      const out: Record<string, unknown> = {};
      for (const [name, fn] of Object.entries(activities)) {
        if (typeof fn !== 'function') {
          out[name] = fn;
          continue;
        }
        out[name] = async (...args: unknown[]) => {
          const t = performance.now();
          try {
            return await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
          } finally {
            const s = acts.get(name) ?? { n: 0, ms: 0 };
            s.n++;
            s.ms += performance.now() - t;
            acts.set(name, s);
          }
        };
      }
      return out as T;
    },
    print() {
      const cpu = process.cpuUsage(cpu0);
      const lines = [`[simulate] wall ${Date.now() - t0} ms; this process's CPU: user ${Math.round(cpu.user / 1000)} ms, system ${Math.round(cpu.system / 1000)} ms`];
      for (const [phase, ms, detail] of phases) lines.push(`[simulate]   ${phase.padEnd(16)} ${String(ms).padStart(7)} ms${detail ? `  ${JSON.stringify(detail)}` : ''}`);
      const rows = [...acts].sort((a, b) => b[1].ms - a[1].ms);
      const total = rows.reduce((s, [, a]) => s + a.ms, 0);
      lines.push(`[simulate] activities: ${rows.reduce((s, [, a]) => s + a.n, 0)} calls, ${Math.round(total)} ms (summed; side-by-side calls overlap)`);
      for (const [name, a] of rows) lines.push(`[simulate]   ${name.padEnd(28)} ${String(a.n).padStart(6)} × ${(a.ms / a.n).toFixed(1).padStart(6)} ms = ${String(Math.round(a.ms)).padStart(6)} ms`);
      console.error(lines.join('\n'));
    },
  };
}

/** Worker and core logs at warning level and above only (the rehearsal prints its own lines). */
function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } } });
  } catch {
    // Already installed (tests, or a second rehearsal in this process): keep it.
  }
}

/** Until the run exists, is past opening and has no activity or workflow task outstanding (its prompts are written). */
async function waitPrompted(h: {
  describe(): Promise<{ status: { name: string }; raw: { pendingActivities?: unknown[] | null; pendingWorkflowTask?: unknown } }>;
  query<T>(name: string): Promise<T>;
}): Promise<void> {
  // The query first, then the description: a run whose state lists a prompt sent has scheduled all its
  // prompts (one workflow task), so once nothing is outstanding after that, every prompt is written.
  // Looking the other way round, a run could be seen idle while the task that schedules its prompts
  // was still being completed, and the prompts read one step late (seen once in three full runs).
  let quiet = 0;
  for (let i = 0; i < 3000; i++) {
    try {
      if ((await h.describe()).status.name !== 'RUNNING') return;
      const s = await h.query<{ phase: string; notified?: string[] }>('status');
      const d = await h.describe();
      if (d.status.name !== 'RUNNING') return;
      const idle = !d.raw.pendingWorkflowTask && !d.raw.pendingActivities?.length;
      if (idle && s.phase !== 'opening' && (s.notified?.length ?? 0) > 0) return;
      // A run that prompts nobody (every unit in already): past opening and idle for a while.
      quiet = idle && s.phase !== 'opening' ? quiet + 1 : 0;
      if (quiet >= 40) return;
    } catch {
      // Not started yet (the tick starts it through an activity), or not queryable yet.
    }
    await new Promise((r) => setTimeout(r, i < 20 ? 10 : 50));
  }
  throw new Error('a cycle run never finished opening');
}

/** Until none of the runs has an activity or workflow task outstanding (what they send is written); 30 s at most. */
async function waitSettled(handles: Array<{ describe(): Promise<{ status: { name: string }; raw: { pendingActivities?: unknown[] | null; pendingWorkflowTask?: unknown } }> }>): Promise<void> {
  const busy = async (h: (typeof handles)[number]) => {
    try {
      const d = await h.describe();
      return d.status.name === 'RUNNING' && (!!d.raw.pendingWorkflowTask || !!d.raw.pendingActivities?.length);
    } catch {
      return false; // never started (a death reported after the end)
    }
  };
  const until = Date.now() + 30_000;
  for (let i = 0; Date.now() < until; i++) {
    let any = false;
    for (let j = 0; j < handles.length && !any; j += 50) any = (await Promise.all(handles.slice(j, j + 50).map(busy))).some(Boolean);
    if (!any) return;
    await new Promise((r) => setTimeout(r, i < 20 ? 10 : 50));
  }
}

async function waitClosed(h: { workflowId: string; describe(): Promise<{ status: { name: string } }> }): Promise<void> {
  // Poll (a result() wait would let the server skip time).
  for (let i = 0; ; i++) {
    const d = await h.describe();
    if (d.status.name !== 'RUNNING') {
      if (d.status.name !== 'COMPLETED') throw new Error(`${h.workflowId} ended ${d.status.name}`);
      return;
    }
    await new Promise((r) => setTimeout(r, i < 20 ? 10 : 50));
  }
}

/**
 * The workflow ids of the runs a tick of `kind` on `date` finds due (started, or found already
 * there): the planners `cycleTick` (workflows/cycle-tick.ts) calls, in the same order and with the
 * same calendar (the phase summary's move off holidays, patch 'phase-summary-moves-off-holidays',
 * is in force for every tick a rehearsal starts).
 */
export function runsOpenedByTick(policy: CountyPolicy, countyRegionId: number, kind: CycleKind, date: LocalDate, calendar: WorkCalendar): string[] {
  switch (kind) {
    case 'progress':
    case 'phase-summary':
    case 'village-chain': {
      const id = promptedRunOpenedBy(policy, countyRegionId, kind, date, calendar);
      return id ? [id] : [];
    }
    case 'payment-watch':
      return paymentWatchesToOpen(policy, date, calendar).map((p) => paymentWatchWorkflowId(countyRegionId, p.kind, p.periodMonth));
    case 'daily-digest':
      return digestDue(policy, date, calendar).due ? [dailyDigestWorkflowId(countyRegionId, date)] : [];
  }
}

/** The workflow id of the prompted run (progress cycle, phase summary, village chain) a tick of `kind` on `date` finds due, if any. */
function promptedRunOpenedBy(policy: CountyPolicy, countyRegionId: number, kind: CycleKind, date: LocalDate, calendar: WorkCalendar): string | null {
  if (kind === 'progress') {
    const d = progressCycleToOpen(policy, date, calendar);
    return d ? progressCycleWorkflowId(countyRegionId, d.nominal) : null;
  }
  if (kind === 'phase-summary') {
    const d = phaseSummaryToOpen(policy, date);
    return d ? phaseSummaryWorkflowId(countyRegionId, d.id) : null;
  }
  if (kind === 'village-chain') {
    const d = villageChainToOpen(policy, date, calendar);
    return d ? villageChainWorkflowId(countyRegionId, d.month) : null;
  }
  return null;
}
