/**
 * Synthetic county for the benchmark, generated in SQL (generate_series), so
 * that 1 M members and their 24 months of payments take minutes, not hours.
 *
 * Shape (deterministic: every choice is a function of the row number or of
 * hashint8 of it):
 * - 1 county, 20 townships × 20 villages, 5 institutions;
 * - households of 1–3 members (特困 1; 低保 60 % 1, 30 % 2, 10 % 3; 1.35 on average);
 * - one enrolment per household from 2023-01-01: 45 % 农村低保, 25 % 城市低保,
 *   25 % 分散特困, 5 % 集中特困 (paid to one of the institutions);
 * - payments 2023-01 … 2024-12 (低保 monthly, 特困 quarterly); as-of date 2024-12-31;
 * - valid 18-digit ID numbers (GB 11643 check digit), so the import can read them.
 *
 * Planted problems (rates of payment rows, members or households):
 *   payment row missing 0.3 %, unpaid row 0.2 %, paid late 1 %, paid short 0.5 %,
 *   payee OTHER 0.1 %, 集中特困 paid to another institution 2 %;
 *   deaths 0.5 % of members (payments go on, except for half of the one-member
 *   households, where they stop correctly), half of them with a death review
 *   closed within a month; custody 0.2 % of members (half released after 200 days);
 *   a member of a second household 0.1 % of households; 低保 and 分散特困 at once 0.1 %
 *   of 低保 households; one village cadre per village with 3 declared relatives on
 *   the roster (filing approved, rejected, none).
 */
import type pg from 'pg';

export const BENCH_AS_OF = '2024-12-31';
export const AVERAGE_HOUSEHOLD_SIZE = 1.35;
const TOWNSHIPS = 20;
const VILLAGES_PER_TOWNSHIP = 20;
const VILLAGES = TOWNSHIPS * VILLAGES_PER_TOWNSHIP;

export interface GenerateResult {
  countyId: number;
  countyName: string;
  households: number;
  rows: Record<string, number>;
  ms: number;
}

/** Assistance kind of household i. */
const KIND = (i: string) =>
  `(CASE WHEN ${i} % 20 < 9 THEN 'RURAL_DIBAO' WHEN ${i} % 20 < 14 THEN 'URBAN_DIBAO' WHEN ${i} % 20 < 19 THEN 'TEKUN_DISPERSED' ELSE 'TEKUN_CENTRALIZED' END)::"AssistanceKind"`;
const IS_DIBAO = (i: string) => `(${i} % 20 < 14)`;
/** Members of household i (not counting a planted duplicate). */
const SIZE = (i: string) => `(CASE WHEN NOT ${IS_DIBAO(i)} THEN 1 WHEN (${i} / 20) % 10 < 6 THEN 1 WHEN (${i} / 20) % 10 < 9 THEN 2 ELSE 3 END)`;
/** Person number of member j of household i; the ID number is bench_id(person). */
const PERSON = (i: string, j: string) => `((${i})::bigint * 4 + (${j}))`;
/** 0 … 99 999 per person: < 500 dies, 500 … 699 is taken into custody. */
const FATE = (n: string) => `(abs(hashint8(${n})::bigint) % 100000)`;
const DEATH_DATE = (fate: string) => `(date '2023-06-01' + ((${fate} * 7) % 540)::int)`;
const CUSTODY_DATE = (fate: string) => `(date '2023-09-01' + ((${fate} * 13) % 400)::int)`;

const ID_FUNCTION = `
CREATE OR REPLACE FUNCTION bench_id(n bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
  SELECT body || substr('10X98765432', (
    SELECT sum(substr(body, k, 1)::int * (ARRAY[7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])[k])::int % 11 + 1
    FROM generate_series(1, 17) k), 1)
  FROM (SELECT '140428' || to_char(date '1940-01-01' + (n % 25550)::int, 'YYYYMMDD') || lpad(((n / 25550) % 1000)::text, 3, '0') AS body) b
$fn$`;

