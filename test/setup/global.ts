import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { bundleWorkflowCode } from '@temporalio/worker';
import { setupDatabase } from './database.js';
import { startTemporalServers } from './temporal.js';

/** Starts every server once for the whole run and hands their addresses to the test files. */
export default async function setup(project: TestProject) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-test-'));
  const temporal = await startTemporalServers();
  const db = await setupDatabase();
  const bundle = await bundleWorkflowCode({
    workflowsPath: path.resolve(import.meta.dirname, '../../workflows/index.ts'),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error },
  });
  const workflowBundlePath = path.join(tmp, 'workflow-bundle.js');
  fs.writeFileSync(workflowBundlePath, bundle.code);

  project.provide('databaseUrl', db.url);
  project.provide('databaseKind', process.env.DATABASE_URL ? 'postgresql' : 'pglite');
  project.provide('temporalDevAddress', temporal.devServerAddress);
  project.provide('temporalTimeSkippingAddress', temporal.timeSkippingAddress);
  project.provide('workflowBundlePath', workflowBundlePath);
  console.log(
    `[setup] database: ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}; ` +
      `time-skipping server up in ${temporal.startMs.timeSkipping} ms, dev server in ${temporal.startMs.devServer} ms`,
  );

  return async () => {
    await temporal.teardown();
    await db.teardown();
    fs.rmSync(tmp, { recursive: true, force: true });
  };
}
