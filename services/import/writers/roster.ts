// 花名册, staged like the payments (issue 15 item 3): the rows that pass the row checks and the file's
// consistency checks (domain/import: per line, Chinese reasons, in line order while the file streams)
// go to a staging table (COPY on PostgreSQL, INSERTs on PGlite: ./stage.ts). After the last row, inside
// the import's transaction and only when the import is to write (all or nothing by default), the
// writes run as set-based SQL over the whole file: regions found or created under the county (a few
// hundred names, CountyRegions), institutions by name, households upserted by the head's ID, members by
// (household, ID), enrolments by (household, kind) — the first line of each key wins (the file checks
// made the others agree). The previous version of every stored row that changes goes to ImportChange,
// then changed rows are updated and new ones inserted.
// A large first load re-creates the foreign keys of Household, Member and Enrolment once (../bulk.ts).
import { FIRST_ENROLMENT, FIRST_HOUSEHOLD, FIRST_MEMBER, type RosterRow } from '../../../domain/import/index.js';
import { withBulkLoad, type BulkMode } from '../bulk.js';
import { createStage, type CopyTarget } from './stage.js';
import { jsonRows, newCounts, recordChanges, type EntityCounts, type Item, type Rejection, type StagedWriter, type WriterContext } from './common.js';

/**
 * The staging table's columns, in StageRow order. `f`: which keys the row is the first line of
 * (RosterFileChecks.firsts: 1 household, 2 member, 4 enrolment), so that the first line of each key is
 * a filter, not a sort of the whole file.
 */
const STAGE_COLUMNS =
  'line int, township text, village text, head_name text, hid text, name text, mid text, relation text, status text, kind text, institution text, amount text, start_date text, f int';

type StageRow = [
  line: number,
  township: string,
  village: string,
  headName: string,
  hid: string,
  name: string,
  mid: string,
  relation: string,
  status: string,
  kind: string,
  institution: string | null,
  amount: string,
  startDate: string,
  firsts: number,
];

/**
 * `distinct` tells how many different households, members and enrolments the file has (from the file
 * checks): unchanged = distinct − created − updated.
 */
