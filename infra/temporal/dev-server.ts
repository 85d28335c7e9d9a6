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
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`Temporal 开发服务器启动失败（${child.signalCode ? `信号 ${child.signalCode}` : `退出码 ${child.exitCode}`}）`);
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
  /** The running child's pid (changes when the supervisor restarts it). */
  readonly pid: number | undefined;
  /** Called with 'down' when the child died unexpectedly and 'up' once a restarted child answers. */
  onStateChange(listener: (state: 'down' | 'up') => void): void;
  stop(): Promise<void>;
}

/** File in the data folder naming the pid of the dev server started for that folder. */
export const DEV_SERVER_PID_FILE = 'temporal-dev-server.pid';

function cmdlineOf(pid: number): string[] | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether a command line is a Temporal dev server on this SQLite file. */
function servesSqlite(cmd: string[], sqlitePath: string): boolean {
  const i = cmd.indexOf('--db-filename');
  return cmd.includes('start-dev') && i >= 0 && cmd[i + 1] === sqlitePath;
}

/**
 * Pids of dev servers still running on this data folder's SQLite file: the one named in the pid
 * file, and any other process whose command line names the same file (Linux /proc; elsewhere only
 * the pid file, checked with `ps` unavailable, is trusted when its process is alive).
 */
export function findLeftoverDevServers(dataDir: string): number[] {
  const sqlitePath = path.join(dataDir, 'temporal.sqlite');
  const found = new Set<number>();
  const pidFile = path.join(dataDir, DEV_SERVER_PID_FILE);
  const recorded = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').trim()) : NaN;
  const hasProc = fs.existsSync('/proc/self/cmdline');
  if (Number.isInteger(recorded) && recorded > 0 && alive(recorded)) {
    const cmd = cmdlineOf(recorded);
    if (cmd ? servesSqlite(cmd, sqlitePath) : !hasProc) found.add(recorded);
  }
  if (hasProc) {
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      if (pid === process.pid) continue;
      const cmd = cmdlineOf(pid);
      if (cmd && servesSqlite(cmd, sqlitePath)) found.add(pid);
    }
  }
  return [...found];
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !alive(pid);
}

/**
 * Stops dev servers left running on this data folder (a previous `jiuzhu start` killed with -9):
 * SIGTERM, then SIGKILL after 5 s. Two servers on one SQLite file would corrupt it.
 */
export async function stopLeftoverDevServers(dataDir: string, say: (line: string) => void = () => {}): Promise<number[]> {
  const pids = findLeftoverDevServers(dataDir);
  for (const pid of pids) {
    say(`发现上次遗留的 Temporal 开发服务器（进程 ${pid}，使用同一数据目录），正在停止它…`);
    try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
    if (!(await waitGone(pid, 5000))) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      await waitGone(pid, 5000);
    }
  }
  fs.rmSync(path.join(dataDir, DEV_SERVER_PID_FILE), { force: true });
  return pids;
}

/**
 * A detached watchdog: polls the parent every 500 ms and SIGKILLs the child once the parent is
 * gone (Node cannot set PR_SET_PDEATHSIG); it exits by itself when the child exits.
 */
const WATCHDOG = `
const [parent, child] = process.argv.slice(-2).map(Number);
const alive = (p) => { try { process.kill(p, 0); return true; } catch { return false; } };
setInterval(() => {
  if (!alive(child)) process.exit(0);
  if (!alive(parent)) { try { process.kill(child, 'SIGKILL'); } catch {} process.exit(0); }
}, 500);
`;

function spawnWatchdog(childPid: number): void {
  const w = spawn(process.execPath, ['-e', WATCHDOG, '--', String(process.pid), String(childPid)], { detached: true, stdio: 'ignore' });
  w.on('error', () => {});
  w.unref();
}

/**
 * Starts `temporal server start-dev` as a child of this process with its SQLite
 * file in the data folder, so workflow state survives a restart. A leftover
 * server of the same folder is stopped first; the child dies with this process
 * (exit handler, plus a watchdog for kill -9); when the child dies on its own,
 * it is restarted on the same port and file with back-off (1 s doubling to 30 s),
 * each step said in Chinese through `say`. `stop()` ends it.
 */
