/**
 * The matching floor of ../shared/perf-floor.md, on the benchmark's generated data: the fastest known way
 * to do the same work on the same server. Nine `INSERT … SELECT` statements in one transaction, session
 * settings work_mem = 64MB, jit = off, random_page_cost = 1.1, over bare tables shaped for the job (schema
 * `floor`, built from the generated county before the clock starts, like a `COPY` would load them):
 *
 *   floor.roster    (head_id, member_id) PK, (member_id, head_id), is_head a stored generated column,
 *                   the household's assistance kind, enrolment start and institution;
 *   floor.enrol     one row per enrolment (kind, start) for the duplicate-kind check;
 *   floor.payments  (head_id, period, kind) PK; period a date;
 *   floor.deaths, floor.prison, floor.reviews, floor.relatives on the person's id.
 *
 * payment_missing is the bitmask form (24 months from 2023-01, bit k = month k). The 长子 rules are written
 * in as constants (10th of the month, quarters from January, review 3 months after the death). No keys,
 * no evidence, no policy tables, no app code: that is what the product adds, and what the ratio measures.
 */
import type pg from 'pg';

import type { FindingKind } from '../domain/matching/index.js';

const SETUP = [
  `DROP SCHEMA IF EXISTS floor CASCADE`,
  `CREATE SCHEMA floor`,
  `CREATE TABLE floor.roster (
     head_id text NOT NULL, member_id text NOT NULL, kind text NOT NULL, enrolled_on date NOT NULL, institution text,
     is_head boolean GENERATED ALWAYS AS (member_id = head_id) STORED,
     PRIMARY KEY (head_id, member_id))`,
  `INSERT INTO floor.roster (head_id, member_id, kind, enrolled_on, institution)
   SELECT DISTINCT ON (h."headIdNumber", m."idNumber") h."headIdNumber", m."idNumber",
     CASE e.kind WHEN 'URBAN_DIBAO' THEN '城市低保' WHEN 'RURAL_DIBAO' THEN '农村低保' WHEN 'TEKUN_DISPERSED' THEN '分散特困' ELSE '集中特困' END,
     e."startDate", i.name
   FROM "Member" m JOIN "Household" h ON h.id = m."householdId"
   JOIN "Enrolment" e ON e."householdId" = h.id LEFT JOIN "Institution" i ON i.id = e."institutionId"
   ORDER BY h."headIdNumber", m."idNumber", e.id`,
  `CREATE INDEX ON floor.roster (member_id, head_id)`,
  `CREATE TABLE floor.enrol AS
   SELECT h."headIdNumber" AS head_id, e.kind::text AS kind, e."startDate" AS enrolled_on
   FROM "Enrolment" e JOIN "Household" h ON h.id = e."householdId" WHERE e.status = 'ACTIVE'`,
  `CREATE INDEX ON floor.enrol (head_id)`,
  `CREATE TABLE floor.payments (
     head_id text NOT NULL, period date NOT NULL, kind text NOT NULL, due numeric(14, 2) NOT NULL, paid numeric(14, 2) NOT NULL,
     paid_on date, payee_kind text NOT NULL, payee text,
     PRIMARY KEY (head_id, period, kind))`,
  `INSERT INTO floor.payments
   SELECT h."headIdNumber", to_date(p.period, 'YYYY-MM'), e.kind::text, p."amountDue", p."amountPaid", p."paidDate", p."payeeKind"::text, p."payeeName"
   FROM "Payment" p JOIN "Enrolment" e ON e.id = p."enrolmentId" JOIN "Household" h ON h.id = p."householdId"`,
  `CREATE TABLE floor.deaths AS SELECT "idNumber" AS member_id, "deathDate" AS died_on FROM "DeathRecord"`,
  `CREATE INDEX ON floor.deaths (member_id)`,
  `CREATE TABLE floor.prison AS SELECT "idNumber" AS member_id, "custodyDate" AS custody_on, "releaseDate" AS release_on FROM "PrisonRecord"`,
  `CREATE INDEX ON floor.prison (member_id)`,
  `CREATE TABLE floor.reviews AS
   SELECT "subjectIdNumber" AS member_id, ("closedAt" AT TIME ZONE 'Asia/Shanghai')::date AS closed_on
   FROM "Case" WHERE kind = 'DEATH_REVIEW' AND status = 'CLOSED'`,
  `CREATE INDEX ON floor.reviews (member_id)`,
  `CREATE TABLE floor.relatives AS
   SELECT sr."staffId" AS staff_id, sr."relativeIdNumber" AS member_id, sr.relation,
     EXISTS (SELECT 1 FROM "NearRelativeFiling" f WHERE f."staffId" = sr."staffId" AND f."relativeIdNumber" = sr."relativeIdNumber" AND f.status <> 'REJECTED') AS filed
   FROM "StaffRelative" sr`,
  `CREATE INDEX ON floor.relatives (member_id)`,
  `CREATE TABLE floor.findings (kind text NOT NULL, head_id text, member_id text, period date, amount numeric(14, 2))`,
  `VACUUM ANALYZE floor.roster, floor.enrol, floor.payments, floor.deaths, floor.prison, floor.reviews, floor.relatives, floor.findings`,
];

