// 发放记录 on PostgreSQL: the rows that pass the row checks (zod, domain/import) are streamed with
// `COPY … FROM STDIN` (one raw `pg` connection, pg-copy-streams) into an UNLOGGED staging table; then,
// inside the import's transaction, the database checks run as set-based SQL over the whole file
// (household on the roster, which enrolment, duplicates in the file), the payee is classified, the
// previous versions go to ImportChange and the rows are upserted by (enrolment, period) — one
// statement each, instead of one round of lookups and upserts per chunk.
//
// The staging table is an ordinary (UNLOGGED) table because Prisma does not hand out the connection of
// its transaction, so the COPY cannot run inside it; the table holds only this file's parsed rows, is
// named per import and dropped at the end. The stored data still changes in one transaction (the
// import's): all or nothing as before. Same reasons, word for word, as the chunked writer
// (payments.ts), which stays the path on PGlite (its socket server has no COPY FROM STDIN).
import crypto from 'node:crypto';

import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

import {
  ASSISTANCE_KIND_LABELS,
  cellName,
  paymentKindOf,
  protectAccount,
  type AssistanceKind,
  type PaymentRow,
} from '../../../domain/import/index.js';
import { paymentDeadline } from '../../../domain/policy/compute.js';
import { PGLITE_URL_MARKER } from '../../db/client.js';
import { finishSingle, jsonRows, newCounts, type Item, type KindWriter, type Rejection, type WriterContext } from './common.js';
import { HOUSEHOLD_PAYEE_WORDS } from './payments.js';

/**
 * The URL for the staged (COPY) path, or undefined when the chunked path is used. Opt-in for now
 * (JIUZHU_IMPORT_COPY=1): it passes the import tests but measured no faster than the chunked path at
 * 100 k rows (the set-based resolve and the upsert with the Payment table's three foreign keys take
 * ~5 s each, after the parse instead of overlapping it).
 */
export function stagedImportUrl(url: string | undefined): string | undefined {
  if (!url || url.includes(PGLITE_URL_MARKER)) return undefined;
  if (process.env.JIUZHU_IMPORT_COPY !== '1') return undefined;
  return url;
}

/** COPY text format: backslash, tab, newline and carriage return escaped; null as \N. */
function copyText(v: string | null): string {
  if (v === null) return '\\N';
  return /[\\\t\n\r]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : v;
}

const KINDS = Object.keys(ASSISTANCE_KIND_LABELS) as AssistanceKind[];

export interface StagedWriter extends KindWriter<PaymentRow> {
  /** After the last flush: the database checks of the whole file; writes when `write(noRefusals)` says so. */
  complete(write: (sqlRefused: number) => boolean): Promise<Rejection[]>;
  /** Drops the staging table and closes the connection: always call, after the import's transaction has ended. */
  close(): Promise<void>;
}

