// Bulk mode of a set-based import write (issue 15 item 3; ../shared/perf-floor.md "Loading": COPY into a
// table without indexes, then the index builds). When a file brings at least as many rows as a table
// already holds (a first load, a reload), the per-row work PostgreSQL does for every inserted row — one
// foreign-key trigger query per row and constraint, one insertion per row into every secondary index —
// costs more than checking the whole table once. Then, inside the import's transaction:
//
//   SAVEPOINT; lock the table and the tables its foreign keys reference (ACCESS EXCLUSIVE, what
//   DROP CONSTRAINT takes anyway) with a short lock_timeout — when another session holds one of
//   them, roll back to the savepoint and write row-wise instead (no deadlock, no long wait);
//   drop the table's foreign keys and (optionally) its secondary indexes that no unique inference needs
//   and its primary key when nothing references it;
//   run the write; re-create the indexes and foreign keys from their exact definitions
//   (pg_get_indexdef / pg_get_constraintdef, same names): CREATE INDEX builds (a unique one refuses
//   duplicates), ADD CONSTRAINT … FOREIGN KEY checks every row of the table in one join; ANALYZE.
//
// Integrity is not weakened: the re-created constraints are validated (convalidated) before the
// transaction commits, and a row that breaks one fails the statement, which rolls the whole import back.
// Nothing outside this transaction ever sees the table without them (DDL is transactional and the table
// is locked until commit). The price: readers of the locked tables wait for the import's commit.
import { log } from '../../infra/logger.js';
import type { Tx } from './regions.js';

export interface BulkOptions {
  /** 'auto' (default): bulk when the incoming rows ≥ max(minRows, rows in the table); 'never'; 'always' (tests). */
  mode?: 'auto' | 'never' | 'always';
  /** Smallest file for bulk mode under 'auto' (default 2 000 rows: below, a few statements of DDL cost more than the per-row checks they save). */
  minRows?: number;
  /** Also drop and rebuild these secondary indexes (names); the others (e.g. those ON CONFLICT needs) stay. */
  rebuildIndexes?: readonly string[];
  /**
   * Also drop and re-add the primary key (the floor builds it after the COPY too), when no foreign key
   * references the table (else it stays: dropping it would mean dropping theirs).
   */
  rebuildPrimaryKey?: boolean;
  /** The tables written in bulk mode are added here (ImportResult.bulkLoaded). */
  loaded?: string[];
}