const AS_OF = `date '2024-12-31'`;
/** Last month a payment covers (quarterly 特困: three months). */
const LAST_COVERED = `(p.period + CASE WHEN p.kind LIKE '%DIBAO' THEN interval '0 months' ELSE interval '2 months' END)`;
const INSERT = (kind: FindingKind) => `INSERT INTO floor.findings (kind, head_id, member_id, period, amount) SELECT '${kind}', `;

export const FLOOR: Record<FindingKind, string> = {
  payment_missing: `${INSERT('payment_missing')} x.head_id, x.head_id, x.period, NULL FROM (
WITH paid AS (
  SELECT head_id, bit_or(1 << ((date_part('year', period)::int - 2023) * 12 + date_part('month', period)::int - 1)) AS mask
  FROM floor.payments WHERE period >= date '2023-01-01' AND period < date '2025-01-01' AND paid_on IS NOT NULL AND paid_on <= ${AS_OF}
  GROUP BY head_id),
gaps AS MATERIALIZED (
  SELECT * FROM (
    SELECT h.head_id,
           (CASE WHEN h.kind LIKE '%特困' THEN x'249249'::int ELSE x'FFFFFF'::int END)
           & ~((1 << least(24, greatest(0, (date_part('year', h.enrolled_on)::int - 2023) * 12 + date_part('month', h.enrolled_on)::int - 1))) - 1)
           & ~coalesce(p.mask, 0) AS missing
    FROM floor.roster h LEFT JOIN paid p ON p.head_id = h.head_id WHERE h.is_head) x
  WHERE missing <> 0)
SELECT g.head_id, (date '2023-01-01' + make_interval(months => k))::date AS period
FROM gaps g CROSS JOIN generate_series(0, 23) k
WHERE g.missing & (1 << k) <> 0
  AND NOT EXISTS (
    SELECT 1 FROM floor.roster r JOIN floor.deaths d ON d.member_id = r.member_id
    WHERE r.head_id = g.head_id AND date '2023-01-01' + make_interval(months => k) > d.died_on
      AND NOT EXISTS (SELECT 1 FROM floor.roster o WHERE o.head_id = g.head_id AND o.member_id <> r.member_id))
  AND NOT EXISTS (
    SELECT 1 FROM floor.roster r JOIN floor.prison pr ON pr.member_id = r.member_id
    WHERE r.head_id = g.head_id AND date '2023-01-01' + make_interval(months => k) > pr.custody_on
      AND (pr.release_on IS NULL OR date '2023-01-01' + make_interval(months => k) <= pr.release_on)
      AND NOT EXISTS (SELECT 1 FROM floor.roster o WHERE o.head_id = g.head_id AND o.member_id <> r.member_id))) x`,

  payment_late: `${INSERT('payment_late')} p.head_id, p.head_id, p.period, p.paid FROM floor.payments p
WHERE p.paid_on > p.period + 9 AND p.paid_on <= ${AS_OF}`,

  payment_short: `${INSERT('payment_short')} p.head_id, p.head_id, p.period, p.due - p.paid FROM floor.payments p
WHERE p.paid_on <= ${AS_OF} AND p.paid < p.due`,

  payment_wrong_payee: `${INSERT('payment_wrong_payee')} p.head_id, p.head_id, p.period, p.paid
FROM floor.payments p JOIN floor.roster h ON h.head_id = p.head_id AND h.is_head
WHERE p.paid_on <= ${AS_OF}
  AND (p.payee_kind = 'OTHER'
    OR (p.kind <> 'TEKUN_CENTRALIZED' AND p.payee_kind <> 'HOUSEHOLD')
    OR (p.kind = 'TEKUN_CENTRALIZED' AND (h.institution IS NULL OR p.payee_kind <> 'INSTITUTION' OR btrim(p.payee) <> btrim(h.institution))))`,

  paid_after_death: `${INSERT('paid_after_death')} r.head_id, d.member_id, p.period, p.paid
FROM floor.deaths d JOIN floor.roster r ON r.member_id = d.member_id JOIN floor.payments p ON p.head_id = r.head_id
WHERE d.died_on <= ${AS_OF} AND p.paid_on <= ${AS_OF} AND p.paid > 0
  AND to_char(${LAST_COVERED}, 'YYYY-MM') > to_char(d.died_on, 'YYYY-MM')`,

  paid_in_prison: `${INSERT('paid_in_prison')} r.head_id, pr.member_id, p.period, p.paid
FROM floor.prison pr JOIN floor.roster r ON r.member_id = pr.member_id JOIN floor.payments p ON p.head_id = r.head_id
WHERE pr.custody_on <= ${AS_OF} AND p.paid_on <= ${AS_OF} AND p.paid > 0
  AND to_char(${LAST_COVERED}, 'YYYY-MM') > to_char(pr.custody_on, 'YYYY-MM')
  AND (pr.release_on IS NULL OR p.period <= pr.release_on)`,

  death_review_overdue: `${INSERT('death_review_overdue')} r.head_id, d.member_id, NULL, NULL
FROM floor.deaths d JOIN floor.roster r ON r.member_id = d.member_id
WHERE (d.died_on + interval '3 months')::date < ${AS_OF}
  AND NOT EXISTS (SELECT 1 FROM floor.reviews v WHERE v.member_id = d.member_id AND v.closed_on <= (d.died_on + interval '3 months')::date)`,

  duplicate_enrolment: `${INSERT('duplicate_enrolment')} x.head_id, x.member_id, NULL, NULL FROM (
  SELECT min(head_id) AS head_id, member_id FROM floor.roster GROUP BY member_id HAVING count(*) > 1
  UNION ALL
  SELECT head_id, head_id FROM floor.enrol GROUP BY head_id HAVING count(*) > 1) x`,

  undeclared_near_relative: `${INSERT('undeclared_near_relative')} r.head_id, rel.member_id, NULL, NULL
FROM floor.relatives rel JOIN floor.roster r ON r.member_id = rel.member_id
WHERE NOT rel.filed AND rel.relation IN ('配偶', '父母', '子女', '兄弟姐妹', '祖父母', '外祖父母', '孙子女', '外孙子女')`,
};

