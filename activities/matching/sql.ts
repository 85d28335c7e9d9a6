/**
 * The SQL of the cross-matching. One set-based statement per kind of finding:
 *
 *   WITH cand AS (<the kind's join>),
 *        stored AS (INSERT INTO "Finding" … ON CONFLICT (key) DO NOTHING RETURNING key),
 *        listed AS (INSERT INTO match_hits … RETURNING …)
 *   SELECT count(*), count(*) FILTER (WHERE is_new), sum(amount) FROM listed
 *
 * Everything runs in the database; Node only receives three numbers per
 * statement. The run's temporary tables (ON COMMIT DROP): match_scope and
 * match_sched / match_due_months (the county's villages and payment schedule,
 * filled and ANALYZEd per county by setupStatements), and match_hits (what this
 * run found, new or already known, for the summary and the `--json` lines).
 *
 * Runs on PostgreSQL ≥ 15 and on PGlite (PostgreSQL 18 in wasm). Named
 * parameters (`:name`) are compiled to `$n`; the policy tables come from
 * domain/matching/tables.ts.
 */
import { FINDING_KINDS, type FindingKind, type MatchTables } from '../../domain/matching/index.js';

export interface CompiledSql {
  text: string;
  values: unknown[];
}

/** Replace `:name` (not `::type`) by `$n`; every name must be given. */
export function compileSql(text: string, params: Record<string, unknown>): CompiledSql {
  const values: unknown[] = [];
  const index = new Map<string, number>();
  const out = text.replace(/(?<![:\w]):([a-zA-Z_]\w*)/g, (_, name: string) => {
    if (!Object.prototype.hasOwnProperty.call(params, name)) throw new Error(`SQL parameter :${name} is missing`);
    let n = index.get(name);
    if (n === undefined) {
      values.push(params[name]);
      n = values.length;
      index.set(name, n);
    }
    return `$${n}`;
  });
  return { text: out, values };
}

/** Columns of the run's temporary table of findings. */
const CREATE_MATCH_HITS = `
CREATE TEMP TABLE match_hits (
  seq          bigserial UNIQUE,
  key          text PRIMARY KEY,
  county_id    int NOT NULL,
  kind         text NOT NULL,
  id_number    text NOT NULL,
  household_id int,
  region_id    int,
  period       text,
  amount       numeric(14, 2),
  -- NULL for the findings an incremental run did not reconsider: the lines read it from "Finding"
  evidence     jsonb,
  is_new       boolean NOT NULL
) ON COMMIT DROP`;

/** The run's temporary tables: the scope and schedule of the county being matched, and what was found. */
export const CREATE_TEMP_TABLES = [
  `CREATE TEMP TABLE match_scope (village_id int PRIMARY KEY) ON COMMIT DROP`,
  `CREATE TEMP TABLE match_sched (
     akind "AssistanceKind" NOT NULL, month text NOT NULL, is_schedule boolean NOT NULL, last_on_time date NOT NULL, cover int NOT NULL, midx int NOT NULL,
     PRIMARY KEY (akind, month)
   ) ON COMMIT DROP`,
  // The periods payment_missing judges: schedule months whose deadline has passed at the as-of date,
  // from the first month of the county's payment ledger on.
  `CREATE TEMP TABLE match_due_months (
     akind "AssistanceKind" NOT NULL, month text NOT NULL, last_on_time date NOT NULL, cover int NOT NULL, midx int NOT NULL,
     PRIMARY KEY (akind, midx)
   ) ON COMMIT DROP`,
  // Households nobody is left to be paid for, and from which month (payment_missing): filled per county.
  `CREATE TEMP TABLE match_absent (household_id int PRIMARY KEY, months int4multirange NOT NULL) ON COMMIT DROP`,
  CREATE_MATCH_HITS,
];

/** Fill the scope and schedule tables for one county (run in order, then ANALYZE). */
export function setupStatements(countyId: number, t: MatchTables): CompiledSql[] {
  return [
    { text: 'TRUNCATE match_scope, match_sched, match_due_months, match_absent', values: [] },
    compileSql(
      `INSERT INTO match_scope (village_id)
       SELECT v.id FROM "Region" t JOIN "Region" v ON v."parentId" = t.id WHERE t."parentId" = :county`,
      { county: countyId },
    ),
    compileSql(
      `INSERT INTO match_sched (akind, month, is_schedule, last_on_time, cover, midx)
       SELECT * FROM unnest(:s_akind::"AssistanceKind"[], :s_month::text[], :s_sched::boolean[], :s_due::date[], :s_cover::int[], :s_midx::int[])`,
      {
        s_akind: t.schedule.akind,
        s_month: t.schedule.month,
        s_sched: t.schedule.isSchedule,
        s_due: t.schedule.lastOnTime,
        s_cover: t.schedule.cover,
        s_midx: t.schedule.midx,
      },
    ),
    // Only the periods the imported ledger covers are judged: a schedule month in which the county has
    // no payment at all of the same payment schedule (低保, 分散特困, 集中特困) is "no data", not
    // "nobody paid". One index probe on Payment(period) per schedule month.
    compileSql(
      `INSERT INTO match_due_months (akind, month, last_on_time, cover, midx)
       WITH grp AS (SELECT * FROM unnest(:g_akind::"AssistanceKind"[], :g_pkind::text[]) AS t(akind, pkind))
       SELECT s.akind, s.month, s.last_on_time, s.cover, s.midx FROM match_sched s
       -- LIMIT 1 per month: index probes on Payment(period) that stop at the first payment of the county
       -- (an EXISTS was planned as a semi-join over every payment)
       CROSS JOIN LATERAL (
         SELECT 1 FROM "Payment" p
         JOIN "Enrolment" e ON e.id = p."enrolmentId"
         JOIN "Household" h ON h.id = p."householdId"
         JOIN match_scope sc ON sc.village_id = h."regionId"
         WHERE p.period = s.month
           AND e.kind IN (SELECT g2.akind FROM grp g1 JOIN grp g2 ON g2.pkind = g1.pkind WHERE g1.akind = s.akind)
         LIMIT 1) covered
       WHERE s.is_schedule AND s.last_on_time < :asOf`,
      { asOf: t.asOf, g_akind: t.paymentKindOf.akind, g_pkind: t.paymentKindOf.pkind },
    ),
    compileSql(ABSENT_SQL, { asOf: t.asOf }),
    { text: 'ANALYZE match_scope, match_sched, match_due_months, match_absent', values: [] },
  ];
}



// ---------------------------------------------------------------- shared fragments

