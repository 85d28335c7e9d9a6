import { defineConfig } from 'vitest/config';

// One run, three kinds of test:
// - unit: pure code under domain/ and friends, no servers.
// - db / workflows / integration: need the real servers, which global setup starts
//   once per run (PostgreSQL or PGlite, the Temporal dev server, the Java
//   time-skipping test server) and hands over through provide/inject.
// The Temporal core bridge is native: forks, not threads (sdk-typescript#876).
export default defineConfig({
  test: {
    pool: 'forks',
    globalSetup: ['test/setup/global.ts'],
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: keep concurrency modest so server start-up limits are not starved.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
