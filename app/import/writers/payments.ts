// 发放记录: each row is matched to a household on the roster (by the head's ID) and to one of its
// enrolments; the period and due date come from the county's payment schedule; the payee is classified;
// the account is kept only masked and hashed. Upserted by (enrolment, period).
import {
  ASSISTANCE_KIND_LABELS,
  cellName,
  DuplicateTracker,
  paymentKindOf,
  protectAccount,
  type AssistanceKind,
  type PaymentRow,
} from '../../../domain/import/index.js';
import { paymentDeadline } from '../../../domain/policy/compute.js';
import { finishSingle, jsonRows, newCounts, queryJson, type Item, type KindWriter, type Rejection, type WriterContext } from './common.js';

/** 收款方 texts that mean "the household itself". */
export const HOUSEHOLD_PAYEE_WORDS = new Set(['', '户', '本户', '户主', '本人', '家庭', '本家庭', '户主本人']);

interface HouseholdInfo {
  id: number;
  headName: string;
  enrolments: { id: number; kind: AssistanceKind }[];
  members: Set<string>;
}

export type PayeeKind = 'HOUSEHOLD' | 'INSTITUTION' | 'OTHER';

/**
 * HOUSEHOLD: empty, 户/本户/户主/本人, the head's or a member's name; INSTITUTION: the name of a
 * registered support institution; OTHER: anyone else (kept as written; the cross-matching flags it).
 */
export function classifyPayee(
  payee: string,
  household: { headName: string; members: ReadonlySet<string> },
  institutions: ReadonlySet<string>,
): { kind: PayeeKind; name: string } {
  const p = cellName(payee);
  if (HOUSEHOLD_PAYEE_WORDS.has(p)) return { kind: 'HOUSEHOLD', name: household.headName };
  if (p === household.headName || household.members.has(p)) return { kind: 'HOUSEHOLD', name: p };
  if (institutions.has(p)) return { kind: 'INSTITUTION', name: p };
  return { kind: 'OTHER', name: p };
}

