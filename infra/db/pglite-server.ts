// The embedded default database: PGlite (PostgreSQL compiled to wasm) in a data directory, served on a
// loopback port so that everything talks plain PostgreSQL to it: `pg`, @prisma/adapter-pg, and the
// Prisma CLI (migrations) in a child process.
//
// PGlite is single-session: only one process may open a data directory, so this process serves it and
// every other one connects. The socket server multiplexes connections onto that one session (queries
// from other connections wait while one has a transaction open).
//
// PGlite accepts any user and password as superuser, so with a data folder it is served on a Unix
// socket in `<dataDir>/run` (mode 0700) instead of a TCP port: only the folder's owner can connect.
// The data folder itself is made 0700. Without a data folder (an in-memory database for tests) it
// listens on loopback.
import fs from 'node:fs';
import path from 'node:path';

import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { PGLITE_URL_MARKER } from './client.js';

export interface PgliteServerOptions {
  /** The app's data directory; PGlite's files go to `<dataDir>/pglite`. Omitted: an in-memory database. */
  dataDir?: string;
  /** Loopback port for an in-memory database (or a data folder whose socket path would be too long); 0 (the default) picks a free one. */
  port?: number;
  /**
   * Connections the socket server accepts at once. Must be more than 1: after an SQL error pg-pool drops
   * its connection and reconnects while the old socket is still closing, and with 1 the reconnect is
   * refused.
   */
  maxConnections?: number;
  /** An in-memory database starts as a copy of this dump (`PGlite.dumpDataDir`); tests copy a migrated template so. */
  loadDataDir?: Blob;
}

export interface PgliteServer {
  /** A normal PostgreSQL URL (`postgresql://postgres@localhost/postgres?host=<dataDir>/run`, or `…@127.0.0.1:PORT/…` in memory). */
  url: string;
  /** Directory of the database files, or undefined when in memory. */
  directory: string | undefined;
  /** The whole database as a tarball (`PGlite.dumpDataDir`), for `loadDataDir`. */
  dump(): Promise<Blob>;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
/** Unix socket paths are limited to 107 bytes on Linux. */
const MAX_SOCKET_PATH = 100;

/** Makes a folder (and its missing parents) readable by its owner only. */
export function privateFolder(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
}

/** Where the socket of a data folder's PGlite lives (a folder only its owner can enter). */
export function pgliteSocketDir(dataDir: string): string {
  return path.resolve(dataDir, 'run');
}

export async function startPgliteServer(options: PgliteServerOptions = {}): Promise<PgliteServer> {
  const maxConnections = options.maxConnections ?? 16;
  if (maxConnections < 2) throw new Error('startPgliteServer: maxConnections must be at least 2');

  const directory = options.dataDir === undefined ? undefined : path.resolve(options.dataDir, 'pglite');
  if (options.dataDir !== undefined) privateFolder(path.resolve(options.dataDir));
  const socketDir = options.dataDir === undefined ? undefined : pgliteSocketDir(options.dataDir);
  const socketPath = socketDir && path.join(socketDir, '.s.PGSQL.5432').length <= MAX_SOCKET_PATH ? path.join(socketDir, '.s.PGSQL.5432') : undefined;
  const releaseLock = directory === undefined ? () => {} : lockDirectory(directory);
  let db: PGlite | undefined;
  let server: PGLiteSocketServer | undefined;
  try {
    if (options.loadDataDir !== undefined && directory !== undefined) throw new Error('startPgliteServer: loadDataDir is for an in-memory database');
    db = directory !== undefined ? await PGlite.create(directory) : await PGlite.create(options.loadDataDir === undefined ? {} : { loadDataDir: options.loadDataDir });
    if (socketPath) {
      privateFolder(socketDir!);
      fs.rmSync(socketPath, { force: true }); // left by a process that died (the lock says it is gone)
    }
    server = new PGLiteSocketServer(socketPath ? { db, path: socketPath, maxConnections } : { db, host: HOST, port: options.port ?? 0, maxConnections });
    await server.start();
  } catch (error) {
    await server?.stop().catch(() => {});
    await db?.close().catch(() => {});
    releaseLock();
    throw error;
  }

  // The marker tells createPrismaClient to use a single connection (see infra/db/client.ts).
  let url: string;
  if (socketPath) {
    url = `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(socketDir!)}&${PGLITE_URL_MARKER}`;
  } else {
    const conn = server.getServerConn(); // "127.0.0.1:PORT"
    const port = Number(conn.slice(conn.lastIndexOf(':') + 1));
    url = `postgresql://postgres@${HOST}:${port}/postgres?${PGLITE_URL_MARKER}`;
  }
  // Other processes (the CLI while `jiuzhu start` runs) find the served URL in the lock file.
  if (directory !== undefined) fs.writeFileSync(`${directory}.lock`, `${process.pid}\n${url}\n`, { mode: 0o600 });
  let closing: Promise<void> | undefined;
  const started = { db, server };
  return {
    url,
    directory,
    dump: () => started.db.dumpDataDir('none'),
    close() {
      closing ??= (async () => {
        try {
          await started.server.stop();
        } finally {
          try {
            await started.db.close();
          } finally {
            releaseLock();
          }
        }
      })();
      return closing;
    },
  };
}

/**
 * PGlite itself does not stop a second process from opening the same directory (which corrupts it), so
 * keep a pid lock file beside it. A lock whose process is gone is taken over.
 */
function lockDirectory(directory: string): () => void {
  fs.mkdirSync(path.dirname(directory), { recursive: true });
  const lockFile = `${directory}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx' });
      return () => {
        try {
          if (fs.readFileSync(lockFile, 'utf8').split('\n')[0]?.trim() === String(process.pid)) fs.unlinkSync(lockFile);
        } catch {
          /* already gone */
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(fs.readFileSync(lockFile, 'utf8').trim().split('\n')[0]);
      if (Number.isInteger(pid) && pid > 0 && (pid === process.pid || isAlive(pid))) {
        throw new Error(`The PGlite database ${directory} is in use by process ${pid} (lock file ${lockFile}).`);
      }
      fs.rmSync(lockFile, { force: true }); // stale
    }
  }
  throw new Error(`Could not lock ${directory}`);
}

/**
 * The URL a live process serves this data folder's PGlite on, if any: a second
 * process connects there instead of opening the folder itself.
 */
export function findServedPglite(dataDir: string): { pid: number; url: string } | undefined {
  const lockFile = `${path.resolve(dataDir, 'pglite')}.lock`;
  let text: string;
  try {
    text = fs.readFileSync(lockFile, 'utf8');
  } catch {
    return undefined;
  }
  const [pidText, url] = text.trim().split('\n');
  const pid = Number(pidText);
  if (!url || !Number.isInteger(pid) || pid <= 0 || pid === process.pid || !isAlive(pid)) return undefined;
  return { pid, url };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