/**
 * Villages of the county (households hang off villages) and the county's payment schedule: temporary
 * tables filled for each county before its statements run (see SETUP_SQL) and ANALYZEd, so that the
 * planner knows their sizes (a CTE over unnest() or a join of Region is estimated at a handful of rows,
 * which sends the big joins into nested loops).
 */
const SCOPE = `scope AS (SELECT village_id FROM match_scope)`;
const SCHED = `sched AS (SELECT * FROM match_sched)`;

/** The county, its townships and villages (staff and applications may sit at any level). */
const REGIONS = `regions AS (
  SELECT :county::int AS id
  UNION ALL SELECT t.id FROM "Region" t WHERE t."parentId" = :county
  UNION ALL SELECT v.id FROM "Region" t JOIN "Region" v ON v."parentId" = t.id WHERE t."parentId" = :county
)`;

/**
 * Findings of the county's regions, of the kinds this run judged, that the run did not produce
 * (and that are not cleared already): marked cleared by the run (线索已消除). A finding a later run
 * produces again is reopened by the ON CONFLICT of its statement.
 */
export const CLEAR_SQL = `
WITH regions AS (
  SELECT :county::int AS id
  UNION ALL SELECT t.id FROM "Region" t WHERE t."parentId" = :county
  UNION ALL SELECT v.id FROM "Region" t JOIN "Region" v ON v."parentId" = t.id WHERE t."parentId" = :county
),
gone AS (
  UPDATE "Finding" f SET "clearedAt" = now(), "clearedByRunId" = :run
  WHERE f."clearedAt" IS NULL AND f.kind::text = ANY(:kinds::text[]) AND f."regionId" IN (SELECT id FROM regions)
    AND f.key NOT IN (SELECT key FROM match_hits)
  RETURNING f.kind::text AS kind
)
SELECT kind, count(*)::int AS cleared FROM gone GROUP BY kind`;

/**
 * The schedule months whose deadline has passed, per payment schedule, and whether the ledger covers them
 * (judged) or not (no payment at all in the county: not judged). For the summary.
 */
export const PERIODS_SQL = `
WITH grp AS (SELECT * FROM unnest(:g_akind::text[], :g_pkind::text[]) AS t(akind, pkind)),
-- The county's first enrolment month per kind, once (a subquery per schedule row scanned the enrolments
-- 70 times: seconds at 100 k members).
firsts AS MATERIALIZED (
  SELECT e.kind, to_char(min(e."startDate"), 'YYYY-MM') AS month
  FROM "Enrolment" e
  JOIN "Household" h ON h.id = e."householdId" JOIN match_scope sc ON sc.village_id = h."regionId"
  GROUP BY e.kind
)
SELECT g.pkind, s.month, bool_or(d.month IS NOT NULL) AS judged
FROM match_sched s
JOIN grp g ON g.akind = s.akind::text
LEFT JOIN match_due_months d ON d.akind = s.akind AND d.month = s.month
WHERE s.is_schedule AND s.last_on_time < :asOf
  -- Only from the county's own first enrolment of that kind (else of any kind) on: the schedule spans every county's data.
  AND s.month >= coalesce((SELECT f.month FROM firsts f WHERE f.kind = s.akind), (SELECT min(f.month) FROM firsts f))
GROUP BY g.pkind, s.month
ORDER BY g.pkind, s.month`;

/** domain/matching/amounts.ts trailingShare: the last `part` of `whole` months of an amount, odd fen on the early months. */
const trailingShare = (amount: string, part: string, whole: string) =>
  `((${part} * ((${amount} * 100)::bigint / ${whole}) + greatest(0, (${amount} * 100)::bigint % ${whole} - (${whole} - ${part}))) / 100.0)::numeric(14, 2)`;

/** Month number (year × 12 + month − 1) of a date expression. */
const midx = (date: string) => `(extract(year FROM ${date})::int * 12 + extract(month FROM ${date})::int - 1)`;

const ymd = (date: string) => `to_char(${date}, 'YYYY-MM-DD')`;

/** The enrolment `e` covered the date `d` (started on or before it, not ended before it). */
const enrolledOn = (e: string, d: string) => `(${e}."startDate" <= ${d} AND coalesce(${e}."endDate" >= ${d}, ${e}.status = 'ACTIVE'))`;

/** The store-and-list tail every kind shares; `cand` has the Finding columns. */
const store = (kind: FindingKind) => `
stored AS (
  INSERT INTO "Finding" (kind, key, "idNumber", "householdId", "regionId", period, amount, evidence)
  SELECT '${kind}'::"FindingKind", c.key, c.id_number, c.household_id, c.region_id, c.period, c.amount, c.evidence FROM cand c
  ON CONFLICT (key) DO UPDATE SET "clearedAt" = NULL, "clearedByRunId" = NULL WHERE "Finding"."clearedAt" IS NOT NULL
  RETURNING key, (xmax = 0) AS inserted
),
listed AS (
  INSERT INTO match_hits (key, county_id, kind, id_number, household_id, region_id, period, amount, evidence, is_new)
  SELECT c.key, :county, '${kind}', c.id_number, c.household_id, c.region_id, c.period, c.amount, c.evidence, s.key IS NOT NULL
  FROM cand c LEFT JOIN stored s ON s.key = c.key AND s.inserted
  ON CONFLICT (key) DO NOTHING
  RETURNING is_new, amount
)
SELECT count(*)::int AS found, (count(*) FILTER (WHERE is_new))::int AS inserted, sum(amount)::text AS amount,
  (SELECT count(*) FROM stored WHERE NOT inserted)::int AS reopened FROM listed`;

// ---------------------------------------------------------------- the nine kinds

/**
 * Over-paid payments of a dead or imprisoned member. `event` is the record
 * (DeathRecord d / PrisonRecord pr) joined to the member m; `over` counts the
 * covered months of the payment that fall after the event. A household of
 * one is over-paid in full. A larger household is flagged too (the amount
 * should have been recomputed, 57号 Art. 7), unless the payment is already
 * smaller than the enrolment's last payment up to the month of the event (a
 * recomputation is visible in the ledger).
 */
