import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';

const scripts = path.resolve(import.meta.dirname, '../../scripts');

function scriptPath(script: string): string {
  const out = execFileSync('bash', [path.join(scripts, script)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return out.trim().split('\n').pop()!;
}

export interface TemporalServers {
  devServerAddress: string;
  timeSkippingAddress: string;
  /** The test server executable (per-file servers start from it). */
  testServerPath: string;
  /** Milliseconds each server took to answer. */
  startMs: { devServer: number; timeSkipping: number };
  teardown(): Promise<void>;
}

/**
 * Starts the two real Temporal servers the suite uses, through the SDK's own
 * ephemeral-server support with executables built here (no download):
 * the Temporal CLI dev server and the Java time-skipping test server.
 */
export async function startTemporalServers(): Promise<TemporalServers> {
  const cli = scriptPath('temporal-cli.sh');
  const testServer = scriptPath('temporal-test-server.sh');
  if (cli === 'download') throw new Error('no Temporal CLI: install Go or set TEMPORAL_CLI_PATH');

  // The JVM first, alone, so its ~5 s start limit is not shared with the Go server's start.
  let t = Date.now();
  const timeSkipping = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testServer } },
  });
  const timeSkippingMs = Date.now() - t;
  t = Date.now();
  const dev = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cli },
      ip: '127.0.0.1',
      extraArgs: ['--dynamic-config-value', 'frontend.enableExecuteMultiOperation=true'],
    },
  });
  const devMs = Date.now() - t;
  return {
    devServerAddress: dev.address,
    timeSkippingAddress: timeSkipping.address,
    testServerPath: testServer,
    startMs: { devServer: devMs, timeSkipping: timeSkippingMs },
    async teardown() {
      await Promise.allSettled([dev.teardown(), timeSkipping.teardown()]);
    },
  };
}