export async function createStagedPaymentsWriter(ctx: WriterContext, url: string): Promise<StagedWriter> {
  const { tx, policy, batchId } = ctx;
  const counts = newCounts('payments');
  const table = `import_stage_${batchId}_${crypto.randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let closed = false;
  let ended = false;
  // Called after the import's transaction has ended: that transaction read the staging table and holds
  // a lock on it until then (dropping it from inside would wait for ever).
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
  let copy: ReturnType<typeof copyFrom> | undefined;
  let copyDone: Promise<void> = Promise.resolve();
  try {
    await client.query(
      `CREATE UNLOGGED TABLE ${table} (line int, hid text, kind text, month text, ad text, ap text, pd text, payee text, am text, ah text)`,
    );
    const stream = client.query(copyFrom(`COPY ${table} FROM STDIN`));
    copy = stream;
    copyDone = new Promise<void>((resolve, reject) => {
      stream.on('finish', () => resolve());
      stream.on('error', reject);
    });
    copyDone.catch(() => {}); // awaited in complete()
  } catch (err) {
    await close();
    throw err;
  }

  const months = new Set<string>();
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

  const stream = copy!;
  return {
    counts,
    close,
    finish: (accepted) => finishSingle(counts.payments!, accepted),
    async flush(items: Item<PaymentRow>[]): Promise<Rejection[]> {
      let text = '';
      for (const { line, row } of items) {
        months.add(row.month);
        const account = row.account === null ? null : accountOf(row.account);
        text +=
          `${line}\t${copyText(row.headIdNumber)}\t${row.kind ?? '\\N'}\t${row.month}\t${row.amountDue}\t${row.amountPaid}\t` +
          `${row.paidDate ?? '\\N'}\t${copyText(cellName(row.payee))}\t${copyText(account?.masked ?? null)}\t${copyText(account?.hash ?? null)}\n`;
      }
      if (text !== '' && !stream.write(text)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
      return [];
    },
    async complete(write) {
      ended = true;
      stream.end();
      await copyDone;
      await client.query(`ANALYZE ${table}`);
      // The schedule (period, due date) of every kind for every month in the file: computed here by the
      // county policy (paymentDeadline), joined in SQL.
      const dk: string[] = [];
      const dm: string[] = [];
      const dp: string[] = [];
      const dd: string[] = [];
      for (const month of months)
        for (const kind of KINDS) {
          const d = paymentDeadline(policy, paymentKindOf(kind), month, ctx.calendar());
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
      // Small tables as real (temporary, analysed) tables: a set-returning function in the join gets a
      // default estimate and can be re-run for every row.
      await tx.$executeRawUnsafe(`DROP TABLE IF EXISTS import_payments_resolved, import_payment_deadlines`);
      await tx.$executeRawUnsafe(`CREATE TEMP TABLE import_payment_deadlines ON COMMIT DROP AS SELECT k, m, p, d FROM ${deadlines.from}`, deadlines.value);
      await tx.$executeRawUnsafe(`ANALYZE import_payment_deadlines`);
      // Every staged row resolved: household, enrolment (the named kind, or the only one), period and
      // due date; then the first line of its (enrolment, period) in the file, and the payee.
      await tx.$executeRawUnsafe(
        `CREATE TEMP TABLE import_payments_resolved ON COMMIT DROP AS
         WITH labels AS MATERIALIZED (SELECT k, l FROM ${labels.from}),
         en AS (SELECT "householdId", count(*)::int AS n, array_agg(id ORDER BY id) AS ids, array_agg(kind::text ORDER BY id) AS kinds
                  FROM "Enrolment" GROUP BY "householdId"),
         r AS (
           SELECT s.*, h.id AS h, h."headName" AS head_name, en.n, en.kinds,
                  CASE WHEN s.kind IS NOT NULL THEN en.ids[array_position(en.kinds, s.kind)] WHEN en.n = 1 THEN en.ids[1] END AS e,
                  CASE WHEN s.kind IS NOT NULL THEN s.kind WHEN en.n = 1 THEN en.kinds[1] END AS ekind
             FROM ${table} s
             LEFT JOIN "Household" h ON h."headIdNumber" = s.hid
             LEFT JOIN en ON en."householdId" = h.id),
         p AS (
           SELECT r.*, d.p AS period, d.d AS due,
                  CASE WHEN r.e IS NOT NULL THEN min(r.line) OVER (PARTITION BY r.e, d.p) END AS first_line
             FROM r LEFT JOIN import_payment_deadlines d ON d.k = r.ekind AND d.m = r.month)
         SELECT p.*,
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
                  WHEN p.line <> p.first_line THEN
                    '与第' || p.first_line || '行重复：同一户、同一救助类型、同一发放期 ' || p.period ||
                    CASE WHEN p.period <> p.month
                         THEN '（' || (SELECT l FROM labels WHERE k = p.ekind) || '按季度发放，' || p.month || ' 属于 ' || p.period || ' 起的季度）'
                         ELSE '' END
                END AS reason,
                CASE
                  WHEN p.payee = ANY($2::text[]) THEN 'HOUSEHOLD'
                  WHEN p.payee = p.head_name OR EXISTS (SELECT 1 FROM "Member" m WHERE m."householdId" = p.h AND m.name = p.payee) THEN 'HOUSEHOLD'
                  WHEN EXISTS (SELECT 1 FROM "Institution" i WHERE i.name = p.payee) THEN 'INSTITUTION'
                  ELSE 'OTHER'
                END AS payee_kind
           FROM p`,
        labels.value,
        words,
      );
      await tx.$executeRawUnsafe(`ANALYZE import_payments_resolved`);
      const refused = await tx.$queryRawUnsafe<{ line: number; reason: string }[]>(
        `SELECT line, reason FROM import_payments_resolved WHERE reason IS NOT NULL ORDER BY line`,
      );
      const rejections: Rejection[] = refused.map((r) => ({ line: Number(r.line), reasons: [r.reason], cells: [] }));
      if (write(rejections.length)) {
        const rows = await tx.$queryRawUnsafe<{ created: number; updated: number }[]>(
          `WITH t AS MATERIALIZED (
             SELECT line, e, h, period AS p, due::date AS d, ad::numeric AS ad, ap::numeric AS ap, pd::date AS pd, payee_kind::"PayeeKind" AS pk,
                    CASE WHEN payee = ANY($3::text[]) THEN head_name ELSE payee END AS pn, am, ah
               FROM import_payments_resolved WHERE reason IS NULL),
           ch AS (
             INSERT INTO "ImportChange" ("batchId", "table", "rowId", "householdId", period, "previousBatchId", "oldValues", "newValues", actor)
             SELECT $1::int, 'Payment', x.id, x."householdId", x.period, x."batchId",
                    jsonb_build_object('dueDate', x."dueDate", 'amountDue', x."amountDue", 'amountPaid', x."amountPaid", 'paidDate', x."paidDate",
                                       'payeeKind', x."payeeKind", 'payeeName', x."payeeName", 'accountMasked', x."accountMasked",
                                       'accountHash', x."accountHash"),
                    jsonb_build_object('dueDate', t.d, 'amountDue', t.ad, 'amountPaid', t.ap, 'paidDate', t.pd, 'payeeKind', t.pk,
                                       'payeeName', t.pn, 'accountMasked', t.am, 'accountHash', t.ah),
                    $2
               FROM t JOIN "Payment" x ON x."enrolmentId" = t.e AND x.period = t.p
              WHERE (x."dueDate", x."amountDue", x."amountPaid", x."paidDate", x."payeeKind", x."payeeName", x."accountMasked", x."accountHash")
                    IS DISTINCT FROM (t.d, t.ad, t.ap, t.pd, t.pk, t.pn, t.am, t.ah)
              ORDER BY t.line
             RETURNING 1),
           up AS (
             INSERT INTO "Payment" ("enrolmentId", "householdId", period, "dueDate", "amountDue", "amountPaid", "paidDate",
                                    "payeeKind", "payeeName", "accountMasked", "accountHash", "batchId")
             SELECT e, h, p, d, ad, ap, pd, pk, pn, am, ah, $1::int FROM t ORDER BY t.line
             ON CONFLICT ("enrolmentId", period) DO UPDATE
               SET "householdId" = EXCLUDED."householdId", "dueDate" = EXCLUDED."dueDate", "amountDue" = EXCLUDED."amountDue",
                   "amountPaid" = EXCLUDED."amountPaid", "paidDate" = EXCLUDED."paidDate", "payeeKind" = EXCLUDED."payeeKind",
                   "payeeName" = EXCLUDED."payeeName", "accountMasked" = EXCLUDED."accountMasked",
                   "accountHash" = EXCLUDED."accountHash", "batchId" = EXCLUDED."batchId"
               WHERE ("Payment"."dueDate", "Payment"."amountDue", "Payment"."amountPaid", "Payment"."paidDate", "Payment"."payeeKind",
                      "Payment"."payeeName", "Payment"."accountMasked", "Payment"."accountHash")
                     IS DISTINCT FROM (EXCLUDED."dueDate", EXCLUDED."amountDue", EXCLUDED."amountPaid", EXCLUDED."paidDate",
                      EXCLUDED."payeeKind", EXCLUDED."payeeName", EXCLUDED."accountMasked", EXCLUDED."accountHash")
             RETURNING (xmax = 0) AS inserted)
           SELECT (SELECT count(*) FROM up WHERE inserted)::int AS created, (SELECT count(*) FROM up WHERE NOT inserted)::int AS updated,
                  (SELECT count(*) FROM ch)::int AS changed`,
          batchId,
          ctx.actor,
          words,
        );
        counts.payments!.created += Number(rows[0]?.created ?? 0);
        counts.payments!.updated += Number(rows[0]?.updated ?? 0);
      }
      return rejections;
    },
  };
}