function eventPaymentStatement(o: {
  kind: 'paid_after_death' | 'paid_in_prison';
  from: string;
  eventDate: string;
  eventWhere: string;
  over: string;
  /**
   * paid_after_death: where the household still has living members, the over-paid months are those after
   * the review's deadline month (`sharedOver`, with `dr.due` the deadline), and the amount is the dead
   * person's per-capita share of them (an estimate until the review records the new amount).
   */
  sharedOver?: string;
  columns: string;
  evidence: string;
}): string {
  const shared = o.sharedOver !== undefined;
  const over = shared ? `CASE WHEN hs.alive > 0 THEN ${o.sharedOver} ELSE ${o.over} END` : o.over;
  const share = trailingShare('p."amountPaid"', 'x.over', 's.cover');
  return `
WITH ${SCOPE}, ${SCHED},${shared ? `
dr AS (SELECT * FROM unnest(:d_anchor::date[], :d_due::date[]) AS t(anchor, due)),` : ''}
raw AS (
  SELECT concat_ws('|', '${o.kind}', m."idNumber", p.period, e.kind::text || '@' || h."headIdNumber") AS key,
    m."idNumber" AS id_number, h.id AS household_id, h."regionId" AS region_id, p.period,
    ${shared ? `CASE WHEN hs.alive > 0 THEN round(${share} / hs.size, 2) ELSE ${share} END` : share} AS amount,
    m.name, e.id AS enrolment_id, e.kind AS akind, p.id AS payment_id, p."paidDate", p."amountPaid", s.cover, x.over,
    ${shared ? 'hs.alive > 0 AS per_capita, dr.due AS review_due,' : ''}
    to_char(${o.eventDate}, 'YYYY-MM') AS event_month, ${o.columns}
  FROM ${o.from}
  JOIN "Household" h ON h.id = m."householdId"
  JOIN scope sc ON sc.village_id = h."regionId"
  JOIN "Payment" p ON p."householdId" = h.id
  JOIN "Enrolment" e ON e.id = p."enrolmentId"
  JOIN sched s ON s.akind = e.kind AND s.month = p.period${
    shared
      ? `
  LEFT JOIN dr ON dr.anchor = ${o.eventDate}
  CROSS JOIN LATERAL (
    SELECT count(*)::int AS size,
      (count(*) FILTER (WHERE NOT EXISTS (
        SELECT 1 FROM "DeathRecord" od WHERE od."idNumber" = hm."idNumber" AND od."deathDate" <= :asOf)))::int AS alive
    FROM "Member" hm WHERE hm."householdId" = h.id) hs`
      : ''
  }
  CROSS JOIN LATERAL (SELECT ${over} AS over) x
  WHERE ${o.eventWhere} AND p."paidDate" IS NOT NULL AND p."paidDate" <= :asOf AND p."amountPaid" > 0 AND x.over > 0 /*INC:E*/
),
cand AS (
  SELECT DISTINCT ON (c.key) c.key, c.id_number, c.household_id, c.region_id, c.period, c.amount,
    jsonb_build_object(
      'name', c.name, 'assistanceKind', c.akind, 'paymentId', c.payment_id, 'paidDate', ${ymd('c."paidDate"')},
      'amountPaid', c."amountPaid", 'coveredMonths', c.cover, 'overpaidMonths', c.over,
      'householdSize', hs.size, 'recomputeHousehold', hs.size > 1, 'amountBefore', ref."amountPaid", ${o.evidence}${
        shared ? `,
      'perCapita', c.per_capita, 'reviewDeadline', ${ymd('c.review_due')}` : ''
      }) AS evidence
  FROM raw c
  CROSS JOIN LATERAL (SELECT count(*)::int AS size FROM "Member" hm WHERE hm."householdId" = c.household_id) hs
  LEFT JOIN LATERAL (
    SELECT p0."amountPaid" FROM "Payment" p0
    WHERE p0."enrolmentId" = c.enrolment_id AND p0.period <= c.event_month AND p0."paidDate" IS NOT NULL
    ORDER BY p0.period DESC LIMIT 1
  ) ref ON true
  WHERE hs.size = 1 OR ref."amountPaid" IS NULL OR c."amountPaid" >= ref."amountPaid"
  ORDER BY c.key, c.amount DESC
),${store(o.kind)}`;
}

const PAID_AFTER_DEATH = eventPaymentStatement({
  kind: 'paid_after_death',
  from: `"DeathRecord" d JOIN "Member" m ON m."idNumber" = d."idNumber"`,
  eventDate: 'd."deathDate"',
  eventWhere: 'd."deathDate" <= :asOf',
  over: `least(s.cover, s.midx + s.cover - 1 - ${midx('d."deathDate"')})`,
  sharedOver: `least(s.cover, s.midx + s.cover - 1 - greatest(${midx('d."deathDate"')}, coalesce(${midx('dr.due')}, s.midx + s.cover - 1)))`,
  columns: `d."deathDate", d.source AS death_source`,
  evidence: `'deathDate', ${ymd('c."deathDate"')}, 'deathSource', c.death_source`,
});

const PAID_IN_PRISON = eventPaymentStatement({
  kind: 'paid_in_prison',
  from: `"PrisonRecord" pr JOIN "Member" m ON m."idNumber" = pr."idNumber"`,
  eventDate: 'pr."custodyDate"',
  eventWhere: 'pr."custodyDate" <= :asOf',
  over: `least(s.midx + s.cover - 1, coalesce(${midx('pr."releaseDate"')}, s.midx + s.cover - 1)) - greatest(s.midx, ${midx('pr."custodyDate"')} + 1) + 1`,
  columns: `pr."custodyDate", pr."releaseDate", pr.source AS prison_source`,
  evidence: `'custodyDate', ${ymd('c."custodyDate"')}, 'releaseDate', ${ymd('c."releaseDate"')}, 'prisonSource', c.prison_source`,
});

/** A CLOSED death-review case counts when it was closed (Beijing date) on or before the deadline. */
const closedOn = (c: string) => `(${c}."closedAt" AT TIME ZONE 'Asia/Shanghai')::date`;

