import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import type { Worker } from '@temporalio/worker';
import type { AppConfig } from '../infra/config.js';
import { openDatabase } from '../infra/db/index.js';
import { watchDatabase } from '../infra/db/availability.js';
import { startBotFronts } from './bot/fronts.js';
import { loadCalendar, loadCountyPolicy } from '../services/county.js';
import type { PrismaClient } from '../infra/db/client.js';
import { bringDemoToLife, demoModeFor, findDemoCounty } from '../demo/index.js';
import { ensureSchedules } from '../services/schedules.js';
import { policyInForce } from '../services/campaign.js';
import { toChinaDate } from '../domain/time/instants.js';
import { watchCalendarCoverage } from '../services/calendar-watch.js';
import { createHttpServer } from './server.js';
import { createDataConverter, loadPayloadKey } from '../infra/temporal/payload-codec.js';
import { resolveTemporalCli, startDevServer, waitForTemporal, type DevServer } from '../infra/temporal/dev-server.js';
import { createWorker } from './worker.js';
import { sweepPendingWork } from '../services/cases/findings-to-work.js';
import { log } from '../infra/logger.js';

export interface RunningService {
  httpUrl: string;
  temporalAddress: string;
  temporalUiUrl: string | undefined;
  databaseKind: 'postgresql' | 'pglite';
  databaseUrl: string;
  /** The chat fronts listening (飞书、Telegram), for the banner. */
  chatFronts: string[];
  /** The console's demo mode is on (JIUZHU_DEMO=1, or the county in force is the demo county; loopback only). */
  demo: boolean;
  /** Why demo mode is on or off, when the database holds the demo county (for the banner). */
  demoNote: string | undefined;
  stop(): Promise<void>;
}

type Say = (line: string) => void;

/** A county chosen by the operator: a policy.yaml in the data folder or JIUZHU_COUNTY. */
function hasExplicitCounty(dataDir: string): boolean {
  return fs.existsSync(path.join(dataDir, 'policy.yaml')) || (process.env.JIUZHU_COUNTY ?? '') !== '';
}

const SCHEDULE_ACTION_ZH: Record<string, string> = { created: '已创建', updated: '已更新', unchanged: '无变化', deleted: '已删除' };

/**
 * Brings up everything on this machine: the database (PGlite in the data
 * folder unless DATABASE_URL is set), the Temporal dev server (unless
 * TEMPORAL_ADDRESS is set), the worker and the HTTP server. `stop()` takes it
 * all down in reverse order.
 */
export type ServiceMode =
  /** Everything in one process tree: `jiuzhu start`. */
  | 'all'
  /** The Temporal worker (with a /health endpoint): `jiuzhu worker`. */
  | 'worker'
  /** The webhook and HTTP server, no worker: `jiuzhu server`. */
  | 'server';

export interface StartOptions {
  /** Called once the database is open and migrated, before anything reads it (e.g. load the demo county). */
  prepareDatabase?: (prisma: PrismaClient) => Promise<void>;
}

/**
 * The Temporal core's own log lines (English, one per gRPC retry) collapsed to one Chinese line per
 * kind of trouble until `reset()` (the server is back). Installed once per process, before any
 * NativeConnection; a process that installed its own runtime keeps it.
 */
function installQuietRuntime(say: Say, absorb: (err: unknown) => boolean = () => false): { reset(): void } {
  const seen = new Set<string>();
  const quiet = {
    reset() {
      if (seen.size) say('Temporal 连接已恢复。');
      seen.clear();
    },
  };
  try {
    Runtime.install({
      logger: new DefaultLogger('WARN', (entry) => {
        // An activity failing because the database is unreachable: the database watch says so once.
        if (absorb((entry.meta as { error?: unknown } | undefined)?.error)) return;
        const key = entry.message.replace(/\d+/g, '#').slice(0, 60);
        if (seen.has(key)) return;
        seen.add(key);
        const text = entry.message.length > 160 ? `${entry.message.slice(0, 160)}…` : entry.message;
        say(`Temporal 连接异常（同类消息恢复前不再重复）：${text}`);
      }),
      telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } },
    });
  } catch (err) {
    // Runtime.install succeeds once per process; a second start in the same process keeps the first.
    log('temporal').debug({ err }, 'Temporal runtime already installed');
  }
  return quiet;
}

interface WorkerSupervisor {
  state(): string;
  stop(): Promise<void>;
}

/**
 * Runs the worker on its own connection and, when it fails (the Temporal server went away long
 * enough for the core to give up), reconnects and runs a new one with back-off (1 s doubling to 30 s),
 * saying so in Chinese. The first worker is created before this returns, so a broken setup fails `start`.
 */