export async function startDevServer(opts: {
  cliPath: string;
  dataDir: string;
  port: number;
  uiPort?: number;
  namespace: string;
  timeoutMs?: number;
  say?: (line: string) => void;
}): Promise<DevServer> {
  const say = opts.say ?? (() => {});
  fs.mkdirSync(opts.dataDir, { recursive: true });
  await stopLeftoverDevServers(opts.dataDir, say);
  if (await isPortInUse(opts.port)) {
    throw new Error(
      `端口 ${opts.port} 已被占用：可能已有一个 Temporal 服务器在运行。` +
        `请先停止它，或设置 JIUZHU_TEMPORAL_PORT 换一个端口，或设置 TEMPORAL_ADDRESS 直接使用它。`,
    );
  }
  const logPath = path.join(opts.dataDir, 'temporal-dev-server.log');
  const pidPath = path.join(opts.dataDir, DEV_SERVER_PID_FILE);
  const args = devServerArgs({ ...opts, dbFilename: path.join(opts.dataDir, 'temporal.sqlite') });
  const address = `127.0.0.1:${opts.port}`;
  const listeners: Array<(state: 'down' | 'up') => void> = [];
  let stopping = false;
  let child: ChildProcess;
  let restartTimer: NodeJS.Timeout | undefined;
  let failures = 0;
  let upSince = 0;

  const kill = () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM'); };
  process.once('exit', kill);

  const spawnChild = () => {
    const log = fs.openSync(logPath, 'a');
    child = spawn(opts.cliPath, args, { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    child.on('error', () => {});
    if (child.pid) {
      fs.writeFileSync(pidPath, `${child.pid}\n`);
      spawnWatchdog(child.pid);
    }
    child.once('exit', (code, signal) => onExit(child, code, signal));
  };

  const scheduleRestart = (why: string) => {
    if (Date.now() - upSince > 60_000) failures = 0;
    failures++;
    const delay = Math.min(30_000, 1000 * 2 ** (failures - 1));
    say(`${why}，${delay / 1000} 秒后在同一端口 ${opts.port} 重启（第 ${failures} 次）。日志：${logPath}`);
    restartTimer = setTimeout(() => { void restart(); }, delay);
  };

  const onExit = (which: ChildProcess, code: number | null, signal: NodeJS.Signals | null) => {
    if (stopping || which !== child) return;
    for (const l of listeners) l('down');
    scheduleRestart(`Temporal 开发服务器意外退出（${signal ? `信号 ${signal}` : `退出码 ${code}`}）`);
  };

  const restart = async () => {
    if (stopping) return;
    if (await isPortInUse(opts.port)) {
      scheduleRestart(`Temporal 开发服务器无法重启：端口 ${opts.port} 已被其他程序占用，请停止占用该端口的程序`);
      return;
    }
    spawnChild();
    try {
      await waitForTemporal(address, opts.timeoutMs ?? 60_000, child);
    } catch {
      // Not ready in time: a hung child is killed, and its exit handler schedules the next attempt.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return;
    }
    if (stopping) return;
    upSince = Date.now();
    say(`Temporal 开发服务器已重启（端口 ${opts.port}，进程 ${child.pid}），工作进程将自动重新连接。`);
    for (const l of listeners) l('up');
  };

  spawnChild();
  try {
    await waitForTemporal(address, opts.timeoutMs ?? 60_000, child!);
  } catch (err) {
    stopping = true;
    kill();
    fs.rmSync(pidPath, { force: true });
    throw new Error(`${(err as Error).message}\n日志：${logPath}`);
  }
  upSince = Date.now();
  return {
    address,
    uiUrl: opts.uiPort ? `http://127.0.0.1:${opts.uiPort}` : undefined,
    get pid() { return child.pid; },
    onStateChange(listener) { listeners.push(listener); },
    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      process.removeListener('exit', kill);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      fs.rmSync(pidPath, { force: true });
    },
  };
}
