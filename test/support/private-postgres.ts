// A PostgreSQL cluster of one test's own, in a temp folder on a random port, that the test may stop
// and start (the database-restart drill). Same binaries and options as scripts/postgres.sh: the newest
// /usr/lib/postgresql/*/bin, trust auth, superuser `postgres`, fsync off; run as the `postgres` OS
// user when the tests run as root (PostgreSQL refuses root).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { freePort } from './jiuzhu-process.js';

/** The newest PostgreSQL server binaries, or undefined when none are installed. */
export function postgresBin(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!fs.existsSync(base)) return undefined;
  const versions = fs
    .readdirSync(base)
    .filter((v) => ['postgres', 'initdb', 'pg_ctl', 'createdb'].every((b) => fs.existsSync(path.join(base, v, 'bin', b))))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(base, versions[0], 'bin') : undefined;
}

export interface PrivatePostgres {
  url: string;
  port: number;
  dir: string;
  /** `pg_ctl stop -m fast` (what a service restart does: connections terminated). */
  stop(): void;
  start(): void;
  /** Stops the server (if running) and removes the folder. */
  destroy(): void;
}

function ownerIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (r.status !== 0 || g.status !== 0) throw new Error('running as root, but there is no `postgres` OS user to run PostgreSQL as');
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

export async function startPrivatePostgres(bin: string, database = 'jiuzhu_drill'): Promise<PrivatePostgres> {
  const owner = ownerIds();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-drill-pg-'));
  if (owner) fs.chownSync(dir, owner.uid, owner.gid);
  const data = path.join(dir, 'data');
  const port = await freePort();
  const run = (cmd: string, args: string[]) => {
    const full = path.join(bin, cmd);
    const r = owner ? spawnSync('runuser', ['-u', 'postgres', '--', full, ...args], { encoding: 'utf8' }) : spawnSync(full, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}\n${fs.existsSync(path.join(dir, 'server.log')) ? fs.readFileSync(path.join(dir, 'server.log'), 'utf8').slice(-3000) : ''}`);
  };
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C']);
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories='${dir}' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100`;
  const start = () => run('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', '-o', options, 'start']);
  const stop = () => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
  start();
  run('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', database]);
  let running = true;
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/${database}`,
    port,
    dir,
    stop() {
      stop();
      running = false;
    },
    start() {
      start();
      running = true;
    },
    destroy() {
      try {
        if (running) stop();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
