import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import { createPrismaClient, type PrismaClient } from '../../infra/db/client.js';
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { createActivities, type Database } from '../../activities/index.js';
import { createDataConverter, payloadKeyFromBase64 } from '../../infra/temporal/payload-codec.js';
import { TEST_NOW_MS, writeFixtureHolidayOverrides } from './clock.js';
import { testDatabaseUrl } from './database.js';

/** The payload key of the test run: every client and worker encrypts as in production. */
export const testDataConverter = createDataConverter(
  payloadKeyFromBase64(Buffer.alloc(32, 7).toString('base64')),
);

/**
 * Starts a Java time-skipping test server of this test file's own (the
 * executable the run's global setup built, ~1 s to start with its AppCDS
 * archive) and connects to it. One server per file, not one per run: the
 * server has one clock, and a file that skips months (or leaves a workflow
 * waiting that locks time skipping) must not move the clock of the next file.
 * Every file's server starts at the tests' now (test/support/clock.ts), through the
 * launcher that takes an initial time (scripts/temporal-test-server.sh writes it
 * beside the stock one), whatever the machine's date.
 */
export async function connectTimeSkipping(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: timeSkippingServerAtPath() }, extraArgs: ['--initial-time-ms', String(TEST_NOW_MS)] },
    client: { dataConverter: testDataConverter },
  });
}

/** The time-skipping launcher whose clock can start at a given instant (`--initial-time-ms`). */
export function timeSkippingServerAtPath(): string {
  const at = process.env.TEMPORAL_TEST_SERVER_AT_PATH || path.join(path.dirname(inject('temporalTestServerPath')), 'temporal-test-server-at');
  if (!fs.existsSync(at)) {
    throw new Error(`no ${at}: the tests' time-skipping servers start at a pinned instant through it; install a JDK (javac) and rerun scripts/temporal-test-server.sh`);
  }
  return at;
}

/** Connects to the run's shared Temporal dev server (full server, real time). */
export function connectDevServer(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createFromExistingServer({
    address: inject('temporalDevAddress'),
    client: { dataConverter: testDataConverter },
  });
}

/**
 * The result of a workflow that ends by itself now (its last step was just taken), read without letting the
 * time-skipping server skip. `handle.result()` on a time-skipping client unlocks time skipping while it waits:
 * a workflow still waiting on a timer is carried to it silently (so an assertion on how it ended passes
 * whatever ended it: the step under test, or a timeout days later), and with nothing left pending the server
 * jumps to its next timer or ten years on, and the file's next test starts in another decade. This polls
 * `describe()` in real time until the run is no longer running (failing after `timeoutMs`), then reads the
 * result through a plain client of the same connection, which does not unlock. A test that wants time to
 * pass says so with `env.sleep(ms)`.
 */
export async function resultWithoutSkipping<R>(
  env: TestWorkflowEnvironment,
  handle: { workflowId: string; describe(): Promise<{ status: { name: string } }>; result(): Promise<R> },
  timeoutMs = 30_000,
): Promise<R> {
  const end = Date.now() + timeoutMs;
  while ((await handle.describe()).status.name === 'RUNNING') {
    if (Date.now() > end) throw new Error(`workflow ${handle.workflowId} did not end by itself within ${timeoutMs} ms of real time (no time skipping)`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const plain = new Client({ connection: env.connection, dataConverter: testDataConverter });
  return plain.workflow.getHandle(handle.workflowId).result() as Promise<R>;
}

let queueCounter = 0;
/** A task queue of its own per test, so tests never pick up each other's tasks. */
export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now()}-${queueCounter++}`;
}

/** A worker with the real activities and the run's prebuilt workflow bundle. */
export function createTestWorker(opts: {
  connection: NativeConnection;
  taskQueue: string;
  db: Database;
  namespace?: string;
}): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue: opts.taskQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    activities: createActivities({ ...opts.db, dataDir: opts.db.dataDir ?? testDataDir() }),
    dataConverter: testDataConverter,
  });
}

let dataDir: string | undefined;
/**
 * A data folder of this test process (statutory tables written by cycles), unless a test passes its own;
 * its holiday overrides hold the tests' fixture years (test/support/clock.ts).
 */
function testDataDir(): string {
  if (!dataDir) {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-test-data-'));
    writeFixtureHolidayOverrides(dataDir);
  }
  return dataDir;
}

export interface TemporalTestContext {
  /** Set before the file's tests run. */
  env: TestWorkflowEnvironment;
  prisma: PrismaClient;
}

/**
 * The usual life of a Temporal test file: connect to one of the run's servers
 * and the run's database before the tests, close both after them.
 */
export function useTemporalTestContext(connect: () => Promise<TestWorkflowEnvironment>): TemporalTestContext {
  const ctx = { prisma: createPrismaClient(testDatabaseUrl()) } as TemporalTestContext;
  beforeAll(async () => {
    ctx.env = await connect();
  });
  afterAll(async () => {
    await ctx.env?.teardown();
    await ctx.prisma.$disconnect();
  });
  return ctx;
}

/**
 * Terminates a workflow a test no longer needs, once it sits idle on its timers:
 * no activity and no workflow task in flight. Terminating one cut off mid-task,
 * or leaving its timers pending, stops the shared time-skipping server from skipping.
 */
export async function terminateWhenIdle(handle: { describe(): Promise<{ raw: { pendingActivities?: unknown[] | null; pendingWorkflowTask?: unknown } }>; terminate(reason?: string): Promise<unknown> }, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const d = await handle.describe();
    if (!d.raw.pendingWorkflowTask && !(d.raw.pendingActivities?.length)) break;
    if (Date.now() > until) throw new Error('workflow never went idle');
    await new Promise((r) => setTimeout(r, 100));
  }
  await handle.terminate('end of test');
}
