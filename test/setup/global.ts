import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { bundleWorkflowCode } from '@temporalio/worker';
import { setupDatabase } from './database.js';
import { startTemporalServers } from './temporal.js';

/**
 * Starts every server once for the whole run and hands their addresses to the
 * test files. A run of only the `unit` project starts nothing.
 */
export default async function setup(project: TestProject) {
  const selected = project.vitest.projects.map((p) => p.name);
  if (selected.every((name) => name === 'unit')) return;

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-test-'));
  const timings: string[] = [];
  const timed = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    const result = await fn();
    timings.push(`${label} ${Date.now() - t} ms`);
    return result;
  };
  const temporal = await timed('temporal servers', startTemporalServers);
  const [db, bundle] = await Promise.all([
    timed('database + migrations', setupDatabase),
    timed('workflow bundle', () =>
      bundleWorkflowCode({
        workflowsPath: path.resolve(import.meta.dirname, '../../workflows/index.ts'),
        logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error },
      }),
    ),
  ]);
  const workflowBundlePath = path.join(tmp, 'workflow-bundle.js');
  fs.writeFileSync(workflowBundlePath, bundle.code);

  project.provide('databaseUrl', db.url);
  project.provide('databaseKind', db.kind);
  project.provide('databaseTemplate', db.template ?? '');
  project.provide('pgliteFileDatabases', db.fileDatabases ?? '');
  project.provide('temporalDevAddress', temporal.devServerAddress);
  project.provide('temporalTimeSkippingAddress', temporal.timeSkippingAddress);
  project.provide('temporalTestServerPath', temporal.testServerPath);
  project.provide('workflowBundlePath', workflowBundlePath);
  console.log(
    `[setup] database: ${db.kind}; time-skipping server answered in ${temporal.startMs.timeSkipping} ms, ` +
      `dev server in ${temporal.startMs.devServer} ms; ${timings.join(', ')}`,
  );

  return async () => {
    await temporal.teardown();
    await db.teardown();
    fs.rmSync(tmp, { recursive: true, force: true });
  };
}