export async function createRosterWriter(
  ctx: WriterContext,
  copy: CopyTarget | undefined,
  distinct: () => { households: number; members: number; enrolments: number },
): Promise<StagedWriter<RosterRow>> {
  const { tx, regions } = ctx;
  const counts = newCounts('households', 'members', 'enrolments', 'institutions');
  const stage = await createStage<StageRow>(tx, copy, ctx.batchId, { columns: STAGE_COLUMNS, tempName: 'import_roster_stage' });
  let staged = 0;

  const finish = () => {
    const d = distinct();
    for (const t of ['households', 'members', 'enrolments'] as const) {
      const c = counts[t]!;
      c.unchanged = Math.max(0, d[t] - c.created - c.updated);
    }
  };

  /**
   * The stored rows that differ updated, then the new ones inserted (plain statements, counted by their
   * command tags): an upsert's speculative insertion costs about as much again per row. Safe because
   * roster imports write one at a time (the advisory lock in write()), and any other writer of the same
   * key makes the INSERT fail on the unique index, which rolls the whole import back.
   */
  async function updateThenInsert(updateSql: string, insertSql: string, c: EntityCounts): Promise<void> {
    c.updated += await tx.$executeRawUnsafe(updateSql);
    c.created += await tx.$executeRawUnsafe(insertSql);
  }

  /**
   * A first load: bulk mode (the table locked against every other session until the commit) and the
   * table empty. Then there is no stored row to compare, record or update, and the file's first lines
   * go in straight from the staging table: the same rows, in the same order, as the general path writes.
   */
  async function firstLoad(mode: BulkMode, table: string): Promise<boolean> {
    if (mode !== 'bulk') return false;
    const rows = await tx.$queryRawUnsafe<{ empty: boolean }[]>(`SELECT NOT EXISTS (SELECT 1 FROM "${table}") AS empty`);
    return rows[0]?.empty === true;
  }

  async function write(table: string): Promise<void> {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext('jiuzhu.import.roster'))`);
    // The whole file's sorts and hashes in memory (DISTINCT ON over every row).
    await tx.$executeRawUnsafe(`SET LOCAL work_mem = '256MB'`);
    // Regions: the (township, village) pairs in the order of their first line, found or created.
    const pairs = await tx.$queryRawUnsafe<{ township: string; village: string }[]>(
      `SELECT township, village FROM ${table} GROUP BY township, village ORDER BY min(line)`,
    );
    await regions.villagesOf(pairs);
    const regionIds: number[] = [];
    for (const p of pairs) regionIds.push((await regions.village(p.township, p.village, true))!);
    const rIn = jsonRows([
      ['t', 'text', pairs.map((p) => p.township)],
      ['v', 'text', pairs.map((p) => p.village)],
      ['r', 'int', regionIds],
    ]);
    await tx.$executeRawUnsafe(`DROP TABLE IF EXISTS import_roster_regions, import_roster_h, import_roster_m, import_roster_e`);
    await tx.$executeRawUnsafe(`CREATE TEMP TABLE import_roster_regions ON COMMIT DROP AS SELECT t, v, r FROM ${rIn.from}`, rIn.value);

    // Institutions by name, created when missing (under the county).
    const names = await tx.$queryRawUnsafe<{ n: string }[]>(
      `SELECT institution AS n FROM ${table} WHERE institution IS NOT NULL GROUP BY institution ORDER BY min(line)`,
    );
    if (names.length > 0) {
      const countyId = await regions.county(true);
      const ins = await tx.$queryRawUnsafe<{ n: number }[]>(
        `WITH ins AS (
           INSERT INTO "Institution" (name, "regionId")
           SELECT n, $2::int FROM unnest($1::text[]) WITH ORDINALITY AS u(n, o) ORDER BY o
           ON CONFLICT (name) DO NOTHING RETURNING 1)
         SELECT count(*)::int AS n FROM ins`,
        names.map((r) => r.n),
        countyId,
      );
      const created = Number(ins[0]?.n ?? 0);
      counts.institutions!.created += created;
      counts.institutions!.unchanged += names.length - created;
    }

    // Households: the first line of each head (the file checks marked it).
    const households = distinct().households;
    await withBulkLoad(
      tx,
      'Household',
      households,
      async (mode) => {
        if (await firstLoad(mode, 'Household')) {
          counts.households!.created += await tx.$executeRawUnsafe(
            `INSERT INTO "Household" ("regionId", "headName", "headIdNumber", "updatedAt")
             SELECT g.r, s.head_name, s.hid, now() FROM ${table} s JOIN import_roster_regions g ON g.t = s.township AND g.v = s.village
              WHERE s.f & ${FIRST_HOUSEHOLD} <> 0 ORDER BY s.line`,
          );
          return;
        }
        await tx.$executeRawUnsafe(
          `CREATE TEMP TABLE import_roster_h ON COMMIT DROP AS
           SELECT s.line, g.r, s.head_name AS n, s.hid AS i
             FROM ${table} s JOIN import_roster_regions g ON g.t = s.township AND g.v = s.village
            WHERE s.f & ${FIRST_HOUSEHOLD} <> 0`,
        );
        await tx.$executeRawUnsafe(`ANALYZE import_roster_h`);
        await recordChanges(
          tx,
          'Household',
          `SELECT x.id AS "rowId", x.id AS "householdId", NULL::text AS period, NULL::int AS "previousBatchId", x."headIdNumber" AS "idNumber",
                  jsonb_build_object('regionId', x."regionId", 'headName', x."headName") AS "oldValues",
                  jsonb_build_object('regionId', t.r, 'headName', t.n) AS "newValues"
             FROM import_roster_h t JOIN "Household" x ON x."headIdNumber" = t.i
            WHERE (x."regionId", x."headName") IS DISTINCT FROM (t.r, t.n)
            ORDER BY t.line`,
          [],
          ctx.batchId,
          ctx.actor,
        );
        await updateThenInsert(
          `UPDATE "Household" x SET "regionId" = t.r, "headName" = t.n, "updatedAt" = now()
             FROM import_roster_h t WHERE x."headIdNumber" = t.i AND (x."regionId", x."headName") IS DISTINCT FROM (t.r, t.n)`,
          `INSERT INTO "Household" ("regionId", "headName", "headIdNumber", "updatedAt")
           SELECT r, n, i, now() FROM import_roster_h t
            WHERE NOT EXISTS (SELECT 1 FROM "Household" x WHERE x."headIdNumber" = t.i) ORDER BY line`,
          counts.households!,
        );
      },
      { ...ctx.bulk, rebuildIndexes: ['Household_regionId_idx', 'Household_headIdNumber_key'] },
    );

    // Members: the first line of each (head, member).
    const members = distinct().members;
    await withBulkLoad(
      tx,
      'Member',
      members,
      async (mode) => {
        if (await firstLoad(mode, 'Member')) {
          counts.members!.created += await tx.$executeRawUnsafe(
            `INSERT INTO "Member" ("householdId", name, "idNumber", "relationToHead", status, "updatedAt")
             SELECT h.id, s.name, s.mid, s.relation, s.status::"MemberStatus", now()
               FROM ${table} s JOIN "Household" h ON h."headIdNumber" = s.hid
              WHERE s.f & ${FIRST_MEMBER} <> 0 ORDER BY s.line`,
          );
          return;
        }
        await tx.$executeRawUnsafe(
          `CREATE TEMP TABLE import_roster_m ON COMMIT DROP AS
           SELECT s.line, h.id AS h, s.name AS n, s.mid AS i, s.relation AS r, s.status::"MemberStatus" AS s
             FROM ${table} s JOIN "Household" h ON h."headIdNumber" = s.hid
            WHERE s.f & ${FIRST_MEMBER} <> 0`,
        );
        await tx.$executeRawUnsafe(`ANALYZE import_roster_m`);
        await recordChanges(
          tx,
          'Member',
          `SELECT x.id AS "rowId", x."householdId", NULL::text AS period, NULL::int AS "previousBatchId", x."idNumber",
                  jsonb_build_object('name', x.name, 'relationToHead', x."relationToHead", 'status', x.status) AS "oldValues",
                  jsonb_build_object('name', t.n, 'relationToHead', t.r, 'status', t.s) AS "newValues"
             FROM import_roster_m t JOIN "Member" x ON x."householdId" = t.h AND x."idNumber" = t.i
            WHERE (x.name, x."relationToHead", x.status) IS DISTINCT FROM (t.n, t.r, t.s)
            ORDER BY t.line`,
          [],
          ctx.batchId,
          ctx.actor,
        );
        await updateThenInsert(
          `UPDATE "Member" x SET name = t.n, "relationToHead" = t.r, status = t.s, "updatedAt" = now()
             FROM import_roster_m t WHERE x."householdId" = t.h AND x."idNumber" = t.i
              AND (x.name, x."relationToHead", x.status) IS DISTINCT FROM (t.n, t.r, t.s)`,
          `INSERT INTO "Member" ("householdId", name, "idNumber", "relationToHead", status, "updatedAt")
           SELECT h, n, i, r, s, now() FROM import_roster_m t
            WHERE NOT EXISTS (SELECT 1 FROM "Member" x WHERE x."householdId" = t.h AND x."idNumber" = t.i) ORDER BY line`,
          counts.members!,
        );
      },
      { ...ctx.bulk, rebuildIndexes: ['Member_idNumber_idx', 'Member_householdId_idNumber_key'] },
    );

    // Enrolments (ACTIVE again if the roster lists an ended one): the first line of each (head, kind).
    const enrolments = distinct().enrolments;
    await withBulkLoad(
      tx,
      'Enrolment',
      enrolments,
      async (mode) => {
        if (await firstLoad(mode, 'Enrolment')) {
          counts.enrolments!.created += await tx.$executeRawUnsafe(
            `INSERT INTO "Enrolment" ("householdId", kind, "institutionId", "monthlyAmount", "startDate", status)
             SELECT h.id, s.kind::"AssistanceKind", i.id, s.amount::numeric, s.start_date::date, 'ACTIVE'
               FROM ${table} s JOIN "Household" h ON h."headIdNumber" = s.hid
               LEFT JOIN "Institution" i ON i.name = s.institution
              WHERE s.f & ${FIRST_ENROLMENT} <> 0 ORDER BY s.line`,
          );
          return;
        }
        await tx.$executeRawUnsafe(
          `CREATE TEMP TABLE import_roster_e ON COMMIT DROP AS
           SELECT s.line, h.id AS h, s.kind::"AssistanceKind" AS k, i.id AS inst, s.amount::numeric AS amt, s.start_date::date AS sd
             FROM ${table} s JOIN "Household" h ON h."headIdNumber" = s.hid
             LEFT JOIN "Institution" i ON i.name = s.institution
            WHERE s.f & ${FIRST_ENROLMENT} <> 0`,
        );
        await tx.$executeRawUnsafe(`ANALYZE import_roster_e`);
        await recordChanges(
          tx,
          'Enrolment',
          `SELECT x.id AS "rowId", x."householdId", NULL::text AS period, NULL::int AS "previousBatchId", NULL::text AS "idNumber",
                  jsonb_build_object('institutionId', x."institutionId", 'monthlyAmount', x."monthlyAmount", 'startDate', x."startDate",
                                     'status', x.status, 'endDate', x."endDate") AS "oldValues",
                  jsonb_build_object('institutionId', t.inst, 'monthlyAmount', t.amt, 'startDate', t.sd, 'status', 'ACTIVE', 'endDate', NULL) AS "newValues"
             FROM import_roster_e t JOIN "Enrolment" x ON x."householdId" = t.h AND x.kind = t.k
            WHERE (x."institutionId", x."monthlyAmount", x."startDate", x.status, x."endDate")
                  IS DISTINCT FROM (t.inst, t.amt, t.sd, 'ACTIVE'::"EnrolmentStatus", NULL::date)
            ORDER BY t.line`,
          [],
          ctx.batchId,
          ctx.actor,
        );
        await updateThenInsert(
          `UPDATE "Enrolment" x SET "institutionId" = t.inst, "monthlyAmount" = t.amt, "startDate" = t.sd, status = 'ACTIVE', "endDate" = NULL
             FROM import_roster_e t WHERE x."householdId" = t.h AND x.kind = t.k
              AND (x."institutionId", x."monthlyAmount", x."startDate", x.status, x."endDate")
                  IS DISTINCT FROM (t.inst, t.amt, t.sd, 'ACTIVE'::"EnrolmentStatus", NULL::date)`,
          `INSERT INTO "Enrolment" ("householdId", kind, "institutionId", "monthlyAmount", "startDate", status)
           SELECT h, k, inst, amt, sd, 'ACTIVE' FROM import_roster_e t
            WHERE NOT EXISTS (SELECT 1 FROM "Enrolment" x WHERE x."householdId" = t.h AND x.kind = t.k) ORDER BY line`,
          counts.enrolments!,
        );
      },
      { ...ctx.bulk, rebuildIndexes: ['Enrolment_kind_status_idx', 'Enrolment_householdId_kind_key'] },
    );
  }

  const stageRow = (line: number, r: RosterRow, firsts: number) => {
    stage.push([line, r.township, r.village, r.headName, r.headIdNumber, r.memberName, r.memberIdNumber, r.relation, r.status, r.kind, r.institution, r.monthlyAmount, r.startDate, firsts]);
    staged++;
  };
  return {
    counts,
    finish,
    close: () => stage.close(),
    stage: stageRow,
    send: () => stage.send(),
    async flush(items: Item<RosterRow>[]): Promise<Rejection[]> {
      for (const { line, row, firsts } of items) stageRow(line, row, firsts ?? 0);
      await stage.send();
      return [];
    },
    async complete(shouldWrite) {
      await stage.end();
      // The roster has no check that needs the database: every refusal came from the row and file checks.
      if (staged > 0 && shouldWrite(0)) await write(stage.table);
      return [];
    },
  };
}