/** How the write ran: bulk (constraints re-created and checked once) or row-wise (per-row triggers). */
export type BulkMode = 'bulk' | 'row-wise';

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Rows in the table, cheaply: the planner's estimate, or a count capped at `cap` when never analysed. */
async function tableRows(tx: Tx, table: string, cap: number): Promise<number> {
  const est = await tx.$queryRawUnsafe<{ n: number }[]>(`SELECT reltuples::float8 AS n FROM pg_class WHERE oid = $1::regclass`, quoteIdent(table));
  const n = Number(est[0]?.n ?? -1);
  if (n >= 0) {
    // reltuples is 0 both for an empty table and one never vacuumed since it was filled: look.
    if (n > 0) return n;
  }
  const c = await tx.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM (SELECT 1 FROM ${quoteIdent(table)} LIMIT ${Math.max(1, Math.floor(cap)) + 1}) x`);
  return Number(c[0]?.n ?? 0);
}

/**
 * Runs `write` (one or more set-based statements that insert/update `table`) in bulk mode when it pays
 * (see the top of this file), else as it is. `incoming`: rows the write may insert. `write` is told which
 * mode it runs in (in bulk mode no other session can read or write the table until the commit).
 */
export async function withBulkLoad<T>(tx: Tx, table: string, incoming: number, write: (mode: BulkMode) => Promise<T>, opts: BulkOptions = {}): Promise<{ result: T; mode: BulkMode }> {
  const mode = opts.mode ?? 'auto';
  if (mode === 'never' || incoming <= 0) return { result: await write('row-wise'), mode: 'row-wise' };
  if (mode === 'auto') {
    if (incoming < (opts.minRows ?? 2_000)) return { result: await write('row-wise'), mode: 'row-wise' };
    if ((await tableRows(tx, table, incoming)) > incoming) return { result: await write('row-wise'), mode: 'row-wise' };
  }
  const t = quoteIdent(table);
  const fks = await tx.$queryRawUnsafe<{ name: string; def: string; ref: string }[]>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS def, confrelid::regclass::text AS ref
       FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'f' ORDER BY conname`,
    t,
  );
  const wanted = new Set(opts.rebuildIndexes ?? []);
  const indexes =
    wanted.size === 0
      ? []
      : (
          await tx.$queryRawUnsafe<{ name: string; def: string }[]>(
            `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS def
               FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
              WHERE i.indrelid = $1::regclass AND NOT i.indisprimary
                AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
              ORDER BY c.relname`,
            t,
          )
        ).filter((i) => wanted.has(i.name));
  const primary = opts.rebuildPrimaryKey
    ? await tx.$queryRawUnsafe<{ name: string; def: string }[]>(
        `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
          WHERE conrelid = $1::regclass AND contype = 'p'
            AND NOT EXISTS (SELECT 1 FROM pg_constraint r WHERE r.confrelid = $1::regclass AND r.contype = 'f')`,
        t,
      )
    : [];
  if (fks.length === 0 && indexes.length === 0 && primary.length === 0) return { result: await write('row-wise'), mode: 'row-wise' };

  // The locks first, all at once and briefly waited for: a session holding one of them makes this
  // import write row-wise rather than wait (or deadlock with it).
  await tx.$executeRawUnsafe(`SAVEPOINT jiuzhu_bulk`);
  try {
    await tx.$executeRawUnsafe(`SET LOCAL lock_timeout = '200ms'`);
    const referenced = [...new Set(fks.map((f) => f.ref))].filter((r) => r !== t);
    await tx.$executeRawUnsafe(`LOCK TABLE ${[t, ...referenced].join(', ')} IN ACCESS EXCLUSIVE MODE`);
    await tx.$executeRawUnsafe(`SET LOCAL lock_timeout TO DEFAULT`);
  } catch (err) {
    // Another session holds one of the tables (lock_timeout): write row by row rather than wait.
    log('import').info({ err, table }, '批量模式未取得表锁，改为逐行写入');
    await tx.$executeRawUnsafe(`ROLLBACK TO SAVEPOINT jiuzhu_bulk`);
    await tx.$executeRawUnsafe(`RELEASE SAVEPOINT jiuzhu_bulk`);
    return { result: await write('row-wise'), mode: 'row-wise' };
  }
  await tx.$executeRawUnsafe(`RELEASE SAVEPOINT jiuzhu_bulk`);

  for (const f of fks) await tx.$executeRawUnsafe(`ALTER TABLE ${t} DROP CONSTRAINT ${quoteIdent(f.name)}`);
  for (const i of indexes) await tx.$executeRawUnsafe(`DROP INDEX ${quoteIdent(i.name)}`);
  for (const k of primary) await tx.$executeRawUnsafe(`ALTER TABLE ${t} DROP CONSTRAINT ${quoteIdent(k.name)}`);
  const result = await write('bulk');
  await tx.$executeRawUnsafe(`SET LOCAL maintenance_work_mem = '256MB'`);
  for (const k of primary) await tx.$executeRawUnsafe(`ALTER TABLE ${t} ADD CONSTRAINT ${quoteIdent(k.name)} ${k.def}`);
  for (const i of indexes) await tx.$executeRawUnsafe(i.def);
  for (const f of fks) await tx.$executeRawUnsafe(`ALTER TABLE ${t} ADD CONSTRAINT ${quoteIdent(f.name)} ${f.def}`);
  // Fresh statistics for what reads the table next (the floor's VACUUM (ANALYZE); VACUUM cannot run in a transaction).
  await tx.$executeRawUnsafe(`ANALYZE ${t}`);
  opts.loaded?.push(table);
  return { result, mode: 'bulk' };
}