export function createPaymentsWriter(ctx: WriterContext): KindWriter<PaymentRow> {
  const { tx, policy, batchId } = ctx;
  const counts = newCounts('payments');
  const duplicates = new DuplicateTracker();
  let institutions: Set<string> | undefined;
  // Pure per (kind, month) and per account within one import: computed once, not once a row (a
  // file repeats each month for every household and each account for every month; the deadline's
  // time-zone arithmetic and the account's HMAC were a third of the writer's CPU).
  const deadlines = new Map<string, ReturnType<typeof paymentDeadline>>();
  const deadlineOf = (kind: AssistanceKind, month: string) => {
    const key = `${kind}|${month}`;
    let d = deadlines.get(key);
    if (!d) {
      d = paymentDeadline(policy, paymentKindOf(kind), month, ctx.calendar());
      deadlines.set(key, d);
    }
    return d;
  };
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

  async function lookup(headIds: string[]): Promise<Map<string, HouseholdInfo>> {
    const rows = await queryJson<{ id: number; headIdNumber: string; headName: string; enrolmentId: number | null; kind: AssistanceKind | null }>(
      tx,
      `SELECT h.id, h."headIdNumber", h."headName", e.id AS "enrolmentId", e.kind::text AS kind
         FROM "Household" h LEFT JOIN "Enrolment" e ON e."householdId" = h.id
        WHERE h."headIdNumber" = ANY($1::text[])`,
      headIds,
    );
    const map = new Map<string, HouseholdInfo>();
    for (const r of rows) {
      let h = map.get(r.headIdNumber);
      if (!h) {
        h = { id: r.id, headName: r.headName, enrolments: [], members: new Set() };
        map.set(r.headIdNumber, h);
      }
      if (r.enrolmentId !== null && r.kind !== null) h.enrolments.push({ id: r.enrolmentId, kind: r.kind });
    }
    for (const h of map.values()) h.enrolments.sort((a, b) => a.id - b.id);
    if (map.size > 0) {
      const byId = new Map([...map.values()].map((h) => [h.id, h]));
      const members = await queryJson<{ householdId: number; name: string }>(
        tx,
        `SELECT "householdId", name FROM "Member" WHERE "householdId" = ANY($1::int[])`,
        [...byId.keys()],
      );
      for (const m of members) byId.get(m.householdId)?.members.add(m.name);
    }
    return map;
  }

  return {
    counts,
    finish: (accepted) => finishSingle(counts.payments!, accepted),
    async flush(items: Item<PaymentRow>[], write: boolean): Promise<Rejection[]> {
      if (items.length === 0) return [];
      institutions ??= new Set((await tx.$queryRawUnsafe<{ name: string }[]>(`SELECT name FROM "Institution"`)).map((r) => r.name));
      const households = await lookup([...new Set(items.map((i) => i.row.headIdNumber))]);
      const rejections: Rejection[] = [];
      const out = {
        enrolmentId: [] as number[],
        householdId: [] as number[],
        period: [] as string[],
        dueDate: [] as string[],
        amountDue: [] as string[],
        amountPaid: [] as string[],
        paidDate: [] as (string | null)[],
        payeeKind: [] as string[],
        payeeName: [] as string[],
        accountMasked: [] as (string | null)[],
        accountHash: [] as (string | null)[],
      };
      for (const item of items) {
        const { row, line } = item;
        const reject = (reason: string) => rejections.push({ line, reasons: [reason], cells: item.cells });
        const h = households.get(row.headIdNumber);
        if (!h) {
          reject('户主身份证号不在花名册中（请先导入花名册，或核对身份证号）');
          continue;
        }
        let enrolment: { id: number; kind: AssistanceKind } | undefined;
        if (row.kind !== null) {
          enrolment = h.enrolments.find((e) => e.kind === row.kind);
          if (!enrolment) {
            const has = h.enrolments.map((e) => ASSISTANCE_KIND_LABELS[e.kind]).join('、') || '无';
            reject(`该户在花名册中没有“${ASSISTANCE_KIND_LABELS[row.kind]}”的保障记录（现有：${has}）`);
            continue;
          }
        } else if (h.enrolments.length === 1) {
          enrolment = h.enrolments[0]!;
        } else if (h.enrolments.length === 0) {
          reject('该户在花名册中没有任何保障记录');
          continue;
        } else {
          const kinds = h.enrolments.map((e) => ASSISTANCE_KIND_LABELS[e.kind]).join('、');
          reject(`该户有多种救助类型（${kinds}），请在“救助类型”列注明本行属于哪一种`);
          continue;
        }
        const deadline = deadlineOf(enrolment.kind, row.month);
        const period = deadline.periodMonth;
        const earlier = duplicates.firstLine(`${enrolment.id}|${period}`, line);
        if (earlier !== undefined) {
          const quarter =
            period !== row.month ? `（${ASSISTANCE_KIND_LABELS[enrolment.kind]}按季度发放，${row.month} 属于 ${period} 起的季度）` : '';
          reject(`与第${earlier}行重复：同一户、同一救助类型、同一发放期 ${period}${quarter}`);
          continue;
        }
        const payee = classifyPayee(row.payee, { headName: h.headName, members: h.members }, institutions);
        const account = row.account === null ? null : accountOf(row.account);
        out.enrolmentId.push(enrolment.id);
        out.householdId.push(h.id);
        out.period.push(period);
        out.dueDate.push(deadline.due);
        out.amountDue.push(row.amountDue);
        out.amountPaid.push(row.amountPaid);
        out.paidDate.push(row.paidDate);
        out.payeeKind.push(payee.kind);
        out.payeeName.push(payee.name);
        out.accountMasked.push(account?.masked ?? null);
        out.accountHash.push(account?.hash ?? null);
      }
      if (write) {
        const pIn = jsonRows([
          ['e', 'int', out.enrolmentId],
          ['h', 'int', out.householdId],
          ['p', 'text', out.period],
          ['d', 'text', out.dueDate],
          ['ad', 'text', out.amountDue],
          ['ap', 'text', out.amountPaid],
          ['pd', 'text', out.paidDate],
          ['pk', 'text', out.payeeKind],
          ['pn', 'text', out.payeeName],
          ['am', 'text', out.accountMasked],
          ['ah', 'text', out.accountHash],
        ]);
        // One statement, the rows parsed from JSON once: the previous version of every stored row this
        // chunk changes goes to ImportChange (the CTE reads the statement's snapshot, i.e. the old rows),
        // then the multi-row upsert. Same as recordChanges + upsertCounting (common.ts), one round trip.
        const rows = await tx.$queryRawUnsafe<{ created: number; updated: number }[]>(
          `WITH t AS MATERIALIZED (
             SELECT e, h, p, d::date AS d, ad::numeric AS ad, ap::numeric AS ap, pd::date AS pd, pk::"PayeeKind" AS pk, pn, am, ah
               FROM ${pIn.from}),
           ch AS (
             INSERT INTO "ImportChange" ("batchId", "table", "rowId", "householdId", period, "previousBatchId", "oldValues", "newValues", actor)
             SELECT $2::int, 'Payment', x.id, x."householdId", x.period, x."batchId",
                    jsonb_build_object('dueDate', x."dueDate", 'amountDue', x."amountDue", 'amountPaid', x."amountPaid", 'paidDate', x."paidDate",
                                       'payeeKind', x."payeeKind", 'payeeName', x."payeeName", 'accountMasked', x."accountMasked",
                                       'accountHash', x."accountHash"),
                    jsonb_build_object('dueDate', t.d, 'amountDue', t.ad, 'amountPaid', t.ap, 'paidDate', t.pd, 'payeeKind', t.pk,
                                       'payeeName', t.pn, 'accountMasked', t.am, 'accountHash', t.ah),
                    $3
               FROM t JOIN "Payment" x ON x."enrolmentId" = t.e AND x.period = t.p
              WHERE (x."dueDate", x."amountDue", x."amountPaid", x."paidDate", x."payeeKind", x."payeeName", x."accountMasked", x."accountHash")
                    IS DISTINCT FROM (t.d, t.ad, t.ap, t.pd, t.pk, t.pn, t.am, t.ah)
             RETURNING 1),
           up AS (
             INSERT INTO "Payment" ("enrolmentId", "householdId", period, "dueDate", "amountDue", "amountPaid", "paidDate",
                                    "payeeKind", "payeeName", "accountMasked", "accountHash", "batchId")
             SELECT e, h, p, d, ad, ap, pd, pk, pn, am, ah, $2::int FROM t
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
          pIn.value,
          batchId,
          ctx.actor,
        );
        counts.payments!.created += Number(rows[0]?.created ?? 0);
        counts.payments!.updated += Number(rows[0]?.updated ?? 0);
      }
      return rejections;
    },
  };
}
