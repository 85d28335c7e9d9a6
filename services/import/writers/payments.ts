// 发放记录: the rows that pass the row checks (domain/import) are loaded into a staging table; then,
// inside the import's transaction, every database check runs as set-based SQL over the whole file
// (household on the roster by the head's ID, which of its enrolments, period and due date from the
// county's payment schedule, duplicates in the file), the payee is classified, the previous versions of
// the stored rows this file changes go to ImportChange, changed rows are updated and new ones inserted
// by (enrolment, period) — a handful of statements for the whole file instead of rounds per chunk.
//
// The staging table: COPY on PostgreSQL, INSERTs on PGlite (./stage.ts).
import {
  ASSISTANCE_KIND_LABELS,
  cellName,
  paymentKindOf,
  protectAccount,
  RepeatedKeys,
  type AssistanceKind,
  type PaymentRow,
} from '../../../domain/import/index.js';
import { paymentDeadline } from '../../../domain/policy/compute.js';
import { PGLITE_URL_MARKER } from '../../../infra/db/client.js';
import { copyText, createStage, type CopyTarget } from './stage.js';
import { withBulkLoad, type BulkOptions } from '../bulk.js';
import type { Tx } from '../regions.js';
import { finishSingle, jsonRows, newCounts, type Item, type Rejection, type StagedWriter, type WriterContext } from './common.js';

/** 收款方 texts that mean "the household itself". */
export const HOUSEHOLD_PAYEE_WORDS = new Set(['', '户', '本户', '户主', '本人', '家庭', '本家庭', '户主本人']);

export type PayeeKind = 'HOUSEHOLD' | 'INSTITUTION' | 'OTHER';

