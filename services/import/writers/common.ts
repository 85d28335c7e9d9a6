// What every kind's writer shares: chunk items, refusals found against the database, counters, and the
// upsert statement shape: multi-row INSERT … SELECT FROM json_to_recordset($1) ON CONFLICT DO UPDATE …
// WHERE changed. The rows travel as one JSON text parameter: through Prisma that costs a fifth of the
// CPU of one array parameter per column (JSON.stringify is native; array literals are escaped in JS).
import type { Cell } from '../../../domain/import/index.js';
import type { CountyPolicy, WorkCalendar } from '../../../domain/index.js';
import type { BulkOptions } from '../bulk.js';
import type { CountyRegions, Tx } from '../regions.js';

export interface Item<R> {
  line: number;
  row: R;
  cells: Cell[];
  /** Roster: which keys this row is the first accepted line of (RosterFileChecks.firsts). */
  firsts?: number;
}

export interface Rejection {
  line: number;
  reasons: string[];
  cells: Cell[];
}

/** Rows of one table: inserted, changed, or already identical. */
export interface EntityCounts {
  created: number;
  updated: number;
  unchanged: number;
}

export const ENTITY_LABELS: Record<string, string> = {
  households: '户',
  members: '成员',
  enrolments: '保障记录',
  institutions: '供养机构',
  payments: '发放记录',
  deaths: '死亡记录',
  prisons: '服刑记录',
  relatives: '近亲属申报',
  monitored: '监测对象',
  applications: '救助申请',
  staff: '工作人员',
  townships: '乡镇',
  villages: '村(社区)',
  counties: '县',
};

export interface WriterContext {
  tx: Tx;
  batchId: number;
  policy: CountyPolicy;
  /** Needed only when the policy moves payment dates off non-working days. */
  calendar: () => WorkCalendar | undefined;
  hashKey: string;
  regions: CountyRegions;
  /** Who imports (recorded with every changed row, see recordChanges). */
  actor: string;
  /** Bulk mode of the set-based writes (services/import/bulk.ts); default auto. */
  bulk?: BulkOptions;
}

export interface KindWriter<R> {
  /**
   * Checks the chunk against the database and, when `write`, stores the rows that pass. Returns the
   * rows refused (the others count as accepted). With `write` false (an all-or-nothing import that
   * already has a refused row) only the checks run, so that the error list is complete.
   */
  flush(items: Item<R>[], write: boolean): Promise<Rejection[]>;
  /** Per table. */
  readonly counts: Record<string, EntityCounts>;
  /** Called once after the last chunk (fills in `unchanged`). */
  finish?(accepted: number): void;
}

/** A writer that stages the whole file first and checks and writes it set-based at the end (payments, roster). */
export interface StagedWriter<R> extends KindWriter<R> {
  /**
   * One row that passed the row checks, staged at once (held until the next send): what flush() does
   * for a chunk, without keeping the chunk's items. `firsts`: see Item.firsts.
   */
  stage(line: number, row: R, firsts: number): void;
  /** Sends the rows staged since the last send (in order). */
  send(): Promise<void>;
  /** After the last flush: the database checks of the whole file; writes when `write(sqlRefused)` says so. */
  complete(write: (sqlRefused: number) => boolean): Promise<Rejection[]>;
  /** Drops the staging table and closes its connection: always call, after the import's transaction has ended. */
  close(): Promise<void>;
}

export function newCounts(...tables: string[]): Record<string, EntityCounts> {
  return Object.fromEntries(tables.map((t) => [t, { created: 0, updated: 0, unchanged: 0 }]));
}

/**
 * Runs `WITH up AS (<insert … RETURNING (xmax = 0) AS inserted>) SELECT counts` and adds the rows
 * inserted and updated to `counts`. Rows already identical are not returned by the conditional
 * DO UPDATE; `unchanged` is filled in at the end from the number of distinct rows (see finish()).
 */
