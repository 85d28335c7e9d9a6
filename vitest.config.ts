import { defineConfig } from 'vitest/config';

// One run, four kinds of test, sharing servers that the root global setup
// starts once per run (PostgreSQL or PGlite, the Temporal dev server, the Java
// time-skipping test server) and hands over through provide/inject.
// - unit: pure code, no servers.
// - db: real database.
// - integration: real database + Temporal dev server.
// - browser: a real Chromium against the console and dashboard over loopback.
// - workflows: the time-skipping server, one per file (test/support/temporal.ts:
//   each file's clock starts at the tests' pinned now, test/support/clock.ts). They run one at a time, after the
//   others, to keep the JVMs and time skipping off each other's cores.
// The Temporal core bridge is native: forks, not threads (sdk-typescript#876).
// Projects do not `extends` the root: that would run the global setup once
// more per project.
const shared = {
  pool: 'forks' as const,
  testTimeout: 60_000,
  hookTimeout: 120_000,
};
/** Projects with a database: each file gets one of its own on PostgreSQL (test/setup/file-database.ts). */
const withDatabase = { ...shared, setupFiles: ['test/setup/file-database.ts'] };

export default defineConfig({
  test: {
    globalSetup: ['test/setup/global.ts'],
    maxWorkers: 2,
    projects: [
      { test: { ...shared, name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { test: { ...withDatabase, name: 'db', include: ['test/db/**/*.test.ts'] } },
      { test: { ...withDatabase, name: 'integration', include: ['test/integration/**/*.test.ts'] } },
      { test: { ...withDatabase, name: 'bot', include: ['test/bot/**/*.test.ts'] } },
      // Fault drills: `jiuzhu start` as a child process, parts of it killed (test/drills/).
      { test: { ...withDatabase, name: 'drills', include: ['test/drills/**/*.test.ts'], testTimeout: 240_000 } },
      // Debian's Chromium driven by playwright-core (test/support/browser.ts).
      { test: { ...withDatabase, name: 'browser', include: ['test/browser/**/*.test.ts'] } },
      {
        test: {
          ...withDatabase,
          name: 'workflows',
          include: ['test/workflows/**/*.test.ts'],
          fileParallelism: false,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