/** The URL for the COPY load, or undefined when the staging table is filled by INSERTs (PGlite, no URL). */
export function copyImportUrl(url: string | undefined): string | undefined {
  if (!url || url.includes(PGLITE_URL_MARKER) || !/^postgres(ql)?:\/\//.test(url)) return undefined;
  return url;
}

const KINDS = Object.keys(ASSISTANCE_KIND_LABELS) as AssistanceKind[];
const KIND_INDEX = Object.fromEntries(KINDS.map((k, i) => [k, i])) as Record<AssistanceKind, number>;

/** The staging table's columns, all text but the line: what one row of the file says, checked for format. */
const STAGE_COLUMNS = 'line int, hid text, kind text, month text, ad text, ap text, pd text, payee text, am text, ah text';

/** One staged row, in STAGE_COLUMNS order. */
type StageRow = [line: number, hid: string, kind: string | null, month: string, ad: string, ap: string, pd: string | null, payee: string, am: string | null, ah: string | null];

/** COPY text format of the payments' staged row: only the free texts can hold a tab, newline or
 * backslash; the ID, kind, month, amounts, date and hash were checked to a fixed format. */
const encodePaymentRow = (r: StageRow) =>
  `${r[0]}\t${r[1]}\t${r[2] ?? '\\N'}\t${r[3]}\t${r[4]}\t${r[5]}\t${r[6] ?? '\\N'}\t${copyText(r[7])}\t${copyText(r[8])}\t${r[9] ?? '\\N'}\n`;

export type PaymentsWriter = StagedWriter<PaymentRow>;

/** `copy`: load the staging table with COPY on this server (PostgreSQL); else INSERTs in the transaction. */
export async function createPaymentsWriter(ctx: WriterContext, copy: CopyTarget | undefined): Promise<PaymentsWriter> {
  const { tx, policy, batchId } = ctx;
  const counts = newCounts('payments');
  const stage = await createStage<StageRow>(tx, copy, batchId, { columns: STAGE_COLUMNS, tempName: 'import_payments_stage', encode: encodePaymentRow });

  const months = new Set<string>();
  let staged = 0;
  // The account's HMAC is pure per account within one import: once per account, not once per month.
  const accounts = new Map<string, { masked: string; hash: string }>();
  const accountOf = (account: string) => {
    let a = accounts.get(account);
    if (!a) {
      if (accounts.size > 200_000) accounts.clear();
      a = protectAccount(account, ctx.hashKey);
      accounts.set(account, a);
    }
    return a;
  };

  const deadline = (kind: AssistanceKind, month: string) => paymentDeadline(policy, paymentKindOf(kind), month, ctx.calendar());
  // The schedule month (period) of each kind for each month of the file, once per month.
  const periods = new Map<string, string[]>();
  const periodsOf = (month: string) => {
    let p = periods.get(month);
    if (p === undefined) {
      p = KINDS.map((k) => deadline(k, month).periodMonth);
      periods.set(month, p);
    }
    return p;
  };
  // Can two rows of the file be the same (enrolment, period)? Only if they have the same head's ID, a
  // kind in common (a row without 救助类型 may be any of the household's) and the same period of that
  // kind. When no such key repeats, the SQL search for duplicates is skipped: it could find none.
  const keys = new RepeatedKeys();
  const stageRow = (line: number, row: PaymentRow) => {
    months.add(row.month);
    if (!keys.repeated) {
      const p = periodsOf(row.month);
      if (row.kind !== null) keys.add(row.headIdNumber, row.kind, p[KIND_INDEX[row.kind]]!);
      else for (let k = 0; k < KINDS.length; k++) keys.add(row.headIdNumber, KINDS[k]!, p[k]!);
    }
    const account = row.account === null ? null : accountOf(row.account);
    stage.push([line, row.headIdNumber, row.kind, row.month, row.amountDue, row.amountPaid, row.paidDate, cellName(row.payee), account?.masked ?? null, account?.hash ?? null]);
    staged++;
  };
  return {
    counts,
    close: () => stage.close(),
    finish: (accepted) => finishSingle(counts.payments!, accepted),
    stage: stageRow,
    send: () => stage.send(),
    async flush(items: Item<PaymentRow>[]): Promise<Rejection[]> {
      for (const { line, row } of items) stageRow(line, row);
      await stage.send();
      return [];
    },
    async complete(write) {
      await stage.end();
      return resolveAndWrite(tx, stage.table, { months, write, batchId, actor: ctx.actor, counts: counts.payments!, bulk: ctx.bulk, staged, deadline, maybeDuplicates: keys.repeated });
    },
  };
}

/**
 * The SQL half: every staged row resolved (household, enrolment, period, due date, duplicates, payee),
 * the refusals returned in line order with the same Chinese reasons as the row-by-row checks had, and
 * when `write` allows: the previous versions of changed rows to ImportChange, changed rows updated,
 * new rows inserted.
 */
async function resolveAndWrite(
  tx: Tx,
  table: string,
  o: {
    months: ReadonlySet<string>;
    write: (sqlRefused: number) => boolean;
    batchId: number;
    actor: string;
    counts: { created: number; updated: number };
    deadline: (kind: AssistanceKind, month: string) => { periodMonth: string; due: string };
    bulk?: BulkOptions;
    /** Rows in the staging table. */
    staged: number;
    /** False when no two staged rows can be the same (enrolment, period) (see RepeatedKeys). */
    maybeDuplicates: boolean;
  },
): Promise<Rejection[]> {
  // The schedule (period, due date) of every kind for every month in the file: computed by the county
  // policy (paymentDeadline), joined in SQL.
  const dk: string[] = [];
  const dm: string[] = [];
  const dp: string[] = [];
  const dd: string[] = [];
  for (const month of o.months)
    for (const kind of KINDS) {
      const d = o.deadline(kind, month);
      dk.push(kind);
      dm.push(month);
      dp.push(d.periodMonth);
      dd.push(d.due);
    }
  const deadlines = jsonRows([
    ['k', 'text', dk],
    ['m', 'text', dm],
    ['p', 'text', dp],
    ['d', 'text', dd],
  ]);
  const labels = jsonRows([
    ['k', 'text', KINDS],
    ['l', 'text', KINDS.map((k) => ASSISTANCE_KIND_LABELS[k])],
  ]);
  const words = [...HOUSEHOLD_PAYEE_WORDS];
  // The whole file's sorts and hashes in memory (a million rows: the duplicates' grouping, the joins).
  await tx.$executeRawUnsafe(`SET LOCAL work_mem = '256MB'`);
  // Small tables as real (temporary, analysed) tables: a set-returning function in the join gets a
  // default estimate and can be re-run for every row.
  await tx.$executeRawUnsafe(`DROP TABLE IF EXISTS import_payments_resolved, import_payment_deadlines`);
  await tx.$executeRawUnsafe(`CREATE TEMP TABLE import_payment_deadlines ON COMMIT DROP AS SELECT k, m, p, d FROM ${deadlines.from}`, deadlines.value);
  await tx.$executeRawUnsafe(`ANALYZE import_payment_deadlines`);
  // Every staged row resolved by hash joins: household, enrolment (the named kind, or the only one),
  // period and due date, the payee's kind and name; typed once, as the write stores them, and only the
  // columns the reasons and the write need (one narrow pass per later statement at a million rows).
  await tx.$executeRawUnsafe(`DROP TABLE IF EXISTS import_payment_dups`);
  await tx.$executeRawUnsafe(
    `CREATE TEMP TABLE import_payments_resolved ON COMMIT DROP AS
     WITH en AS (SELECT "householdId", count(*)::int AS n, array_agg(id ORDER BY id) AS ids, array_agg(kind::text ORDER BY id) AS kinds
                   FROM "Enrolment" GROUP BY "householdId"),
     r AS (
       SELECT s.*, h.id AS h, h."headName" AS head_name, en.n, en.kinds,
              CASE WHEN s.kind IS NOT NULL THEN en.ids[array_position(en.kinds, s.kind)] WHEN en.n = 1 THEN en.ids[1] END AS e,
              CASE WHEN s.kind IS NOT NULL THEN s.kind WHEN en.n = 1 THEN en.kinds[1] END AS ekind
         FROM ${table} s
         LEFT JOIN "Household" h ON h."headIdNumber" = s.hid
         LEFT JOIN en ON en."householdId" = h.id)
     SELECT r.line, r.kind, r.month, r.h, r.e, r.ekind, d.p AS period,
            CASE WHEN r.e IS NULL THEN r.n END AS n, CASE WHEN r.e IS NULL THEN r.kinds END AS kinds,
            d.d::date AS due, r.ad::numeric AS ad, r.ap::numeric AS ap, r.pd::date AS pd,
            (CASE
              WHEN r.payee = ANY($1::text[]) THEN 'HOUSEHOLD'
              WHEN r.payee = r.head_name OR EXISTS (SELECT 1 FROM "Member" m WHERE m."householdId" = r.h AND m.name = r.payee) THEN 'HOUSEHOLD'
              WHEN EXISTS (SELECT 1 FROM "Institution" i WHERE i.name = r.payee) THEN 'INSTITUTION'
              ELSE 'OTHER'
            END)::"PayeeKind" AS pk,
            CASE WHEN r.payee = ANY($1::text[]) THEN r.head_name ELSE r.payee END AS pn, r.am, r.ah
       FROM r LEFT JOIN import_payment_deadlines d ON d.k = r.ekind AND d.m = r.month`,
    words,
  );
  // The same (enrolment, period) more than once in the file: the first line of each (usually none; when
  // the file's keys cannot repeat, not looked for, and the statements below leave out what needs it).
  if (o.maybeDuplicates) {
    await tx.$executeRawUnsafe(
      `CREATE TEMP TABLE import_payment_dups ON COMMIT DROP AS
       SELECT e, period, min(line) AS first_line FROM import_payments_resolved WHERE e IS NOT NULL GROUP BY e, period HAVING count(*) > 1`,
    );
  }
  // The refused rows, in line order, with the same reasons as the row-by-row checks gave.
  const refused = await tx.$queryRawUnsafe<{ line: number; reason: string }[]>(
    `WITH labels AS MATERIALIZED (SELECT k, l FROM ${labels.from})
     SELECT p.line,
            CASE
              WHEN p.h IS NULL THEN '户主身份证号不在花名册中（请先导入花名册，或核对身份证号）'
              WHEN p.kind IS NOT NULL AND p.e IS NULL THEN
                '该户在花名册中没有“' || (SELECT l FROM labels WHERE k = p.kind) || '”的保障记录（现有：' ||
                coalesce((SELECT string_agg(labels.l, '、' ORDER BY u.o) FROM unnest(p.kinds) WITH ORDINALITY u(k, o) JOIN labels ON labels.k = u.k), '无') || '）'
              WHEN p.e IS NULL AND coalesce(p.n, 0) = 0 THEN '该户在花名册中没有任何保障记录'
              WHEN p.e IS NULL THEN
                '该户有多种救助类型（' ||
                (SELECT string_agg(labels.l, '、' ORDER BY u.o) FROM unnest(p.kinds) WITH ORDINALITY u(k, o) JOIN labels ON labels.k = u.k) ||
                '），请在“救助类型”列注明本行属于哪一种'
              ELSE
                '与第' || p.first_line || '行重复：同一户、同一救助类型、同一发放期 ' || p.period ||
                CASE WHEN p.period <> p.month
                     THEN '（' || (SELECT l FROM labels WHERE k = p.ekind) || '按季度发放，' || p.month || ' 属于 ' || p.period || ' 起的季度）'
                     ELSE '' END
            END AS reason
       FROM ${
         o.maybeDuplicates
           ? `(SELECT r.*, d.first_line FROM import_payments_resolved r LEFT JOIN import_payment_dups d ON d.e = r.e AND d.period = r.period) p
      WHERE p.e IS NULL OR p.line <> p.first_line`
           : `(SELECT r.*, NULL::int AS first_line FROM import_payments_resolved r) p
      WHERE p.e IS NULL`
       }
      ORDER BY p.line`,
    labels.value,
  );
  const rejections: Rejection[] = refused.map((r) => ({ line: Number(r.line), reasons: [r.reason], cells: [] }));
  if (!o.write(rejections.length)) return rejections;

  // Payment imports one at a time from here: a plain INSERT of the rows not stored yet (an upsert's
  // speculative insertion costs half as much again), safe because no other import adds payments until
  // this transaction ends.
  await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext('jiuzhu.import.payments'))`);
  // The rows to write: resolved, and the first line of a duplicated (enrolment, period).
  const writable = `FROM import_payments_resolved r
        WHERE e IS NOT NULL${o.maybeDuplicates ? ` AND NOT EXISTS (SELECT 1 FROM import_payment_dups d WHERE d.e = r.e AND d.period = r.period AND d.first_line <> r.line)` : ''}`;
  // First the stored rows this file changes: the previous version of each goes to ImportChange, then the
  // row is updated (one statement: its CTEs read the rows as they were before it).
  const changed = await tx.$queryRawUnsafe<{ updated: number }[]>(
    `WITH old AS MATERIALIZED (
       SELECT t.line, t.e, t.h, t.period AS p, t.due AS d, t.ad, t.ap, t.pd, t.pk, t.pn, t.am, t.ah,
              x.id, x."householdId" AS xh, x."batchId" AS xb, x."dueDate" AS xd, x."amountDue" AS xad, x."amountPaid" AS xap, x."paidDate" AS xpd,
              x."payeeKind" AS xpk, x."payeeName" AS xpn, x."accountMasked" AS xam, x."accountHash" AS xah
         FROM (SELECT * ${writable}) t JOIN "Payment" x ON x."enrolmentId" = t.e AND x.period = t.period
        WHERE (x."dueDate", x."amountDue", x."amountPaid", x."paidDate", x."payeeKind", x."payeeName", x."accountMasked", x."accountHash")
              IS DISTINCT FROM (t.due, t.ad, t.ap, t.pd, t.pk, t.pn, t.am, t.ah)),
     ch AS (
       INSERT INTO "ImportChange" ("batchId", "table", "rowId", "householdId", period, "previousBatchId", "oldValues", "newValues", actor)
       SELECT $1::int, 'Payment', id, xh, p, xb,
              jsonb_build_object('dueDate', xd, 'amountDue', xad, 'amountPaid', xap, 'paidDate', xpd,
                                 'payeeKind', xpk, 'payeeName', xpn, 'accountMasked', xam, 'accountHash', xah),
              jsonb_build_object('dueDate', d, 'amountDue', ad, 'amountPaid', ap, 'paidDate', pd, 'payeeKind', pk,
                                 'payeeName', pn, 'accountMasked', am, 'accountHash', ah),
              $2
         FROM old ORDER BY line
       RETURNING 1),
     upd AS (
       UPDATE "Payment" x
          SET "householdId" = old.h, "dueDate" = old.d, "amountDue" = old.ad, "amountPaid" = old.ap, "paidDate" = old.pd, "payeeKind" = old.pk,
              "payeeName" = old.pn, "accountMasked" = old.am, "accountHash" = old.ah, "batchId" = $1::int
         FROM old WHERE x.id = old.id
       RETURNING 1)
     SELECT (SELECT count(*) FROM upd)::int AS updated, (SELECT count(*) FROM ch)::int AS changed`,
    o.batchId,
    o.actor,
  );
  // Then the rows not stored yet, in the staging table's order (the file's): a plain INSERT, its count
  // from the command tag (no RETURNING rows to keep at a million).
  //
  // A first load or reload (the file at least as large as the table): Payment's foreign keys and its
  // secondary indexes are re-created once after the write instead of being checked and maintained row
  // by row (bulk.ts). The unique (enrolment, period) index is rebuilt too (CREATE UNIQUE INDEX refuses
  // duplicates as the index did): the NOT EXISTS reads the stored rows by hash join, not through it.
  const insert = () =>
    tx.$executeRawUnsafe(
      `INSERT INTO "Payment" ("enrolmentId", "householdId", period, "dueDate", "amountDue", "amountPaid", "paidDate",
                              "payeeKind", "payeeName", "accountMasked", "accountHash", "batchId")
       SELECT e, h, period, due, ad, ap, pd, pk, pn, am, ah, $1::int ${writable}
          AND NOT EXISTS (SELECT 1 FROM "Payment" x WHERE x."enrolmentId" = r.e AND x.period = r.period)`,
      o.batchId,
    );
  const { result: created } = await withBulkLoad(tx, 'Payment', o.staged - rejections.length, insert, {
    ...o.bulk,
    rebuildIndexes: ['Payment_period_idx', 'Payment_householdId_idx', 'Payment_enrolmentId_period_key'],
    rebuildPrimaryKey: true,
  });
  o.counts.created += created;
  o.counts.updated += Number(changed[0]?.updated ?? 0);
  return rejections;
}
