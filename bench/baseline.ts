/**
 * The baseline: for each kind of finding, the bare SQL join a person would
 * write by hand to count the same problems. Plain `SELECT count(*)`, the 长子
 * policy written in as constants (10th of the month, inclusive; quarters from
 * January; review 3 months after the death), no key, no evidence, no insert,
 * no policy tables, no app code. $1 = county region id, $2 = as-of date.
 *
 * They encode the same rules as activities/matching/sql.ts, so the counts
 * must agree with the matcher's; the benchmark checks that they do.
 */
import type { FindingKind } from '../domain/matching/index.js';

const SCOPE = `JOIN "Region" v ON v.id = h."regionId" JOIN "Region" t ON t.id = v."parentId" AND t."parentId" = $1`;
const DIBAO = `e.kind IN ('URBAN_DIBAO', 'RURAL_DIBAO')`;
const AS_OF_MONTH = `to_char($2::date, 'YYYY-MM')`;
const LAST_COVERED = `to_char(to_date(p.period, 'YYYY-MM') + CASE WHEN ${DIBAO} THEN interval '0 months' ELSE interval '2 months' END, 'YYYY-MM')`;
const ENROLLED_ON = (d: string) => `e."startDate" <= ${d} AND coalesce(e."endDate" >= ${d}, e.status = 'ACTIVE')`;
const NOT_RECOMPUTED = (eventDate: string) => `(
  (SELECT count(*) FROM "Member" x WHERE x."householdId" = h.id) = 1
  OR p."amountPaid" >= coalesce((
    SELECT p0."amountPaid" FROM "Payment" p0
    WHERE p0."enrolmentId" = e.id AND p0.period <= to_char(${eventDate}, 'YYYY-MM') AND p0."paidDate" IS NOT NULL
    ORDER BY p0.period DESC LIMIT 1), 0))`;

