// The staging table of a set-based import (payments, roster): the rows that passed the row checks,
// loaded before the database checks and the writes run as set-based SQL over the whole file.
//
// - PostgreSQL: `COPY … FROM STDIN` (pg-copy-streams) on a raw `pg` connection into an UNLOGGED table
//   named per import (Prisma does not hand out its transaction's connection, so the COPY cannot run
//   inside it). The table holds only this file's parsed rows and is dropped after the transaction
//   (which reads it and holds a lock on it until then). The stored data still changes in one
//   transaction, the import's: all or nothing.
// - PGlite (its socket server has no COPY FROM STDIN): a TEMP table of the transaction, filled with one
//   multi-row INSERT per chunk.
import crypto from 'node:crypto';

import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

import type { Tx } from '../regions.js';

/** Where the parsed rows go before the SQL checks. */
export interface Stage<R> {
  readonly table: string;
  /** Rows in: push() keeps each (encoded) until the next send(); add() is both. */
  add(rows: R[]): Promise<void>;
  push(row: R): void;
  send(): Promise<void>;
  /** All rows are in (the COPY is finished and committed). */
  end(): Promise<void>;
  /** After the import's transaction has ended. */
  close(): Promise<void>;
}

/** COPY text format: backslash, tab, newline and carriage return escaped; null as \N. */
export function copyText(v: string | null): string {
  if (v === null) return '\\N';
  return /[\\\t\n\r]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : v;
}

/** Bytes of COPY data collected before they go to the stream. */
const SEND_BUFFER = 1 << 20;

/**
 * The COPY connection of one import, opened as soon as the import starts (while the file is hashed and
 * the transaction begins) rather than when the staging table is made. `discard()` closes it when no
 * stage took it (an import that stopped before); a stage that took it closes it itself.
 */
export class CopyTarget {
  readonly client: pg.Client;
  readonly connected: Promise<void>;
  private taken = false;

  constructor(readonly url: string) {
    this.client = new pg.Client({ connectionString: url });
    this.connected = this.client.connect().then(() => undefined);
    this.connected.catch(() => {}); // awaited by the stage that takes it
  }

  take(): pg.Client {
    this.taken = true;
    return this.client;
  }

  async discard(): Promise<void> {
    if (!this.taken) await this.client.end().catch(() => {});
  }
}

async function copyStage<R extends readonly unknown[]>(target: CopyTarget, batchId: number, columns: string, encode: (r: R) => string): Promise<Stage<R>> {
  const table = `import_stage_${batchId}_${crypto.randomBytes(4).toString('hex')}`;
  const client = target.take();
  try {
    await target.connected;
  } catch (err) {
    await client.end().catch(() => {});
    throw err;
  }
  let copy: ReturnType<typeof copyFrom> | undefined;
  let copyDone: Promise<void> = Promise.resolve();
  let ended = false;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    try {
      if (copy && !ended) {
        ended = true;
        copy.end();
        await copyDone.catch(() => {});
      }
      await client.query(`DROP TABLE IF EXISTS ${table}`);
    } finally {
      await client.end();
    }
  };
  try {
    await client.query(`CREATE UNLOGGED TABLE ${table} (${columns})`);
    const stream = client.query(copyFrom(`COPY ${table} FROM STDIN`));
    copy = stream;
    copyDone = new Promise<void>((resolve, reject) => {
      stream.on('finish', () => resolve());
      stream.on('error', reject);
    });
    copyDone.catch(() => {}); // awaited in end()
  } catch (err) {
    await close();
    throw err;
  }
  const stream = copy;
  // Rows encoded since the last send, written straight into buffers as UTF-8 (cheaper than building one
  // long string and converting it: a rope of thousands of rows is flattened and encoded again).
  let buf = Buffer.allocUnsafe(SEND_BUFFER);
  let used = 0;
  let full: Buffer[] = [];
  const push = (row: R) => {
    const line = encode(row);
    // At most 3 bytes of UTF-8 per UTF-16 unit.
    if (used + line.length * 3 > buf.length) {
      if (used > 0) full.push(buf.subarray(0, used));
      buf = Buffer.allocUnsafe(Math.max(SEND_BUFFER, line.length * 3));
      used = 0;
    }
    used += buf.write(line, used);
  };
  const send = async () => {
    if (used > 0) {
      full.push(buf.subarray(0, used));
      buf = Buffer.allocUnsafe(SEND_BUFFER);
      used = 0;
    }
    const out = full;
    full = [];
    for (const chunk of out) {
      if (!stream.write(chunk)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
    }
  };
  return {
    table,
    close,
    push,
    send,
    async add(rows) {
      for (const r of rows) push(r);
      await send();
    },
    async end() {
      await send();
      ended = true;
      stream.end();
      await copyDone;
      // Row count and a rough picture are all the joins over it need: a 3 000-row sample, not 30 000.
      await client.query(`SET default_statistics_target = 10`);
      await client.query(`ANALYZE ${table}`);
    },
  };
}

async function insertStage<R extends readonly unknown[]>(tx: Tx, table: string, columns: string): Promise<Stage<R>> {
  await tx.$executeRawUnsafe(`DROP TABLE IF EXISTS ${table}`);
  await tx.$executeRawUnsafe(`CREATE TEMP TABLE ${table} (${columns}) ON COMMIT DROP`);
  const names = columns.split(', ').map((c) => c.split(' ')[0]!);
  let pending: R[] = [];
  const send = async () => {
    if (pending.length === 0) return;
    const rows = pending;
    pending = [];
    await tx.$executeRawUnsafe(`INSERT INTO ${table} SELECT * FROM json_to_recordset($1::json) AS t(${columns})`, JSON.stringify(rows.map((r) => Object.fromEntries(names.map((n, i) => [n, r[i]])))));
  };
  return {
    table,
    push(row) {
      pending.push(row);
    },
    send,
    async add(rows) {
      for (const r of rows) pending.push(r);
      await send();
    },
    async end() {
      await send();
      await tx.$executeRawUnsafe(`ANALYZE ${table}`);
    },
    async close() {},
  };
}


/** The default COPY encoding of a row: every field escaped (numbers as they are), null as \N. */
function encodeRow(r: readonly unknown[]): string {
  let line = '';
  for (let i = 0; i < r.length; i++) {
    const v = r[i];
    line += (i === 0 ? '' : '\t') + (v === null || v === undefined ? '\\N' : typeof v === 'number' ? String(v) : copyText(String(v)));
  }
  return `${line}\n`;
}

/**
 * A staging table of `columns` (SQL column list) for this import: COPY when `copy` (PostgreSQL), else a
 * TEMP table named `tempName` filled by INSERTs. Rows are arrays in column order.
 */
export async function createStage<R extends readonly unknown[]>(
  tx: Tx,
  copy: CopyTarget | undefined,
  batchId: number,
  o: { columns: string; tempName: string; encode?: (r: R) => string },
): Promise<Stage<R>> {
  return copy ? copyStage<R>(copy, batchId, o.columns, o.encode ?? encodeRow) : insertStage<R>(tx, o.tempName, o.columns);
}
