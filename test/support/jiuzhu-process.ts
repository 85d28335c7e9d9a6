// `jiuzhu start` as a child process on a data folder of its own, for tests that need the whole
// process tree (database, Temporal dev server, worker, HTTP server) and its signals.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { testCalendarYears, writeFixtureHolidayOverrides } from './clock.js';

const root = path.resolve(import.meta.dirname, '../..');

/** Whether `port` can be listened on at 127.0.0.1 now. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * A port free now, for a server a test starts a little later. Taken below the kernel's ephemeral range
 * (32768–60999 here): a port the kernel hands out (listen on 0) is also what the outgoing connections of
 * the other test files get, and one of them took such a port between this pick and the dev server's
 * bind (seen in CI: "bind: address already in use", the drill's `jiuzhu start` failing).
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canListen(port)) return port;
  }
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export async function freePorts(): Promise<JiuzhuPorts> {
  return { http: await freePort(), temporal: await freePort(), ui: await freePort(), pglite: await freePort() };
}

export interface JiuzhuPorts { http: number; temporal: number; ui: number; pglite: number }

/** Pids (with command lines) of processes whose command line mentions `needle`. */
export function processesMentioning(needle: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmd.includes(needle)) found.push(`${pid}: ${cmd}`);
    } catch { /* gone */ }
  }
  return found;
}

export interface JiuzhuProcess {
  child: ChildProcess;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  ports: JiuzhuPorts;
  /** Resolves once `text` has been printed after `from` (an offset into output()), or rejects after `ms`. */
  waitFor(text: string | RegExp, ms: number, from?: number): Promise<void>;
  /** Ctrl-C; resolves with the exit code. */
  ctrlC(): Promise<number | null>;
}

export async function startJiuzhu(dataDir: string, ports: JiuzhuPorts, extraArgs: string[] = [], extraEnv: Record<string, string> = {}): Promise<JiuzhuProcess> {
  let out = '';
  // `jiuzhu start` runs the Temporal dev server on the machine's clock: holiday data for the years around
  // the machine's today, fixture years where none is shipped (test/support/clock.ts), unless the test wrote its own.
  fs.mkdirSync(dataDir, { recursive: true });
  if (!fs.existsSync(path.join(dataDir, 'holiday-overrides.yaml'))) writeFixtureHolidayOverrides(dataDir, testCalendarYears(new Date().getUTCFullYear()));
  const env = { ...process.env };
  delete env.DATABASE_URL;
  delete env.TEMPORAL_ADDRESS;
  const child = spawn('node', [path.join(root, 'bin/jiuzhu.js'), 'start', ...extraArgs], {
    cwd: root,
    env: {
      ...env,
      JIUZHU_DATA_DIR: dataDir,
      JIUZHU_HTTP_PORT: String(ports.http),
      JIUZHU_TEMPORAL_PORT: String(ports.temporal),
      JIUZHU_TEMPORAL_UI_PORT: String(ports.ui),
      JIUZHU_PGLITE_PORT: String(ports.pglite),
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (b) => { out += b; });
  child.stderr!.on('data', (b) => { out += b; });
  const waitFor = async (text: string | RegExp, ms: number, from = 0) => {
    const deadline = Date.now() + ms;
    const seen = () => (typeof text === 'string' ? out.slice(from).includes(text) : text.test(out.slice(from)));
    while (!seen()) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`jiuzhu start exited (${child.exitCode ?? child.signalCode}) before printing ${String(text)}:\n${out}`);
      if (Date.now() > deadline) throw new Error(`jiuzhu start did not print ${String(text)} within ${ms} ms:\n${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  await waitFor('按 Ctrl-C 停止', 120_000);
  return {
    child,
    output: () => out,
    ports,
    waitFor,
    ctrlC() {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      return exited;
    },
  };
}