export async function upsertCounting(tx: Tx, insertSql: string, params: unknown[], rowCount: number, counts: EntityCounts): Promise<void> {
  if (rowCount === 0) return;
  const rows = await tx.$queryRawUnsafe<{ created: number; updated: number }[]>(
    `WITH up AS (${insertSql} RETURNING (xmax = 0) AS inserted)
     SELECT count(*) FILTER (WHERE inserted)::int AS created, count(*) FILTER (WHERE NOT inserted)::int AS updated FROM up`,
    ...params,
  );
  const created = Number(rows[0]?.created ?? 0);
  const updated = Number(rows[0]?.updated ?? 0);
  counts.created += created;
  counts.updated += updated;
}

/**
 * Keeps the previous version of every stored row the next upsert will change (issue 14: imports
 * never rewrite evidence silently): one set-based INSERT … SELECT into "ImportChange" from the
 * incoming rows joined to the stored ones where the compared fields differ. Run it right before the
 * upsert, in the same transaction. `select` must yield the columns rowId, householdId, period,
 * previousBatchId, idNumber (the person the row is about, or NULL), oldValues, newValues; params $1 … are the caller's, then batch id and actor follow.
 */
export async function recordChanges(tx: Tx, table: string, select: string, params: unknown[], batchId: number, actor: string): Promise<number> {
  const b = params.length + 1;
  const rows = await tx.$queryRawUnsafe<{ n: number }[]>(
    `WITH ch AS (
       INSERT INTO "ImportChange" ("batchId", "table", "rowId", "householdId", period, "previousBatchId", "idNumber", "oldValues", "newValues", actor)
       SELECT $${b}::int, $${b + 2}, c."rowId", c."householdId", c.period, c."previousBatchId", c."idNumber",
              c."oldValues", c."newValues", $${b + 1}
         FROM (${select}) c
       RETURNING 1)
     SELECT count(*)::int AS n FROM ch`,
    ...params,
    batchId,
    actor,
    table,
  );
  return Number(rows[0]?.n ?? 0);
}

/** For kinds whose accepted rows are all distinct keys: unchanged = accepted − created − updated. */
export function finishSingle(counts: EntityCounts, accepted: number): void {
  counts.unchanged = Math.max(0, accepted - counts.created - counts.updated);
}

/** First item per key, in order. */
export function dedupe<T>(items: readonly T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const it of items) {
    const k = key(it);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(it);
    }
  }
  return out;
}

/**
 * A query whose rows come back as one JSON text (json_agg) and are parsed here: Prisma's raw-result
 * decoding is slow for thousands of rows, JSON.parse is not. Columns keep their names; dates become
 * strings, numerics numbers.
 */
export async function queryJson<T>(tx: Tx, sql: string, ...params: unknown[]): Promise<T[]> {
  const rows = await tx.$queryRawUnsafe<{ j: string }[]>(`SELECT coalesce(json_agg(q), '[]')::text AS j FROM (${sql}) q`, ...params);
  return JSON.parse(rows[0]!.j) as T[];
}

/**
 * Rows given as columns (parallel arrays) → one JSON parameter, and the FROM item that unpacks it:
 * `json_to_recordset($n::json) AS t(name type, …)`. Dates, numerics and enums travel as text and are
 * cast in the SELECT.
 */
export function jsonRows(columns: readonly (readonly [name: string, type: string, values: readonly unknown[]])[], param = 1): { from: string; value: string; count: number } {
  const count = columns[0]?.[2].length ?? 0;
  const rows: Record<string, unknown>[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const o: Record<string, unknown> = {};
    for (const [name, , values] of columns) o[name] = values[i];
    rows[i] = o;
  }
  return {
    from: `json_to_recordset($${param}::json) AS t(${columns.map(([name, type]) => `${name} ${type}`).join(', ')})`,
    value: JSON.stringify(rows),
    count,
  };
}