/** Kinds in the floor's order (payment_missing first: half the total). */
const ORDER: FindingKind[] = [
  'payment_missing',
  'payment_late',
  'payment_short',
  'payment_wrong_payee',
  'paid_after_death',
  'paid_in_prison',
  'death_review_overdue',
  'duplicate_enrolment',
  'undeclared_near_relative',
];

export interface FloorFigures {
  setupMs: number;
  /** The nine statements in one transaction, with BEGIN/SET/COMMIT. */
  ms: number;
  kinds: Array<{ kind: FindingKind; ms: number; rows: number }>;
}

/** Build the floor's tables from the generated data (not timed as floor work). */
export async function setupFloor(client: pg.Client): Promise<number> {
  const started = performance.now();
  for (const sql of SETUP) await client.query(sql);
  return performance.now() - started;
}

/** One run of the floor: the nine statements in one transaction (findings emptied first, untimed). */
export async function runFloor(client: pg.Client): Promise<Omit<FloorFigures, 'setupMs'>> {
  await client.query('TRUNCATE floor.findings');
  const started = performance.now();
  await client.query('BEGIN');
  await client.query(`SET LOCAL work_mem = '64MB'`);
  await client.query('SET LOCAL jit = off');
  await client.query('SET LOCAL random_page_cost = 1.1');
  const kinds: FloorFigures['kinds'] = [];
  for (const kind of ORDER) {
    const t = performance.now();
    const r = await client.query(FLOOR[kind]);
    kinds.push({ kind, ms: performance.now() - t, rows: r.rowCount ?? 0 });
  }
  await client.query('COMMIT');
  return { ms: performance.now() - started, kinds };
}
