import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Worker } from '@temporalio/worker';
import type { AppConfig } from './config.js';
import { openDatabase } from './db/index.js';
import { startBotFronts } from './bot/fronts.js';
import { loadCalendar, loadCountyPolicy } from './county.js';
import type { PrismaClient } from './db/client.js';
import { bringDemoToLife, demoModeFor, findDemoCounty } from './demo/index.js';
import { ensureSchedules } from './schedules.js';
import { policyInForce } from './campaign/index.js';
import { toChinaDate } from '../domain/time/instants.js';
import { watchCalendarCoverage } from './calendar-watch.js';
import { createHttpServer } from './server.js';
import { createDataConverter, loadPayloadKey } from './temporal/payload-codec.js';
import { resolveTemporalCli, startDevServer, waitForTemporal, type DevServer } from './temporal/dev-server.js';
import { createWorker } from './worker.js';
import { sweepPendingWork } from './cases/findings-to-work.js';

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
    if (options.prepareDatabase) await options.prepareDatabase(db.prisma);

    let devServer: DevServer | undefined;
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
      });
      stack.push(() => devServer!.stop());
      temporalAddress = devServer.address;
    } else {
      await waitForTemporal(temporalAddress, 30_000);
    }

    const nativeConnection = await NativeConnection.connect({ address: temporalAddress! });
    stack.push(() => nativeConnection.close());
    const connection = await Connection.connect({ address: temporalAddress! });
    stack.push(() => connection.close());

    const dataConverter = createDataConverter(loadPayloadKey(config.dataDir));
    let worker: Worker | undefined;
    if (mode !== 'server') {
      const w = await createWorker({
        connection: nativeConnection,
        namespace: config.temporal.namespace,
        taskQueue: config.temporal.taskQueue,
        db: { prisma: db.prisma, dataDir: config.dataDir },
        dataConverter,
      });
      worker = w;
      const workerRun = w.run();
      stack.push(async () => {
        if (w.getState() === 'RUNNING') w.shutdown();
        await workerRun.catch(() => {});
      });
    }

    const http = createHttpServer({
      temporal: connection,
      prisma: db.prisma,
      databaseKind: db.kind,
      workerState: () => worker?.getState() ?? 'NOT_IN_THIS_PROCESS',
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