const DEATH_REVIEW_OVERDUE = `
WITH ${SCOPE},
dr AS (SELECT * FROM unnest(:d_anchor::date[], :d_due::date[]) AS t(anchor, due)),
cand AS (
  SELECT DISTINCT ON (d."idNumber")
    concat_ws('|', 'death_review_overdue', d."idNumber", '-', '-') AS key,
    d."idNumber" AS id_number, h.id AS household_id, h."regionId" AS region_id, NULL::text AS period, NULL::numeric AS amount,
    jsonb_build_object(
      'name', m.name, 'deathDate', ${ymd('d."deathDate"')}, 'deathSource', d.source, 'deadline', ${ymd('dr.due')},
      'assistanceKinds', (
        SELECT coalesce(jsonb_agg(DISTINCT e.kind), '[]'::jsonb)
        FROM "Member" m2 JOIN "Enrolment" e ON e."householdId" = m2."householdId"
        WHERE m2."idNumber" = d."idNumber" AND ${enrolledOn('e', 'd."deathDate"')}),
      'review', (
        SELECT jsonb_build_object('caseId', c.id, 'status', c.status, 'closedAt', ${ymd(closedOn('c'))})
        FROM "Case" c WHERE c.kind = 'DEATH_REVIEW' AND c."subjectIdNumber" = d."idNumber"
        ORDER BY (c.status = 'OPEN') DESC, c."closedAt" DESC NULLS LAST, c.id DESC LIMIT 1)
    ) AS evidence
  FROM "DeathRecord" d
  JOIN dr ON dr.anchor = d."deathDate"
  JOIN "Member" m ON m."idNumber" = d."idNumber"
  JOIN "Household" h ON h.id = m."householdId"
  JOIN scope sc ON sc.village_id = h."regionId"
  WHERE dr.due < :asOf /*INC:IDE*/
    AND EXISTS (SELECT 1 FROM "Enrolment" e WHERE e."householdId" = h.id AND ${enrolledOn('e', 'd."deathDate"')})
    AND NOT EXISTS (
      SELECT 1 FROM "Case" c
      WHERE c.kind = 'DEATH_REVIEW' AND c."subjectIdNumber" = d."idNumber" AND c.status = 'CLOSED'
        AND c."closedAt" IS NOT NULL AND ${closedOn('c')} <= dr.due)
    -- A benefit change by the deadline settles it too: the enrolment ended (停发), or a payment for a
    -- month after the death, due by the deadline, is smaller than the last one up to the death (减发).
    AND NOT EXISTS (
      SELECT 1 FROM "Enrolment" e
      WHERE e."householdId" = h.id AND ${enrolledOn('e', 'd."deathDate"')}
        AND (e."endDate" <= dr.due OR EXISTS (
          SELECT 1 FROM "Payment" pa
          WHERE pa."enrolmentId" = e.id
            AND pa.period > to_char(d."deathDate", 'YYYY-MM') AND pa.period <= to_char(dr.due, 'YYYY-MM')
            AND pa."amountDue" < (
              SELECT pb."amountDue" FROM "Payment" pb
              WHERE pb."enrolmentId" = e.id AND pb.period <= to_char(d."deathDate", 'YYYY-MM')
              ORDER BY pb.period DESC LIMIT 1))))
  ORDER BY d."idNumber", h.id
),${store('death_review_overdue')}`;

const ACTIVE = `active AS (
  SELECT e."householdId", e.kind, e."monthlyAmount", e."startDate", e."endDate" FROM "Enrolment" e
  WHERE ${enrolledOn('e', ':asOf::date')}
)`;

const DUPLICATE_ENROLMENT = `
WITH ${SCOPE}, ${ACTIVE},
dup_ids AS (SELECT "idNumber" FROM "Member" /*INC:IDH*/ GROUP BY "idNumber" HAVING count(*) > 1),
dup_hh AS (
  SELECT m."idNumber", m.name, h.id AS household_id, h."headIdNumber", h."headName", h."regionId",
    (sc.village_id IS NOT NULL) AS in_scope,
    (SELECT jsonb_agg(jsonb_build_object('kind', e.kind, 'monthlyAmount', e."monthlyAmount") ORDER BY e.kind)
       FROM "Enrolment" e WHERE e."householdId" = h.id AND ${enrolledOn('e', ':asOf::date')}) AS enrolments
  FROM dup_ids JOIN "Member" m USING ("idNumber")
  JOIN "Household" h ON h.id = m."householdId"
  LEFT JOIN scope sc ON sc.village_id = h."regionId"
),
multi_household AS (
  SELECT concat_ws('|', 'duplicate_enrolment', "idNumber", '-', 'households') AS key,
    "idNumber" AS id_number,
    (array_agg(household_id ORDER BY NOT in_scope, household_id))[1] AS household_id,
    (array_agg("regionId" ORDER BY NOT in_scope, household_id))[1] AS region_id,
    NULL::text AS period, NULL::numeric AS amount,
    jsonb_build_object('name', min(name), 'type', 'multiple_households', 'households', jsonb_agg(jsonb_build_object(
      'householdId', household_id, 'headIdNumber', "headIdNumber", 'headName', "headName", 'regionId', "regionId",
      'enrolments', enrolments) ORDER BY household_id)) AS evidence
  FROM dup_hh WHERE enrolments IS NOT NULL
  GROUP BY "idNumber"
  HAVING count(*) > 1 AND bool_or(in_scope)
),
multi_kind AS (
  SELECT concat_ws('|', 'duplicate_enrolment', h."headIdNumber", '-', 'kinds:' || string_agg(a.kind::text, '+' ORDER BY a.kind::text COLLATE "C")) AS key,
    h."headIdNumber" AS id_number, h.id AS household_id, h."regionId" AS region_id, NULL::text AS period, NULL::numeric AS amount,
    jsonb_build_object('name', h."headName", 'type', 'multiple_kinds', 'enrolments', jsonb_agg(jsonb_build_object(
      'kind', a.kind, 'monthlyAmount', a."monthlyAmount", 'startDate', ${ymd('a."startDate"')}, 'endDate', ${ymd('a."endDate"')})
      ORDER BY a.kind::text COLLATE "C")) AS evidence
  FROM (SELECT "householdId" FROM active /*INC:ACTIVE_H*/ GROUP BY "householdId" HAVING count(*) > 1) k
  JOIN active a ON a."householdId" = k."householdId"
  JOIN "Household" h ON h.id = k."householdId"
  JOIN scope sc ON sc.village_id = h."regionId"
  GROUP BY h.id
),
cand AS (SELECT * FROM multi_household UNION ALL SELECT * FROM multi_kind),${store('duplicate_enrolment')}`;

/**
 * The households of the scope nobody is left to be paid for, and from which month (payment_missing
 * judges no month of theirs after it): every member dead (after the month of the last death), or the
 * only member in custody (after the month of custody, up to the month of release). Per household, the
 * month numbers as one multirange. Run in the county's set-up (a few hundred rows), into match_absent.
 */
const ABSENT_SQL = `
INSERT INTO match_absent (household_id, months)
WITH gone AS (
  SELECT m."householdId", max(${midx('d."deathDate"')}) AS from_midx, NULL::int AS to_midx
  FROM "DeathRecord" d JOIN "Member" m ON m."idNumber" = d."idNumber"
  JOIN "Household" h ON h.id = m."householdId" JOIN match_scope sc ON sc.village_id = h."regionId"
  WHERE d."deathDate" <= :asOf
  GROUP BY m."householdId"
  HAVING count(DISTINCT m.id) = (SELECT count(*) FROM "Member" o WHERE o."householdId" = m."householdId")
  UNION ALL
  SELECT m."householdId", ${midx('pr."custodyDate"')}, ${midx('pr."releaseDate"')}
  FROM "PrisonRecord" pr JOIN "Member" m ON m."idNumber" = pr."idNumber"
  JOIN "Household" h ON h.id = m."householdId" JOIN match_scope sc ON sc.village_id = h."regionId"
  WHERE pr."custodyDate" <= :asOf
    AND NOT EXISTS (SELECT 1 FROM "Member" o WHERE o."householdId" = m."householdId" AND o.id <> m.id)
)
SELECT "householdId", range_agg(int4range(from_midx, to_midx, '(]')) FROM gone GROUP BY "householdId"`;