async function superviseWorker(address: string, create: (conn: NativeConnection) => Promise<Worker>, say: Say): Promise<WorkerSupervisor> {
  let stopping = false;
  let current: { conn: NativeConnection; worker: Worker; run: Promise<void> } | undefined;
  let wake: (() => void) | undefined;
  const launch = async () => {
    const conn = await NativeConnection.connect({ address });
    try {
      const worker = await create(conn);
      current = { conn, worker, run: worker.run() };
    } catch (err) {
      await conn.close().catch(() => {});
      throw err;
    }
  };
  await launch();
  const loop = (async () => {
    let failures = 0;
    while (!stopping) {
      const c = current;
      if (c) {
        const started = Date.now();
        const failure = await c.run.then(() => undefined, (err: unknown) => err);
        await c.conn.close().catch(() => {});
        current = undefined;
        if (stopping) return;
        if (Date.now() - started > 60_000) failures = 0;
        say(`工作进程已停止${failure ? `（${failure instanceof Error ? failure.message.split('\n')[0] : String(failure)}）` : ''}，将重新连接 Temporal 并重启工作进程。`);
      }
      failures++;
      const delay = Math.min(30_000, 1000 * 2 ** (failures - 1));
      await new Promise<void>((r) => { wake = r; setTimeout(r, delay); });
      if (stopping) return;
      try {
        await launch();
        say('工作进程已重新连接 Temporal，恢复运行。');
      } catch (err) {
        say(`工作进程重新连接 Temporal 失败（${err instanceof Error ? err.message.split('\n')[0] : String(err)}），${Math.min(30, 2 ** failures)} 秒后重试。`);
      }
    }
  })();
  return {
    state: () => current?.worker.getState() ?? 'RECONNECTING',
    async stop() {
      stopping = true;
      wake?.();
      const c = current;
      if (c) {
        if (c.worker.getState() === 'RUNNING') c.worker.shutdown();
        await c.run.catch(() => {});
        await c.conn.close().catch(() => {});
      }
      await loop;
    },
  };
}

