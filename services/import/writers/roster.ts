// 花名册: regions found or created under the county, institutions found or created by name, households
// upserted by the head's ID, members by (household, ID), enrolments by (household, kind).
import type { RosterRow } from '../../../domain/import/index.js';
import { dedupe, jsonRows, newCounts, queryJson, recordChanges, upsertCounting, type Item, type KindWriter, type Rejection, type WriterContext } from './common.js';

/**
 * `distinct` tells how many different households, members and enrolments the file has so far (from the
 * file checks), so that rows already written by an earlier chunk of the same file are not counted as
 * "unchanged" a second time: unchanged = distinct − created − updated.
 */
export function createRosterWriter(
  ctx: WriterContext,
  distinct: () => { households: number; members: number; enrolments: number },
): KindWriter<RosterRow> {
  const { tx, regions } = ctx;
  const counts = newCounts('households', 'members', 'enrolments', 'institutions');
  const institutions = new Map<string, number>();

  async function institutionId(name: string): Promise<number> {
    const hit = institutions.get(name);
    if (hit !== undefined) return hit;
    const countyId = await regions.county(true);
    const ins = await tx.$queryRawUnsafe<{ id: number }[]>(
      `INSERT INTO "Institution" (name, "regionId") VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING id`,
      name,
      countyId,
    );
    let id = ins[0]?.id;
    if (id !== undefined) counts.institutions!.created++;
    else {
      const rows = await tx.$queryRawUnsafe<{ id: number }[]>(`SELECT id FROM "Institution" WHERE name = $1`, name);
      id = rows[0]!.id;
      counts.institutions!.unchanged++;
    }
    institutions.set(name, id);
    return id;
  }

  const finish = () => {
    const d = distinct();
    for (const t of ['households', 'members', 'enrolments'] as const) {
      const c = counts[t]!;
      c.unchanged = Math.max(0, d[t] - c.created - c.updated);
    }
  };

  return {
    counts,
    finish,
    async flush(items: Item<RosterRow>[], write: boolean): Promise<Rejection[]> {
      if (!write || items.length === 0) return [];

      // Households (first row of each head in the chunk; the file checks made them agree).
      const households = dedupe(items, (i) => i.row.headIdNumber);
      await regions.villagesOf(households.map((h) => ({ township: h.row.township, village: h.row.village })));
      const regionIds: number[] = [];
      for (const h of households) regionIds.push((await regions.village(h.row.township, h.row.village, true))!);
      const hIn = jsonRows([
        ['r', 'int', regionIds],
        ['n', 'text', households.map((h) => h.row.headName)],
        ['i', 'text', households.map((h) => h.row.headIdNumber)],
      ]);
      await recordChanges(
        tx,
        'Household',
        `SELECT x.id AS "rowId", x.id AS "householdId", NULL::text AS period, NULL::int AS "previousBatchId", x."headIdNumber" AS "idNumber",
                jsonb_build_object('regionId', x."regionId", 'headName', x."headName") AS "oldValues",
                jsonb_build_object('regionId', t.r, 'headName', t.n) AS "newValues"
           FROM ${hIn.from} JOIN "Household" x ON x."headIdNumber" = t.i
          WHERE (x."regionId", x."headName") IS DISTINCT FROM (t.r, t.n)`,
        [hIn.value],
        ctx.batchId,
        ctx.actor,
      );
      const hRows = await tx.$queryRawUnsafe<{ j: string }[]>(
        `WITH up AS (
           INSERT INTO "Household" ("regionId", "headName", "headIdNumber", "updatedAt")
           SELECT r, n, i, now() FROM ${hIn.from}
           ON CONFLICT ("headIdNumber") DO UPDATE
             SET "regionId" = EXCLUDED."regionId", "headName" = EXCLUDED."headName", "updatedAt" = now()
             WHERE ("Household"."regionId", "Household"."headName") IS DISTINCT FROM (EXCLUDED."regionId", EXCLUDED."headName")
           RETURNING id, "headIdNumber", (xmax = 0) AS inserted
         )
         SELECT coalesce(json_agg(json_build_array(id, "headIdNumber", inserted)), '[]')::text AS j FROM up`,
        hIn.value,
      );
      const returned = JSON.parse(hRows[0]!.j) as [number, string, boolean][];
      const householdId = new Map<string, number>();
      for (const [id, head, inserted] of returned) {
        householdId.set(head, id);
        if (inserted) counts.households!.created++;
        else counts.households!.updated++;
      }
      // Households that were already identical are not returned by the conditional DO UPDATE.
      if (returned.length < households.length) {
        const missing = households.map((h) => h.row.headIdNumber).filter((id) => !householdId.has(id));
        const rows = await queryJson<{ id: number; headIdNumber: string }>(
          tx,
          `SELECT id, "headIdNumber" FROM "Household" WHERE "headIdNumber" = ANY($1::text[])`,
          missing,
        );
        for (const r of rows) householdId.set(r.headIdNumber, r.id);
      }

      // Members.
      const members = dedupe(items, (i) => i.row.headIdNumber + i.row.memberIdNumber);
      const mIn = jsonRows([
        ['h', 'int', members.map((m) => householdId.get(m.row.headIdNumber)!)],
        ['n', 'text', members.map((m) => m.row.memberName)],
        ['i', 'text', members.map((m) => m.row.memberIdNumber)],
        ['r', 'text', members.map((m) => m.row.relation)],
        ['s', 'text', members.map((m) => m.row.status)],
      ]);
      await recordChanges(
        tx,
        'Member',
        `SELECT x.id AS "rowId", x."householdId", NULL::text AS period, NULL::int AS "previousBatchId", x."idNumber",
                jsonb_build_object('name', x.name, 'relationToHead', x."relationToHead", 'status', x.status) AS "oldValues",
                jsonb_build_object('name', t.n, 'relationToHead', t.r, 'status', t.s) AS "newValues"
           FROM ${mIn.from} JOIN "Member" x ON x."householdId" = t.h AND x."idNumber" = t.i
          WHERE (x.name, x."relationToHead", x.status) IS DISTINCT FROM (t.n, t.r, t.s::"MemberStatus")`,
        [mIn.value],
        ctx.batchId,
        ctx.actor,
      );
      await upsertCounting(
        tx,
        `INSERT INTO "Member" ("householdId", name, "idNumber", "relationToHead", status, "updatedAt")
         SELECT h, n, i, r, s::"MemberStatus", now() FROM ${mIn.from}
         ON CONFLICT ("householdId", "idNumber") DO UPDATE
           SET name = EXCLUDED.name, "relationToHead" = EXCLUDED."relationToHead", status = EXCLUDED.status, "updatedAt" = now()
           WHERE ("Member".name, "Member"."relationToHead", "Member".status) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED."relationToHead", EXCLUDED.status)`,
        [mIn.value],
        mIn.count,
        counts.members!,
      );

      // Enrolments (ACTIVE again if the roster lists an ended one).
      const enrolments = dedupe(items, (i) => `${i.row.headIdNumber}|${i.row.kind}`);
      const instIds: (number | null)[] = [];
      for (const e of enrolments) instIds.push(e.row.institution === null ? null : await institutionId(e.row.institution));
      const eIn = jsonRows([
        ['h', 'int', enrolments.map((e) => householdId.get(e.row.headIdNumber)!)],
        ['k', 'text', enrolments.map((e) => e.row.kind)],
        ['inst', 'int', instIds],
        ['amt', 'text', enrolments.map((e) => e.row.monthlyAmount)],
        ['sd', 'text', enrolments.map((e) => e.row.startDate)],
      ]);
      await recordChanges(
        tx,
        'Enrolment',
        `SELECT x.id AS "rowId", x."householdId", NULL::text AS period, NULL::int AS "previousBatchId", NULL::text AS "idNumber",
                jsonb_build_object('institutionId', x."institutionId", 'monthlyAmount', x."monthlyAmount", 'startDate', x."startDate",
                                   'status', x.status, 'endDate', x."endDate") AS "oldValues",
                jsonb_build_object('institutionId', t.inst, 'monthlyAmount', t.amt, 'startDate', t.sd, 'status', 'ACTIVE', 'endDate', NULL) AS "newValues"
           FROM (SELECT h, k::"AssistanceKind" AS k, inst, amt::numeric AS amt, sd::date AS sd FROM ${eIn.from}) t
           JOIN "Enrolment" x ON x."householdId" = t.h AND x.kind = t.k
          WHERE (x."institutionId", x."monthlyAmount", x."startDate", x.status, x."endDate")
                IS DISTINCT FROM (t.inst, t.amt, t.sd, 'ACTIVE'::"EnrolmentStatus", NULL::date)`,
        [eIn.value],
        ctx.batchId,
        ctx.actor,
      );
      await upsertCounting(
        tx,
        `INSERT INTO "Enrolment" ("householdId", kind, "institutionId", "monthlyAmount", "startDate", status)
         SELECT h, k::"AssistanceKind", inst, amt::numeric, sd::date, 'ACTIVE'
           FROM ${eIn.from}
         ON CONFLICT ("householdId", kind) DO UPDATE
           SET "institutionId" = EXCLUDED."institutionId", "monthlyAmount" = EXCLUDED."monthlyAmount",
               "startDate" = EXCLUDED."startDate", status = 'ACTIVE', "endDate" = NULL
           WHERE ("Enrolment"."institutionId", "Enrolment"."monthlyAmount", "Enrolment"."startDate", "Enrolment".status, "Enrolment"."endDate")
                 IS DISTINCT FROM (EXCLUDED."institutionId", EXCLUDED."monthlyAmount", EXCLUDED."startDate", 'ACTIVE'::"EnrolmentStatus", NULL::date)`,
        [eIn.value],
        eIn.count,
        counts.enrolments!,
      );
      return [];
    },
  };
}