/** Months per bitmask word in payment_missing (bits 0 … 61 of a bigint: no sign-bit arithmetic). */
const WORD = 62;

/**
 * payment_missing in the floor's bitmask form (../shared/perf-floor.md): one GROUP BY over the scope's
 * payments builds, per enrolment and 62-month word, the mask of months paid by the as-of date; the judged
 * months (match_due_months) of the enrolment's span are masked with it, and only the words with gaps are
 * expanded into rows. No hash of every due household-month against every payment.
 */
const PAYMENT_MISSING = `
WITH ${SCOPE},
enr AS MATERIALIZED (
  SELECT e.id, e.kind, e."householdId", e."monthlyAmount",
    -- due from the month after the approval (57号 Art. 21) or, by policy, from the approval month
    ${midx('e."startDate"')} + :dueFromOffset::int AS from_midx,
    ${midx('least(coalesce(e."endDate", :asOf::date), :asOf::date)')} AS to_midx
  FROM "Enrolment" e
  JOIN "Household" h ON h.id = e."householdId"
  JOIN scope sc ON sc.village_id = h."regionId"
  WHERE e."startDate" <= :asOf AND (e."endDate" IS NOT NULL OR e.status = 'ACTIVE') /*INC:ENR*/
),
-- The judged months of each kind, as one mask per word.
due_words AS (
  SELECT akind, midx / ${WORD} AS word, bit_or(1::bigint << (midx % ${WORD})) AS mask /*INC:QMASK*/ FROM match_due_months GROUP BY akind, midx / ${WORD}
),
-- One pass over the payments (periods are 'YYYY-MM', checked on import); bits outside the judged months
-- are masked away below.
-- (Not joined to the county's households: only the masks of enr's enrolments are read below, and a probe
-- per payment cost as much as the aggregation.)
paid AS (
  SELECT p."enrolmentId" AS id, x.midx / ${WORD} AS word, bit_or(1::bigint << (x.midx % ${WORD})) AS mask
  FROM /*INC:PAY*/"Payment" p
  CROSS JOIN LATERAL (SELECT left(p.period, 4)::int * 12 + right(p.period, 2)::int - 1 AS midx) x
  WHERE p."paidDate" IS NOT NULL AND p."paidDate" <= :asOf
  GROUP BY p."enrolmentId", x.midx / ${WORD}
),
gaps AS MATERIALIZED (
  SELECT * FROM (
    SELECT enr.id, enr.kind, enr."householdId", enr."monthlyAmount", w.word,
      dw.mask
        -- the enrolment's span within the word: bits lo … hi
        & ((1::bigint << (least(enr.to_midx, w.word * ${WORD} + ${WORD - 1}) - w.word * ${WORD} + 1)) - 1)
        & ~((1::bigint << (greatest(enr.from_midx, w.word * ${WORD}) - w.word * ${WORD})) - 1)
        & ~coalesce(p.mask, 0) /*INC:GAPS*/ AS missing
    FROM enr
    CROSS JOIN LATERAL generate_series(enr.from_midx / ${WORD}, enr.to_midx / ${WORD}) w(word)
    JOIN due_words dw ON dw.akind = enr.kind AND dw.word = w.word
    LEFT JOIN paid p ON p.id = enr.id AND p.word = w.word
    WHERE enr.from_midx <= enr.to_midx) x
  WHERE missing <> 0
),
-- Households nobody is left to be paid for (match_absent, filled with the county's scope: a few hundred
-- rows, analysed, so that the join below is a hash join and not a loop over them per gap).
absent AS (SELECT household_id AS "householdId", months FROM match_absent),
-- The absent months joined to the gaps before they are expanded into months: joined to the expanded rows
-- (estimated at a few) it was a nested loop over every absent household per row.
gaps_absent AS (
  SELECT g.*, a.months AS absent FROM gaps g LEFT JOIN absent a ON a."householdId" = g."householdId"
),
missing AS (
  SELECT g.id, g.kind, g."householdId", g."monthlyAmount", s.month, s.cover, s.last_on_time,
    p.id AS payment_id, p."amountDue", p."paidDate"
  FROM gaps_absent g
  JOIN match_due_months s ON s.akind = g.kind AND s.midx / ${WORD} = g.word
  -- (one probe of the unique index per month, on both columns: OFFSET 0 keeps the subquery, which the
  -- planner otherwise flattens into a probe on the enrolment alone and a filter on 18 of its rows)
  LEFT JOIN LATERAL (SELECT p.id, p."amountDue", p."paidDate" FROM "Payment" p WHERE p."enrolmentId" = g.id AND p.period = s.month OFFSET 0) p ON true
  WHERE g.missing & (1::bigint << (s.midx % ${WORD})) <> 0 AND (g.absent IS NULL OR NOT g.absent @> s.midx)
),
cand AS (
  SELECT concat_ws('|', 'payment_missing', h."headIdNumber", d.month, d.kind::text) AS key,
    h."headIdNumber" AS id_number, h.id AS household_id, h."regionId" AS region_id, d.month AS period,
    coalesce(d."amountDue", d."monthlyAmount" * d.cover) AS amount,
    jsonb_build_object(
      'name', h."headName", 'assistanceKind', d.kind, 'dueDate', ${ymd('d.last_on_time')},
      'reason', CASE WHEN d.payment_id IS NULL THEN 'no_record' WHEN d."paidDate" IS NULL THEN 'not_paid' ELSE 'paid_after_as_of' END,
      'paymentId', d.payment_id, 'amountDue', coalesce(d."amountDue", d."monthlyAmount" * d.cover),
      'monthlyAmount', d."monthlyAmount", 'paidDate', ${ymd('d."paidDate"')}) AS evidence
  FROM missing d JOIN "Household" h ON h.id = d."householdId"
),${store('payment_missing')}`;

/** Payments of the scope, with their enrolment and household (periods up to the as-of month). */
const PAYMENTS = `/*INC:PAY*/"Payment" p
  JOIN "Enrolment" e ON e.id = p."enrolmentId"
  JOIN "Household" h ON h.id = p."householdId"
  JOIN scope sc ON sc.village_id = h."regionId"`;

