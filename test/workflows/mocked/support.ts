/**
 * Fast workflow tests with mocked activities (the pattern of temporalio/samples-typescript): the real
 * workflow bundle on this file's own time-skipping server (started at the tests' pinned now by
 * test/support/temporal.ts), a Worker whose activities are plain async `vi.fn()`s that record their calls
 * and return canned values. No database: these tests cover a workflow's branching (which step comes next,
 * which Update is refused and why, which notification goes out with which dedupe key); what crosses the
 * database and the server end to end stays in test/workflows/*.test.ts.
 */
import { expect, inject, vi, type Mock } from 'vitest';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { NotifyActivities } from '../../../activities/notify.js';
import { resultWithoutSkipping, testDataConverter, uniqueTaskQueue } from '../../support/temporal.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFn = (...args: any[]) => any;

/** Each activity of `T` as a vitest mock of the same signature. */
export type MockedActivities<T> = { [K in keyof T]: T[K] extends AnyFn ? Mock<T[K]> : never };

/**
 * Wraps canned implementations in `vi.fn()`. Type the argument against the real activity interfaces
 * (`Pick<CaseActivities, 'closeCase' | …>`): a renamed or re-typed activity then fails to compile.
 */
export function mockActivities<T extends Record<string, AnyFn>>(impls: T): MockedActivities<T> {
  return Object.fromEntries(Object.entries(impls).map(([name, fn]) => [name, vi.fn(fn)])) as MockedActivities<T>;
}

/** The first argument of every call of a mock, in call order. */
export function callArgs<F extends AnyFn>(mock: Mock<F>): Array<Parameters<F>[0]> {
  return mock.mock.calls.map((c) => c[0] as Parameters<F>[0]);
}

/** A worker on a task queue of its own with the run's prebuilt workflow bundle and the given mocks. */
export async function mockedWorker(env: TestWorkflowEnvironment, prefix: string, activities: object): Promise<{ worker: Worker; taskQueue: string }> {
  const taskQueue = uniqueTaskQueue(prefix);
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    activities,
    dataConverter: testDataConverter,
  });
  return { worker, taskQueue };
}

/** The Chinese message an Update was refused with (fails when it was accepted). */
export async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
    return (error as WorkflowUpdateFailedError).cause?.message ?? '';
  }
  throw new Error('the update was accepted');
}

/** Polls `fn` (real time) until it returns something truthy. */
export async function until<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until `read()` (a status query) reports `want` as its phase. */
export function untilPhase<S extends { phase: string }>(read: () => Promise<S>, want: S['phase']): Promise<S> {
  return until(async () => {
    const s = await read();
    return s.phase === want ? s : null;
  });
}

/** The dedupe keys of a notify mock's calls, in order. */
export function dedupeKeys(notify: Mock<NotifyActivities['notify']>): string[] {
  return callArgs(notify).map((n) => n.dedupeKey);
}

/**
 * The result of a workflow that finishes by itself, read once it has completed and through a plain client
 * (test/support/temporal.ts `resultWithoutSkipping`): the time-skipping client's `handle.result()` would
 * let the server jump to its next timer, or ten years on, and the next test would start in 2036.
 */
export function completedResult<R>(env: TestWorkflowEnvironment, handle: { workflowId: string; describe(): Promise<{ status: { name: string } }>; result(): Promise<R> }): Promise<R> {
  return resultWithoutSkipping(env, handle, 15_000);
}

/**
 * Runs a test's body on a started workflow; when the body fails, terminates the workflow, whose timers
 * would otherwise fire with no worker left and hold the file's time-skipping server still for the next test.
 */
export async function orTerminate<T>(handle: { terminate(reason?: string): Promise<unknown> }, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    await handle.terminate('test failed').catch(() => undefined);
    throw error;
  }
}