export const BASELINE: Record<FindingKind, string> = {
  paid_after_death: `
SELECT count(*) FROM (
  SELECT DISTINCT m."idNumber", p.id
  FROM "DeathRecord" d
  JOIN "Member" m ON m."idNumber" = d."idNumber"
  JOIN "Household" h ON h.id = m."householdId" ${SCOPE}
  JOIN "Payment" p ON p."householdId" = h.id
  JOIN "Enrolment" e ON e.id = p."enrolmentId"
  WHERE d."deathDate" <= $2 AND p."paidDate" <= $2 AND p."amountPaid" > 0 AND p.period <= ${AS_OF_MONTH}
    AND ${LAST_COVERED} > to_char(d."deathDate", 'YYYY-MM')
    AND ${NOT_RECOMPUTED('d."deathDate"')}
) q`,

  paid_in_prison: `
SELECT count(*) FROM (
  SELECT DISTINCT m."idNumber", p.id
  FROM "PrisonRecord" pr
  JOIN "Member" m ON m."idNumber" = pr."idNumber"
  JOIN "Household" h ON h.id = m."householdId" ${SCOPE}
  JOIN "Payment" p ON p."householdId" = h.id
  JOIN "Enrolment" e ON e.id = p."enrolmentId"
  WHERE pr."custodyDate" <= $2 AND p."paidDate" <= $2 AND p."amountPaid" > 0 AND p.period <= ${AS_OF_MONTH}
    AND ${LAST_COVERED} > to_char(pr."custodyDate", 'YYYY-MM')
    AND (pr."releaseDate" IS NULL OR p.period <= to_char(pr."releaseDate", 'YYYY-MM'))
    AND ${NOT_RECOMPUTED('pr."custodyDate"')}
) q`,

  death_review_overdue: `
SELECT count(DISTINCT d."idNumber")
FROM "DeathRecord" d
JOIN "Member" m ON m."idNumber" = d."idNumber"
JOIN "Household" h ON h.id = m."householdId" ${SCOPE}
CROSS JOIN LATERAL (SELECT (d."deathDate" + interval '3 months')::date AS due) r
WHERE d."deathDate" <= $2 AND r.due < $2
  AND EXISTS (SELECT 1 FROM "Enrolment" e WHERE e."householdId" = h.id AND ${ENROLLED_ON('d."deathDate"')})
  AND NOT EXISTS (
    SELECT 1 FROM "Case" c WHERE c.kind = 'DEATH_REVIEW' AND c."subjectIdNumber" = d."idNumber" AND c.status = 'CLOSED'
      AND (c."closedAt" AT TIME ZONE 'Asia/Shanghai')::date <= r.due)
  AND NOT EXISTS (
    SELECT 1 FROM "Enrolment" e
    WHERE e."householdId" = h.id AND ${ENROLLED_ON('d."deathDate"')}
      AND (e."endDate" <= r.due OR EXISTS (
        SELECT 1 FROM "Payment" pa
        WHERE pa."enrolmentId" = e.id AND pa.period > to_char(d."deathDate", 'YYYY-MM') AND pa.period <= to_char(r.due, 'YYYY-MM')
          AND pa."amountDue" < (SELECT pb."amountDue" FROM "Payment" pb WHERE pb."enrolmentId" = e.id
                                AND pb.period <= to_char(d."deathDate", 'YYYY-MM') ORDER BY pb.period DESC LIMIT 1))))`,

  duplicate_enrolment: `
SELECT
  (SELECT count(*) FROM (
     SELECT m."idNumber"
     FROM "Member" m
     JOIN "Household" h ON h.id = m."householdId"
     LEFT JOIN ("Region" v JOIN "Region" t ON t.id = v."parentId" AND t."parentId" = $1) ON v.id = h."regionId"
     WHERE EXISTS (SELECT 1 FROM "Enrolment" e WHERE e."householdId" = h.id AND ${ENROLLED_ON('$2::date')})
     GROUP BY m."idNumber" HAVING count(*) > 1 AND bool_or(t.id IS NOT NULL)) a)
  +
  (SELECT count(*) FROM (
     SELECT h.id FROM "Enrolment" e JOIN "Household" h ON h.id = e."householdId" ${SCOPE}
     WHERE ${ENROLLED_ON('$2::date')}
     GROUP BY h.id HAVING count(*) > 1) b)`,

  payment_missing: `
SELECT count(*)
FROM "Enrolment" e
JOIN "Household" h ON h.id = e."householdId" ${SCOPE}
CROSS JOIN LATERAL generate_series(date_trunc('month', e."startDate"), least(coalesce(e."endDate", $2::date), $2::date), interval '1 month') g(m)
LEFT JOIN "Payment" p ON p."enrolmentId" = e.id AND p.period = to_char(g.m, 'YYYY-MM')
WHERE e."startDate" <= $2 AND (e."endDate" IS NOT NULL OR e.status = 'ACTIVE')
  AND (${DIBAO} OR extract(month FROM g.m) IN (1, 4, 7, 10))
  AND g.m::date + 9 < $2
  AND to_char(g.m, 'YYYY-MM') >= (SELECT min(p1.period) FROM "Payment" p1 JOIN "Household" h ON h.id = p1."householdId" ${SCOPE})
  AND (p.id IS NULL OR p."paidDate" IS NULL OR p."paidDate" > $2)
  AND NOT EXISTS (
    SELECT 1 FROM "Member" m JOIN "DeathRecord" d ON d."idNumber" = m."idNumber"
    WHERE m."householdId" = e."householdId" AND d."deathDate" <= $2
      AND to_char(g.m, 'YYYY-MM') > to_char(d."deathDate", 'YYYY-MM')
      AND NOT EXISTS (SELECT 1 FROM "Member" o WHERE o."householdId" = m."householdId" AND NOT EXISTS (
        SELECT 1 FROM "DeathRecord" od WHERE od."idNumber" = o."idNumber" AND od."deathDate" <= d."deathDate")))
  AND NOT EXISTS (
    SELECT 1 FROM "Member" m JOIN "PrisonRecord" pr ON pr."idNumber" = m."idNumber"
    WHERE m."householdId" = e."householdId" AND pr."custodyDate" <= $2
      AND to_char(g.m, 'YYYY-MM') > to_char(pr."custodyDate", 'YYYY-MM')
      AND (pr."releaseDate" IS NULL OR to_char(g.m, 'YYYY-MM') <= to_char(pr."releaseDate", 'YYYY-MM'))
      AND NOT EXISTS (SELECT 1 FROM "Member" o WHERE o."householdId" = m."householdId" AND o.id <> m.id))`,

  payment_late: `
SELECT count(*)
FROM "Payment" p JOIN "Enrolment" e ON e.id = p."enrolmentId" JOIN "Household" h ON h.id = p."householdId" ${SCOPE}
WHERE p."paidDate" > to_date(p.period || '-10', 'YYYY-MM-DD') AND p."paidDate" <= $2 AND p.period <= ${AS_OF_MONTH}`,

  payment_short: `
SELECT count(*)
FROM "Payment" p JOIN "Enrolment" e ON e.id = p."enrolmentId" JOIN "Household" h ON h.id = p."householdId" ${SCOPE}
WHERE p."paidDate" <= $2 AND p.period <= ${AS_OF_MONTH} AND p."amountPaid" < p."amountDue"`,

  payment_wrong_payee: `
SELECT count(*)
FROM "Payment" p JOIN "Enrolment" e ON e.id = p."enrolmentId" JOIN "Household" h ON h.id = p."householdId" ${SCOPE}
LEFT JOIN "Institution" i ON i.id = e."institutionId"
WHERE p."paidDate" <= $2 AND p.period <= ${AS_OF_MONTH}
  AND (p."payeeKind" = 'OTHER'
    OR (e.kind <> 'TEKUN_CENTRALIZED' AND p."payeeKind" <> 'HOUSEHOLD')
    OR (e.kind = 'TEKUN_CENTRALIZED' AND (i.id IS NULL OR p."payeeKind" <> 'INSTITUTION' OR btrim(p."payeeName") <> btrim(i.name))))`,

  undeclared_near_relative: `
SELECT count(*) FROM (
  SELECT DISTINCT sr."relativeIdNumber", sr."staffId"
  FROM "StaffRelative" sr
  JOIN "Staff" s ON s.id = sr."staffId"
  JOIN "Member" m ON m."idNumber" = sr."relativeIdNumber"
  JOIN "Household" h ON h.id = m."householdId" ${SCOPE}
  WHERE s.active AND s.role IN ('VILLAGE_COMMITTEE', 'TOWNSHIP_CASEWORKER', 'SECTION_CASEWORKER', 'TOWNSHIP_HEAD', 'SECTION_HEAD')
    AND s."regionId" IN (SELECT $1 UNION ALL SELECT id FROM "Region" WHERE "parentId" = $1
                         UNION ALL SELECT r.id FROM "Region" r JOIN "Region" tt ON tt.id = r."parentId" WHERE tt."parentId" = $1)
    AND sr.relation IN ('配偶', '父母', '子女', '兄弟姐妹', '祖父母', '外祖父母', '孙子女', '外孙子女')
    AND EXISTS (SELECT 1 FROM "Enrolment" e WHERE e."householdId" = h.id AND e."startDate" <= $2)
    AND NOT EXISTS (SELECT 1 FROM "NearRelativeFiling" f WHERE f."staffId" = sr."staffId" AND f."relativeIdNumber" = sr."relativeIdNumber" AND f.status <> 'REJECTED')
) q`,
};