const paymentKey = (kind: FindingKind) =>
  `concat_ws('|', '${kind}', h."headIdNumber", p.period, e.kind::text) AS key,
    h."headIdNumber" AS id_number, h.id AS household_id, h."regionId" AS region_id, p.period`;

const paymentEvidence = `'name', h."headName", 'assistanceKind', e.kind, 'paymentId', p.id, 'paidDate', ${ymd('p."paidDate"')}, 'amountPaid', p."amountPaid"`;

/**
 * payment_late reads only the payments that can be late, before the joins, in two parts:
 *
 * - per month, the payments paid after the earliest deadline of the month's schedule rows: an index range
 *   scan of Payment(period, paidDate) each, written out per month with its dates so that the planner
 *   sees each range (a join to a table of months was planned as a pass over every payment);
 * - for the kinds not paid in a month (quarterly 特困 between quarters), whose deadline that month is the
 *   quarter's earlier one: the payments of their enrolments in those months, paid after that deadline
 *   and not after the month's schedule deadline (the rest are in the first part).
 *
 * The exact deadline of the payment's kind is checked after the joins, so the two parts only need to hold
 * every late payment. They do not overlap (after the month's schedule deadline / up to it), so each
 * payment is read once.
 */
function latePayments(t: MatchTables): { sql: string; params: Record<string, unknown> } {
  const due = new Map<string, string>();
  t.schedule.month.forEach((month, i) => {
    if (!t.schedule.isSchedule[i]) return;
    const last = t.schedule.lastOnTime[i]!;
    if (!due.has(month) || last < due.get(month)!) due.set(month, last);
  });
  const params: Record<string, unknown> = {};
  const branches: string[] = [];
  [...due].forEach(([month, last], i) => {
    if (last >= t.asOf) return; // nothing is late yet
    Object.assign(params, { [`late_m${i}`]: month, [`late_d${i}`]: last });
    branches.push(`SELECT p.* FROM /*INC:PAY*/"Payment" p WHERE p.period = :late_m${i} AND p."paidDate" > :late_d${i}::date AND p."paidDate" <= :asOf`);
  });
  // Kinds not paid in a month, with a deadline before the month's schedule deadline (or in a month without one).
  const off = { akind: [] as string[], month: [] as string[], after: [] as string[], upTo: [] as (string | null)[] };
  t.schedule.month.forEach((month, i) => {
    if (t.schedule.isSchedule[i]) return;
    const last = t.schedule.lastOnTime[i]!;
    const upTo = due.get(month) ?? null;
    if (last >= t.asOf || (upTo !== null && last >= upTo)) return;
    off.akind.push(t.schedule.akind[i]!);
    off.month.push(month);
    off.after.push(last);
    off.upTo.push(upTo);
  });
  if (off.akind.length > 0) {
    Object.assign(params, { late_off_akind: off.akind, late_off_month: off.month, late_off_after: off.after, late_off_upto: off.upTo });
    // Enrolment first: the periods of its payments from the enrolment's unique index alone (an index-only
    // scan, kept so by OFFSET 0 and the materialised list: by period, the window would hold every on-time
    // payment of the monthly kinds), matched to the kind's months at once, and only those payments read.
    branches.push(`(WITH periods AS MATERIALIZED (
          SELECT ex.id, ex.kind, px.period FROM "Enrolment" ex
          CROSS JOIN LATERAL (SELECT px.period FROM "Payment" px WHERE px."enrolmentId" = ex.id OFFSET 0) px
          WHERE ex.kind = ANY(:late_off_akind::"AssistanceKind"[]))
        SELECT p.* FROM periods pp
        JOIN unnest(:late_off_akind::"AssistanceKind"[], :late_off_month::text[], :late_off_after::date[], :late_off_upto::date[]) AS o(akind, month, after, up_to)
          ON o.akind = pp.kind AND o.month = pp.period
        CROSS JOIN LATERAL (SELECT * FROM /*INC:PAY*/"Payment" p WHERE p."enrolmentId" = pp.id AND p.period = pp.period OFFSET 0) p
        WHERE p."paidDate" > o.after AND p."paidDate" <= :asOf AND (o.up_to IS NULL OR p."paidDate" <= o.up_to))`);
  }
  if (branches.length === 0) return { sql: `(SELECT p.* FROM "Payment" p WHERE false) p`, params };
  return { sql: `(${branches.join('\n    UNION ALL ')}) p`, params };
}

const PAYMENT_LATE = `
WITH ${SCOPE}, ${SCHED},
cand AS (
  SELECT ${paymentKey('payment_late')}, p."amountPaid" AS amount,
    jsonb_build_object(${paymentEvidence}, 'dueDate', ${ymd('s.last_on_time')}, 'daysLate', p."paidDate" - s.last_on_time,
      'recordedDueDate', ${ymd('p."dueDate"')}) AS evidence
  FROM ${PAYMENTS.replace('/*INC:PAY*/"Payment" p', '/*LATE_PAYMENTS*/')}
  JOIN sched s ON s.akind = e.kind AND s.month = p.period
  WHERE p."paidDate" > s.last_on_time AND p."paidDate" <= :asOf
),${store('payment_late')}`;

const PAYMENT_SHORT = `
WITH ${SCOPE},
cand AS (
  SELECT ${paymentKey('payment_short')}, p."amountDue" - p."amountPaid" AS amount,
    jsonb_build_object(${paymentEvidence}, 'amountDue', p."amountDue") AS evidence
  FROM ${PAYMENTS}
  WHERE p."paidDate" IS NOT NULL AND p."paidDate" <= :asOf AND p.period <= :asOfMonth AND p."amountPaid" < p."amountDue"
),${store('payment_short')}`;

/**
 * payment_wrong_payee reads only the payments that can be wrong: not paid to the household, or of a kind
 * paid to someone else (an institution). A filter on Payment itself, so one pass over it and no join of
 * every payment to its enrolment (an index probe per enrolment was 1–2 s at 100 k members).
 */
const PAYEE_SUSPECTS = `(SELECT * FROM /*INC:PAY*/"Payment" p
    WHERE p."payeeKind" <> 'HOUSEHOLD'
      OR p."enrolmentId" IN (SELECT ex.id FROM "Enrolment" ex WHERE ex.kind::text IN (SELECT akind FROM payee WHERE expected <> 'household'))) p`;