export async function generate(client: pg.Client, members: number, log: (s: string) => void = () => {}): Promise<GenerateResult> {
  const started = performance.now();
  const H = Math.max(VILLAGES, Math.round(members / AVERAGE_HOUSEHOLD_SIZE));
  const step = async (label: string, sql: string) => {
    const t = performance.now();
    const r = await client.query(sql);
    log(`  ${label}: ${r.rowCount ?? 0} rows, ${((performance.now() - t) / 1000).toFixed(1)} s`);
    return r;
  };
  await client.query(ID_FUNCTION);
  const countyName = `基准县${members}`;
  const county = await client.query<{ id: number }>(`INSERT INTO "Region" (name, level) VALUES ($1, 'COUNTY') RETURNING id`, [countyName]);
  const countyId = county.rows[0]!.id;
  await client.query(`INSERT INTO "Region" (name, level, "parentId") SELECT '第' || t || '镇', 'TOWNSHIP', ${countyId} FROM generate_series(1, ${TOWNSHIPS}) t`);
  await client.query(`
    INSERT INTO "Region" (name, level, "parentId")
    SELECT '第' || v || '村', 'VILLAGE', t.id FROM "Region" t CROSS JOIN generate_series(1, ${VILLAGES_PER_TOWNSHIP}) v WHERE t."parentId" = ${countyId}`);
  await client.query(`
    CREATE TEMP TABLE bv AS
    SELECT (row_number() OVER (ORDER BY v.id) - 1)::int AS vi, v.id
    FROM "Region" v JOIN "Region" t ON t.id = v."parentId" WHERE t."parentId" = ${countyId}`);
  await client.query(`INSERT INTO "Institution" (name, "regionId") SELECT '${countyName}第' || k || '敬老院', NULL FROM generate_series(1, 5) k`);
  const inst = await client.query<{ min: number }>(`SELECT min(id) AS min FROM "Institution" WHERE name LIKE '${countyName}%'`);
  const inst0 = inst.rows[0]!.min;

  await step('households', `
    INSERT INTO "Household" (id, "regionId", "headName", "headIdNumber", "updatedAt")
    SELECT i, bv.id, '户主' || i, bench_id(${PERSON('i', '1')}), now()
    FROM generate_series(1, ${H}) i JOIN bv ON bv.vi = i % ${VILLAGES}`);
  await client.query(`SELECT setval(pg_get_serial_sequence('"Household"', 'id'), ${H})`);

  await step('members', `
    INSERT INTO "Member" ("householdId", name, "idNumber", "relationToHead", status, "updatedAt")
    SELECT i, CASE WHEN j = 1 THEN '户主' || i ELSE '成员' || i || '-' || j END, bench_id(${PERSON('i', 'j')}),
      CASE WHEN j = 1 THEN '本人' ELSE '子女' END, 'ALIVE'::"MemberStatus", now()
    FROM generate_series(1, ${H}) i CROSS JOIN generate_series(1, 3) j WHERE j <= ${SIZE('i')}
    UNION ALL
    -- planted: the head of household i + 1 is also a member of household i
    SELECT i, '户主' || (i + 1), bench_id(${PERSON('i + 1', '1')}), '其他', 'ALIVE'::"MemberStatus", now()
    FROM generate_series(1, ${H - 1}) i WHERE i % 1000 = 7`);

  await step('enrolments', `
    INSERT INTO "Enrolment" (id, "householdId", kind, "institutionId", "monthlyAmount", "startDate", status)
    SELECT i, i, ${KIND('i')}, CASE WHEN i % 20 = 19 THEN ${inst0} + i % 5 END,
      CASE WHEN ${IS_DIBAO('i')} THEN 300 + (i % 7) * 50 WHEN i % 20 < 19 THEN 600 ELSE 800 END,
      date '2023-01-01', 'ACTIVE'::"EnrolmentStatus"
    FROM generate_series(1, ${H}) i
    UNION ALL
    -- planted: 低保 and 分散特困 at once
    SELECT ${H} + i, i, 'TEKUN_DISPERSED'::"AssistanceKind", NULL::int, 600, date '2024-07-01', 'ACTIVE'::"EnrolmentStatus"
    FROM generate_series(1, ${H}) i WHERE i % 1000 = 11 AND ${IS_DIBAO('i')}`);
  await client.query(`SELECT setval(pg_get_serial_sequence('"Enrolment"', 'id'), ${2 * H})`);

  await step('deaths', `
    INSERT INTO "DeathRecord" (name, "idNumber", "deathDate", source)
    SELECT '死者' || n, bench_id(n), ${DEATH_DATE('f')}, '公安户籍'
    FROM generate_series(1, ${H}) i CROSS JOIN generate_series(1, 3) j
    CROSS JOIN LATERAL (SELECT ${PERSON('i', 'j')} AS n, ${FATE(PERSON('i', 'j'))} AS f) x
    WHERE j <= ${SIZE('i')} AND f < 500`);
  await step('death reviews', `
    INSERT INTO "Case" (kind, "workflowId", "subjectIdNumber", status, "anchorDate", "closedAt")
    SELECT 'DEATH_REVIEW', 'bench-death-review-' || d.id, d."idNumber", 'CLOSED', d."deathDate", d."deathDate" + interval '30 days'
    FROM "DeathRecord" d WHERE d.id % 2 = 0`);
  await step('custody', `
    INSERT INTO "PrisonRecord" (name, "idNumber", "custodyDate", "releaseDate", source)
    SELECT '服刑' || n, bench_id(n), ${CUSTODY_DATE('f')}, CASE WHEN f % 2 = 0 THEN ${CUSTODY_DATE('f')} + 200 END, '司法局'
    FROM generate_series(1, ${H}) i CROSS JOIN generate_series(1, 3) j
    CROSS JOIN LATERAL (SELECT ${PERSON('i', 'j')} AS n, ${FATE(PERSON('i', 'j'))} AS f) x
    WHERE j <= ${SIZE('i')} AND f >= 500 AND f < 700`);

  // Payments: the head's fate decides whether a one-member household's payments stop after the death.
  await step('payments', `
    INSERT INTO "Payment" ("enrolmentId", "householdId", period, "dueDate", "amountDue", "amountPaid", "paidDate", "payeeKind", "payeeName")
    SELECT e.id, e."householdId", to_char(x.pd, 'YYYY-MM'), x.pd + 9, x.due,
      CASE WHEN x.ph < 50 THEN 0 WHEN x.ph < 150 THEN x.due WHEN x.ph < 200 THEN x.due - 50 ELSE x.due END,
      CASE WHEN x.ph < 50 THEN NULL WHEN x.ph < 150 THEN x.pd + 10 + (x.ph % 10)::int ELSE x.pd + (x.ph % 9)::int END,
      CASE WHEN x.ph >= 200 AND x.ph < 210 THEN 'OTHER' WHEN e."institutionId" IS NOT NULL THEN 'INSTITUTION' ELSE 'HOUSEHOLD' END::"PayeeKind",
      CASE WHEN x.ph >= 200 AND x.ph < 210 THEN '某商贸公司'
           WHEN e."institutionId" IS NOT NULL AND x.ph >= 210 AND x.ph < 410 THEN (SELECT name FROM "Institution" WHERE id = ${inst0} + (e."institutionId" - ${inst0} + 1) % 5)
           WHEN e."institutionId" IS NOT NULL THEN i.name
           ELSE h."headName" END
    FROM "Enrolment" e
    JOIN "Household" h ON h.id = e."householdId"
    LEFT JOIN "Institution" i ON i.id = e."institutionId"
    CROSS JOIN generate_series(0, 23) m
    CROSS JOIN LATERAL (
      SELECT (date '2023-01-01' + make_interval(months => m))::date AS pd,
        abs(hashint8(e.id::bigint * 32 + m)::bigint) % 10000 AS ph,
        e."monthlyAmount" * CASE WHEN e.kind IN ('URBAN_DIBAO', 'RURAL_DIBAO') THEN 1 ELSE 3 END AS due,
        ${FATE(PERSON('e."householdId"', '1'))} AS hf
    ) x
    WHERE (e.kind IN ('URBAN_DIBAO', 'RURAL_DIBAO') OR m % 3 = 0)
      AND x.pd >= e."startDate"
      AND x.ph >= 30
      AND NOT (${SIZE('e."householdId"')} = 1 AND e."householdId" % 2 = 0 AND x.hf < 500
               AND x.pd >= date_trunc('month', ${DEATH_DATE('x.hf')}) + interval '1 month')`);

  // One village cadre per village, with three declared relatives on the roster of the village.
  await step('staff', `
    INSERT INTO "Staff" (name, "idNumber", role, unit, "regionId", "updatedAt")
    SELECT '村干部' || bv.vi, bench_id(100000000 + bv.vi), 'VILLAGE_COMMITTEE', '村委会', bv.id, now() FROM bv`);
  await step('relatives', `
    INSERT INTO "StaffRelative" ("staffId", "relativeName", "relativeIdNumber", relation)
    SELECT s.id, h."headName", h."headIdNumber", '子女'
    FROM bv JOIN "Staff" s ON s."regionId" = bv.id
    CROSS JOIN generate_series(1, 3) k
    JOIN "Household" h ON h.id = bv.vi + ${VILLAGES} * k`);
  await step('filings', `
    INSERT INTO "NearRelativeFiling" ("staffId", "relativeIdNumber", "relativeName", relation, status)
    SELECT r."staffId", r."relativeIdNumber", r."relativeName", r.relation, CASE WHEN h.id / ${VILLAGES} = 1 THEN 'APPROVED' ELSE 'REJECTED' END::"FilingStatus"
    FROM "StaffRelative" r JOIN "Household" h ON h."headIdNumber" = r."relativeIdNumber"
    WHERE h.id / ${VILLAGES} IN (1, 2)`);

  const counts = await client.query<Record<string, string>>(`
    SELECT (SELECT count(*) FROM "Household") AS households, (SELECT count(*) FROM "Member") AS members,
      (SELECT count(*) FROM "Enrolment") AS enrolments, (SELECT count(*) FROM "Payment") AS payments,
      (SELECT count(*) FROM "DeathRecord") AS deaths, (SELECT count(*) FROM "PrisonRecord") AS custody,
      (SELECT count(*) FROM "Case") AS cases, (SELECT count(*) FROM "StaffRelative") AS relatives`);
  const rows = Object.fromEntries(Object.entries(counts.rows[0]!).map(([k, v]) => [k, Number(v)]));
  return { countyId, countyName, households: H, rows, ms: performance.now() - started };
}
