import { spawn, execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';

import { PROJECT_ROOT } from '../project-root.js';

const execFileAsync = promisify(execFile);
const repoRoot = PROJECT_ROOT;

/**
 * Where the Temporal CLI binary comes from: an explicit path, or
 * scripts/temporal-cli.sh (cache, else `go install` from the module proxy).
 * Returns 'download' when neither works and the SDK must fetch it.
 */
export async function resolveTemporalCli(explicitPath?: string): Promise<string> {
  if (explicitPath) {
    if (!fs.existsSync(explicitPath)) throw new Error(`TEMPORAL_CLI_PATH 指向的文件不存在：${explicitPath}`);
    return explicitPath;
  }
  const { stdout } = await execFileAsync('bash', [path.join(repoRoot, 'scripts/temporal-cli.sh')], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const last = stdout.trim().split('\n').pop();
  if (!last) throw new Error('scripts/temporal-cli.sh printed no path');
  return last;
}

/** Arguments the dev server needs for this product: updates on, one namespace, loopback. */
export function devServerArgs(opts: {
  port: number;
  uiPort?: number;
  namespace: string;
  dbFilename?: string;
  ip?: string;
}): string[] {
  const args = [
    'server', 'start-dev',
    '--ip', opts.ip ?? '127.0.0.1',
    '--port', String(opts.port),
    '--namespace', opts.namespace,
    '--log-format', 'json',
    '--log-level', 'warn',
    '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true',
    '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
    '--dynamic-config-value', 'frontend.enableExecuteMultiOperation=true',
  ];
  if (opts.dbFilename) args.push('--db-filename', opts.dbFilename);
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort));
  else args.push('--headless');
  return args;
}

export function isPortInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

/** Polls the frontend until it answers GetSystemInfo, or fails after `timeoutMs`. */
export async function waitForTemporal(address: string, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) {
      throw new Error(`Temporal 开发服务器启动失败（退出码 ${child.exitCode}）`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`Temporal 服务器 ${address} 在 ${timeoutMs / 1000} 秒内没有就绪：${String(lastError)}`);
}

export interface DevServer {
  address: string;
  uiUrl: string | undefined;
  pid: number | undefined;
  stop(): Promise<void>;
}

/**
 * Starts `temporal server start-dev` as a child of this process with its SQLite
 * file in the data folder, so workflow state survives a restart. The child is
 * killed when `stop()` is called or this process exits.
 */
export async function startDevServer(opts: {
  cliPath: string;
  dataDir: string;
  port: number;
  uiPort?: number;
  namespace: string;
  timeoutMs?: number;
}): Promise<DevServer> {
  if (await isPortInUse(opts.port)) {
    throw new Error(
      `端口 ${opts.port} 已被占用：可能已有一个 Temporal 服务器在运行。` +
        `请先停止它，或设置 JIUZHU_TEMPORAL_PORT 换一个端口，或设置 TEMPORAL_ADDRESS 直接使用它。`,
    );
  }
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const logPath = path.join(opts.dataDir, 'temporal-dev-server.log');
  const log = fs.openSync(logPath, 'a');
  const child = spawn(
    opts.cliPath,
    devServerArgs({ ...opts, dbFilename: path.join(opts.dataDir, 'temporal.sqlite') }),
    { stdio: ['ignore', log, log] },
  );
  fs.closeSync(log);
  const kill = () => { if (child.exitCode === null) child.kill('SIGTERM'); };
  process.once('exit', kill);
  const address = `127.0.0.1:${opts.port}`;
  try {
    await waitForTemporal(address, opts.timeoutMs ?? 60_000, child);
  } catch (err) {
    kill();
    throw new Error(`${(err as Error).message}\n日志：${logPath}`);
  }
  return {
    address,
    uiUrl: opts.uiPort ? `http://127.0.0.1:${opts.uiPort}` : undefined,
    pid: child.pid,
    async stop() {
      process.removeListener('exit', kill);
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