const PAYMENT_WRONG_PAYEE = `
WITH ${SCOPE},
payee AS (SELECT * FROM unnest(:p_akind::text[], :p_expected::text[]) AS t(akind, expected)),
cand AS (
  SELECT ${paymentKey('payment_wrong_payee')}, p."amountPaid" AS amount,
    jsonb_build_object(${paymentEvidence}, 'expectedPayee', r.expected, 'institutionName', i.name,
      'payeeKind', p."payeeKind", 'payeeName', p."payeeName",
      'reason', CASE
        WHEN p."payeeKind" = 'OTHER' THEN 'other_payee'
        WHEN r.expected = 'household' THEN 'not_household'
        WHEN i.id IS NULL THEN 'no_institution_on_record'
        WHEN p."payeeKind" <> 'INSTITUTION' THEN 'not_institution'
        WHEN EXISTS (SELECT 1 FROM "Institution" ri WHERE ri.name = btrim(p."payeeName")) THEN 'wrong_institution'
        ELSE 'unregistered_institution' END) AS evidence
  FROM ${PAYMENTS.replace('/*INC:PAY*/"Payment" p', PAYEE_SUSPECTS)}
  JOIN payee r ON r.akind = e.kind::text
  LEFT JOIN "Institution" i ON i.id = e."institutionId"
  WHERE p."paidDate" IS NOT NULL AND p."paidDate" <= :asOf AND p.period <= :asOfMonth
    AND (p."payeeKind" = 'OTHER'
      OR (r.expected = 'household' AND p."payeeKind" <> 'HOUSEHOLD')
      OR (r.expected = 'institution' AND (i.id IS NULL OR p."payeeKind" <> 'INSTITUTION' OR btrim(p."payeeName") <> btrim(i.name))))
),${store('payment_wrong_payee')}`;

const UNDECLARED_NEAR_RELATIVE = `
WITH ${SCOPE}, ${REGIONS},
rel AS (
  SELECT sr."staffId", sr."relativeIdNumber", sr."relativeName", sr.relation,
    s.name AS staff_name, s.role::text AS role, s.unit, s."idNumber" AS staff_id_number
  FROM "StaffRelative" sr JOIN "Staff" s ON s.id = sr."staffId"
  WHERE s.active AND s.role::text = ANY(:roles::text[]) AND s."regionId" IN (SELECT id FROM regions)
    AND NOT (btrim(sr.relation) = ANY(:excluded::text[]))
    AND NOT EXISTS (
      SELECT 1 FROM "NearRelativeFiling" f
      WHERE f."staffId" = sr."staffId" AND f."relativeIdNumber" = sr."relativeIdNumber" AND f.status <> 'REJECTED')
),
seen AS (
  SELECT rel.*, 'enrolment' AS source, h.id AS household_id, h."regionId" AS region_id, NULL::int AS application_id, m.name AS person_name
  FROM rel
  JOIN "Member" m ON m."idNumber" = rel."relativeIdNumber"
  JOIN "Household" h ON h.id = m."householdId"
  JOIN scope sc ON sc.village_id = h."regionId"
  WHERE EXISTS (SELECT 1 FROM "Enrolment" e WHERE e."householdId" = h.id AND e."startDate" <= :asOf)
  UNION ALL
  SELECT rel.*, 'application', NULL, a."regionId", a.id, a."applicantName"
  FROM rel JOIN "Application" a ON a."applicantIdNumber" = rel."relativeIdNumber"
  WHERE a."regionId" IN (SELECT id FROM regions) AND a."acceptedAt" <= :asOf
),
cand AS (
  SELECT concat_ws('|', 'undeclared_near_relative', "relativeIdNumber", '-', 'staff:' || staff_id_number) AS key,
    "relativeIdNumber" AS id_number, min(household_id) AS household_id,
    (array_agg(region_id ORDER BY household_id NULLS LAST, application_id))[1] AS region_id,
    NULL::text AS period, NULL::numeric AS amount,
    jsonb_build_object(
      'name', coalesce(min(person_name), min("relativeName")), 'relation', min(relation),
      'staff', jsonb_build_object('id', "staffId", 'name', min(staff_name), 'role', min(role), 'unit', min(unit)),
      'sources', jsonb_agg(DISTINCT source),
      'applicationIds', coalesce(jsonb_agg(DISTINCT application_id) FILTER (WHERE application_id IS NOT NULL), '[]'::jsonb),
      'rejectedFilingIds', coalesce((
        SELECT jsonb_agg(f.id ORDER BY f.id) FROM "NearRelativeFiling" f
        WHERE f."staffId" = seen."staffId" AND f."relativeIdNumber" = seen."relativeIdNumber" AND f.status = 'REJECTED'), '[]'::jsonb)
    ) AS evidence
  FROM seen
  GROUP BY "relativeIdNumber", "staffId", staff_id_number
),${store('undeclared_near_relative')}`;

const STATEMENTS: Record<FindingKind, string> = {
  paid_after_death: PAID_AFTER_DEATH,
  paid_in_prison: PAID_IN_PRISON,
  death_review_overdue: DEATH_REVIEW_OVERDUE,
  duplicate_enrolment: DUPLICATE_ENROLMENT,
  payment_missing: PAYMENT_MISSING,
  payment_late: PAYMENT_LATE,
  payment_short: PAYMENT_SHORT,
  payment_wrong_payee: PAYMENT_WRONG_PAYEE,
  undeclared_near_relative: UNDECLARED_NEAR_RELATIVE,
};

/**
 * What an incremental run puts in place of the INC markers (comments `INC:<name>` in the statements) (activities/matching/incremental.ts
 * fills the tables): each kind reconsiders only the part of its data the changes since the last run can
 * affect. A full run removes the markers.
 */
const INCREMENTAL: Record<string, string> = {
  // paid_after_death, paid_in_prison: the households changed in any way (payments included)
  E: `AND h.id IN (SELECT household_id FROM match_inc_e)`,
  // death_review_overdue: the dead whose households or records changed
  IDE: `AND d."idNumber" IN (SELECT id_number FROM match_inc_ide)`,
  // duplicate_enrolment: the people and households whose roster or enrolments changed
  IDH: `WHERE "idNumber" IN (SELECT id_number FROM match_inc_idh)`,
  ACTIVE_H: `WHERE "householdId" IN (SELECT household_id FROM match_inc_h)`,
  // payment kinds: the payments of changed households, and of the periods with changed payments or judged months
  ENR: `AND (e."householdId" IN (SELECT household_id FROM match_inc_h) OR EXISTS (SELECT 1 FROM match_inc_q))`,
  // (a condition on the table itself: index scans on Payment(period) and Payment(householdId), OR-ed)
  PAY: `(SELECT * FROM "Payment" px WHERE px.period = ANY(:inc_periods::text[]) OR px."householdId" = ANY(:inc_households::int[])) p`,
  // (the reconsidered periods' bits of each word, once per word, not a subquery per enrolment)
  QMASK: `, bit_or(1::bigint << (midx % ${WORD})) FILTER (WHERE midx IN (SELECT q.midx FROM match_inc_q q)) AS qmask`,
  GAPS: `& CASE WHEN enr."householdId" IN (SELECT household_id FROM match_inc_h) THEN ~0::bigint ELSE coalesce(dw.qmask, 0) END`,
};