export async function startService(config: AppConfig, say: Say = () => {}, mode: ServiceMode = 'all', options: StartOptions = {}): Promise<RunningService> {
  const stack: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    while (stack.length) {
      const step = stack.pop()!;
      await step().catch((err: unknown) => say(`停止时出错：${String(err)}`));
    }
  };
  try {
    say('正在启动数据库…');
    const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, pglitePort: config.pglitePort });
    stack.push(() => db.close());
    // The database going away and coming back: said once each way (the loops retry by themselves).
    const dbWatch = watchDatabase(db.prisma, say);
    stack.push(async () => dbWatch.stop());
    if (options.prepareDatabase) await options.prepareDatabase(db.prisma);

    let devServer: DevServer | undefined;
    let temporalUp = true;
    const noise = installQuietRuntime(say, (err) => dbWatch.absorb(err));
    let temporalAddress = config.temporal.address;
    if (!temporalAddress && mode !== 'all') {
      throw new Error('单独运行 worker 或 server 时必须设置 TEMPORAL_ADDRESS。');
    }
    if (!temporalAddress) {
      say('正在启动 Temporal 开发服务器（首次运行需先编译 Temporal CLI，约 5–10 分钟）…');
      const cliPath = await resolveTemporalCli(config.temporal.cliPath);
      if (cliPath === 'download') {
        throw new Error('本机没有 Go，也没有设置 TEMPORAL_CLI_PATH：请安装 Go，或设置 TEMPORAL_ADDRESS 指向已有的 Temporal 服务器。');
      }
      devServer = await startDevServer({
        cliPath,
        dataDir: config.dataDir,
        port: config.temporal.devServerPort,
        uiPort: config.temporal.devServerUiPort,
        namespace: config.temporal.namespace,
        say,
      });
      devServer.onStateChange((state) => {
        temporalUp = state === 'up';
        if (temporalUp) noise.reset();
      });
      stack.push(() => devServer!.stop());
      temporalAddress = devServer.address;
    } else {
      await waitForTemporal(temporalAddress, 30_000);
    }

    const connection = await Connection.connect({ address: temporalAddress! });
    stack.push(() => connection.close());

    const dataConverter = createDataConverter(loadPayloadKey(config.dataDir));
    let supervisor: WorkerSupervisor | undefined;
    if (mode !== 'server') {
      const workerOptions = {
        namespace: config.temporal.namespace,
        taskQueue: config.temporal.taskQueue,
        db: { prisma: db.prisma, dataDir: config.dataDir },
        dataConverter,
      };
      supervisor = await superviseWorker(temporalAddress!, (conn) => createWorker({ connection: conn, ...workerOptions }), say);
      const s = supervisor;
      stack.push(() => s.stop());
    }

    const http = createHttpServer({
      temporal: connection,
      prisma: db.prisma,
      databaseKind: db.kind,
      // While the Temporal child is down or the worker is being recreated, /health says so (not RUNNING).
      workerState: () => (supervisor ? (temporalUp ? supervisor.state() : 'RECONNECTING') : 'NOT_IN_THIS_PROCESS'),
    });
    const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter });
    // The county in force: --county/policy.yaml/JIUZHU_COUNTY as before; with none of them, the demo
    // county's preset when the database holds the demo county.
    const demoCounty = await findDemoCounty(db.prisma);
    const basePolicy = demoCounty && !hasExplicitCounty(config.dataDir) ? loadCountyPolicy(config.dataDir, demoCounty.preset) : loadCountyPolicy(config.dataDir);
    // The campaign in force (`jiuzhu campaign start`, stored); the demo county's is placed around its `today`.
    const { policy, campaign } = await policyInForce(db.prisma, basePolicy, {
      today: toChinaDate(new Date()),
      ...(demoCounty && demoCounty.county === basePolicy.county.name ? { demoToday: demoCounty.today } : {}),
      say,
    });
    if (campaign) say(`专项行动（${policy.county.name}）：${campaign.window.start}至${campaign.window.end}（#${campaign.id}，jiuzhu campaign show 查看各周期截止时间）`);
    const demoMode = demoModeFor({ envDemo: config.demo, host: config.http.host, countyInForce: policy.county.name, demoCounty });
    const calendar = loadCalendar(config.dataDir);
    if (mode !== 'server') {
      // The reporting cycles of the county in force, as Temporal Schedules (created or updated, never duplicated).
      const county = await db.prisma.region.findFirst({ where: { level: 'COUNTY', name: policy.county.name }, select: { id: true } });
      if (county) {
        const ensured = await ensureSchedules(client, policy, county.id, config.temporal.taskQueue, { calendar });
        say(`周期任务（${policy.county.name}）：${ensured.map((e) => `${e.kind} ${SCHEDULE_ACTION_ZH[e.action] ?? e.action}`).join('，')}`);
        // Holiday data ahead of the working-day clocks: the 专班 office is told once per missing year.
        const watch = watchCalendarCoverage({ prisma: db.prisma, calendar, countyRegionId: county.id, log: say });
        stack.push(async () => watch.stop());
        // Work recorded by imports and matches while the service was down (issue 13): opened now.
        const pendingWork = await sweepPendingWork(client, db.prisma, { taskQueue: config.temporal.taskQueue, countyRegionId: county.id, policy }).catch((err: unknown) => {
          say(`开启待办工作时出错（不影响其他功能）：${err instanceof Error ? err.message : String(err)}`);
          return 0;
        });
        if (pendingWork > 0) say(`导入或比对时记录的 ${pendingWork} 项待开启工作（死亡核查、整改事项等）正在开启。`);
      } else {
        say(`尚未导入${policy.county.name}的区划和人员（jiuzhu import），报告周期暂不启动。`);
      }
      // The demo county in force: the matcher runs and the first planted problems open their cases
      // (an approval card in the console, open cases on the dashboard). Idempotent on every start.
      if (demoCounty && demoCounty.county === policy.county.name) {
        say('演示县：正在运行数据比对并开启示例案件…');
        await bringDemoToLife(client, db.prisma, policy, demoCounty.countyRegionId, { taskQueue: config.temporal.taskQueue, calendar, say }).catch((err: unknown) =>
          say(`演示县：开启示例案件时出错（不影响其他功能）：${err instanceof Error ? err.message : String(err)}`),
        );
      }
    }
    let chatFronts: string[] = [];
    if (mode !== 'worker') {
      const fronts = await startBotFronts({
        app: http,
        prisma: db.prisma,
        client,
        taskQueue: config.temporal.taskQueue,
        policy,
        calendar,
        ...(config.feishu ? { feishu: config.feishu } : {}),
        ...(config.telegram ? { telegram: config.telegram } : {}),
        deliveryIntervalMs: config.deliveryIntervalMs,
        demo: demoMode.on,
        dataDir: config.dataDir,
        log: say,
        absorbError: (err) => dbWatch.absorb(err),
      });
      stack.push(() => fronts.stop());
      chatFronts = fronts.describe;
    }
    await http.listen({ host: config.http.host, port: config.http.port });
    stack.push(() => http.close());
    const addr = http.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.http.port;

    return {
      httpUrl: `http://${config.http.host}:${port}`,
      temporalAddress: temporalAddress!,
      temporalUiUrl: devServer?.uiUrl,
      databaseKind: db.kind,
      databaseUrl: db.url,
      chatFronts,
      demo: demoMode.on,
      demoNote: demoMode.note,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
