// 近亲属申报: a staff member (found by ID number; unknown staff → the row is refused) declares a relative.
// Upserted by (staff, relative's ID); the relation is stored as the policy's label (父亲 → 父母). A stored
// declaration the file changes keeps its previous version in ImportChange (recordChanges).
import { DuplicateTracker, type RelativeRow } from '../../../domain/import/index.js';
import { finishSingle, jsonRows, newCounts, queryJson, recordChanges, upsertCounting, type Item, type KindWriter, type Rejection, type WriterContext } from './common.js';

export function createRelativesWriter(ctx: WriterContext): KindWriter<RelativeRow> {
  const counts = newCounts('relatives');
  const duplicates = new DuplicateTracker();
  return {
    counts,
    finish: (accepted) => finishSingle(counts.relatives!, accepted),
    async flush(items: Item<RelativeRow>[], write: boolean): Promise<Rejection[]> {
      if (items.length === 0) return [];
      const staffRows = await queryJson<{ id: number; name: string; idNumber: string }>(
        ctx.tx,
        `SELECT id, name, "idNumber" FROM "Staff" WHERE "idNumber" = ANY($1::text[])`,
        [...new Set(items.map((i) => i.row.staffIdNumber))],
      );
      const staff = new Map(staffRows.map((s) => [s.idNumber, s]));
      const rejections: Rejection[] = [];
      const ok: { staffId: number; row: RelativeRow }[] = [];
      for (const it of items) {
        const s = staff.get(it.row.staffIdNumber);
        const reject = (reason: string) => rejections.push({ line: it.line, reasons: [reason], cells: it.cells });
        if (!s) {
          reject('工作人员身份证号不在工作人员名单中（请先导入工作人员名单，或核对身份证号）');
          continue;
        }
        if (s.name !== it.row.staffName) {
          reject(`工作人员姓名与名单中登记的“${s.name}”不一致（请核对身份证号）`);
          continue;
        }
        const earlier = duplicates.firstLine(`${s.id}|${it.row.relativeIdNumber}`, it.line);
        if (earlier !== undefined) {
          reject(`与第${earlier}行重复：同一工作人员申报了同一亲属两次`);
          continue;
        }
        ok.push({ staffId: s.id, row: it.row });
      }
      if (write) {
        const rIn = jsonRows([
          ['s', 'int', ok.map((o) => o.staffId)],
          ['n', 'text', ok.map((o) => o.row.relativeName)],
          ['i', 'text', ok.map((o) => o.row.relativeIdNumber)],
          ['r', 'text', ok.map((o) => o.row.relationLabel)],
        ]);
        await recordChanges(
          ctx.tx,
          'StaffRelative',
          `SELECT x.id AS "rowId", NULL::int AS "householdId", NULL::text AS period, NULL::int AS "previousBatchId", x."relativeIdNumber" AS "idNumber",
                  jsonb_build_object('relativeName', x."relativeName", 'relation', x.relation, 'staffName', st.name) AS "oldValues",
                  jsonb_build_object('relativeName', t.n, 'relation', t.r, 'staffName', st.name) AS "newValues"
             FROM ${rIn.from} JOIN "StaffRelative" x ON x."staffId" = t.s AND x."relativeIdNumber" = t.i JOIN "Staff" st ON st.id = x."staffId"
            WHERE (x."relativeName", x.relation) IS DISTINCT FROM (t.n, t.r)`,
          [rIn.value],
          ctx.batchId,
          ctx.actor,
        );
        await upsertCounting(
          ctx.tx,
          `INSERT INTO "StaffRelative" ("staffId", "relativeName", "relativeIdNumber", relation)
           SELECT s, n, i, r FROM ${rIn.from}
           ON CONFLICT ("staffId", "relativeIdNumber") DO UPDATE
             SET "relativeName" = EXCLUDED."relativeName", relation = EXCLUDED.relation
             WHERE ("StaffRelative"."relativeName", "StaffRelative".relation) IS DISTINCT FROM (EXCLUDED."relativeName", EXCLUDED.relation)`,
          [rIn.value],
          rIn.count,
          counts.relatives!,
        );
      }
      return rejections;
    },
  };
}
