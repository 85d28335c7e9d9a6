import { defineConfig } from 'vitest/config';

// One run, four kinds of test, sharing servers that global setup starts once
// per run (PostgreSQL or PGlite, the Temporal dev server, the Java
// time-skipping test server) and hands over through provide/inject.
// - unit: pure code, no servers.
// - db: real database.
// - integration: real database + Temporal dev server.
// - workflows: the time-skipping server. Its clock is one for the whole server,
//   so these files run one at a time, after the others.
// The Temporal core bridge is native: forks, not threads (sdk-typescript#876).
export default defineConfig({
  test: {
    pool: 'forks',
    globalSetup: ['test/setup/global.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'db', include: ['test/db/**/*.test.ts'] } },
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'] } },
      {
        extends: true,
        test: {
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