/** The statement of one kind for one county, with its parameters; `incremental`: restricted as above. */
export function kindStatement(kind: FindingKind, countyId: number, t: MatchTables, incremental?: { periods: string[]; households: number[] }): CompiledSql {
  const all: Record<string, unknown> = {
    county: countyId,
    asOf: t.asOf,
    dueFromOffset: t.dueFromOffset,
    asOfMonth: t.asOfMonth,
    d_anchor: t.deathReview.anchor,
    d_due: t.deathReview.due,
    p_akind: t.payee.akind,
    p_expected: t.payee.expected,
    roles: t.nearRelatives.staffRoles,
    excluded: t.nearRelatives.excludedRelations,
    inc_periods: incremental?.periods ?? [],
    inc_households: incremental?.households ?? [],
  };
  let statement = STATEMENTS[kind];
  if (kind === 'payment_late') {
    const late = latePayments(t);
    statement = statement.replace('/*LATE_PAYMENTS*/', late.sql);
    Object.assign(all, late.params);
  }
  const text = statement.replace(/\/\*INC:(\w+)\*\/("Payment" p)?/g, (_, name: string, payment: string | undefined) => {
    if (!incremental) return payment ?? '';
    const sql = INCREMENTAL[name];
    if (sql === undefined) throw new Error(`unknown incremental marker ${name}`);
    return sql;
  });
  // Pass only the parameters the statement uses (PostgreSQL rejects extra ones).
  const used = new Set([...text.matchAll(/(?<![:\w]):([a-zA-Z_]\w*)/g)].map((m) => m[1]!));
  return compileSql(text, Object.fromEntries(Object.entries(all).filter(([k]) => used.has(k))));
}

/**
 * What the policy tables must cover: the earliest month of the data (an index
 * lookup on Payment.period and a scan of Enrolment) and the distinct dates of
 * death up to the as-of date (at most one per day).
 */
export const TABLE_RANGE_SQL = `
SELECT
  least(
    (SELECT to_char(min("startDate"), 'YYYY-MM') FROM "Enrolment"),
    (SELECT min(period) FROM "Payment" WHERE period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$')
  ) AS "fromMonth",
  coalesce((SELECT array_agg(DISTINCT to_char("deathDate", 'YYYY-MM-DD')) FROM "DeathRecord" WHERE "deathDate" <= :asOf), '{}') AS "deathDates"`;

const TOWNSHIP = `CASE r.level WHEN 'VILLAGE' THEN rp.name WHEN 'TOWNSHIP' THEN r.name END`;
const VILLAGE = `CASE r.level WHEN 'VILLAGE' THEN r.name END`;
const REGION_JOINS = `JOIN "Region" cty ON cty.id = mh.county_id
  LEFT JOIN "Region" r ON r.id = mh.region_id
  LEFT JOIN "Region" rp ON rp.id = r."parentId"`;

/** Counts and amounts of this run by county, kind and township. */
export const SUMMARY_SQL = `
SELECT mh.county_id AS "countyId", cty.name AS county, mh.kind, ${TOWNSHIP} AS township,
  count(*)::int AS found, (count(*) FILTER (WHERE mh.is_new))::int AS inserted, sum(mh.amount)::text AS amount
FROM match_hits mh ${REGION_JOINS}
GROUP BY mh.county_id, cty.name, mh.kind, ${TOWNSHIP}
ORDER BY mh.county_id, ${TOWNSHIP} NULLS LAST, mh.kind`;

const kindOrder = (column: string) => `array_position(ARRAY[${FINDING_KINDS.map((k) => `'${k}'`).join(', ')}]::text[], ${column})`;

// The finding's id and (for a finding an incremental run did not reconsider) its stored evidence by key,
// in one unique-index probe per line (the row holds both; OFFSET 0 keeps it a probe): a join to "Finding"
// was planned from its statistics, which on a first run (an empty table, analysed before the run filled
// it) made it a nested loop over the whole table per line.
const LINE_COLUMNS = `mh.kind, mh.key, f.id AS "findingId", mh.is_new AS "isNew", cty.name AS county, mh.id_number AS "idNumber",
  mh.period, mh.amount::text AS amount, ${TOWNSHIP} AS township, ${VILLAGE} AS village,
  mh.household_id AS "householdId", h."headName", h."headIdNumber", coalesce(mh.evidence, f.evidence) AS evidence,
  (mh.evidence IS NULL) AS "storedEvidence"`;

const LINE_FROM = `match_hits mh
  ${REGION_JOINS}
  LEFT JOIN "Household" h ON h.id = mh.household_id
  LEFT JOIN LATERAL (
    SELECT f.id, CASE WHEN mh.evidence IS NULL THEN f.evidence END AS evidence FROM "Finding" f WHERE f.key = mh.key OFFSET 0) f ON true`;

const LINE_ORDER = `mh.county_id, ${kindOrder('mh.kind')}, ${TOWNSHIP} NULLS LAST, ${VILLAGE} NULLS LAST, mh.id_number, mh.period NULLS FIRST, mh.key`;

/**
 * Every finding of this run for a cursor: by county and kind, in the order the statements listed them
 * (match_hits.seq, indexed), so the rows stream without a sort of the whole run.
 */
export const LINES_SQL = `SELECT ${LINE_COLUMNS} FROM ${LINE_FROM} ORDER BY mh.seq`;

/** The first :n findings of each kind, in report order (the text report's examples). */
export const EXAMPLES_SQL = `
SELECT * FROM (
  SELECT ${LINE_COLUMNS}, row_number() OVER (PARTITION BY mh.kind ORDER BY ${LINE_ORDER}) AS rn
  FROM ${LINE_FROM}
) x WHERE rn <= :n
ORDER BY ${kindOrder('x.kind')}, rn`;

/** Row shape of LINES_SQL / EXAMPLES_SQL. */
export interface LineRow {
  kind: FindingKind;
  key: string;
  findingId: number;
  isNew: boolean;
  county: string;
  idNumber: string;
  period: string | null;
  amount: string | null;
  township: string | null;
  village: string | null;
  householdId: number | null;
  headName: string | null;
  headIdNumber: string | null;
  evidence: unknown;
  /** The evidence was read from "Finding" (a finding an incremental run did not reconsider), not built by this run. */
  storedEvidence: boolean;
}
