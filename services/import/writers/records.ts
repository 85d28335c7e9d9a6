// 死亡名单 and 服刑（羁押）名单 from outside sources. They are kept as they came (upserted by ID number,
// or by ID number and custody date) and never change the roster: the cross-matching compares them.
// A stored record the file changes keeps its previous version in ImportChange (recordChanges).
import { DuplicateTracker, type DeathRow, type PrisonRow } from '../../../domain/import/index.js';
import { finishSingle, jsonRows, newCounts, recordChanges, upsertCounting, type Item, type KindWriter, type Rejection, type WriterContext } from './common.js';

export function createDeathsWriter(ctx: WriterContext): KindWriter<DeathRow> {
  const counts = newCounts('deaths');
  const duplicates = new DuplicateTracker();
  return {
    counts,
    finish: (accepted) => finishSingle(counts.deaths!, accepted),
    async flush(items: Item<DeathRow>[], write: boolean): Promise<Rejection[]> {
      const rejections: Rejection[] = [];
      const ok: DeathRow[] = [];
      for (const it of items) {
        const earlier = duplicates.firstLine(it.row.idNumber, it.line);
        if (earlier !== undefined) rejections.push({ line: it.line, reasons: [`与第${earlier}行重复：同一身份证号出现了两次`], cells: it.cells });
        else ok.push(it.row);
      }
      if (write) {
        const dIn = jsonRows([
          ['n', 'text', ok.map((r) => r.name)],
          ['i', 'text', ok.map((r) => r.idNumber)],
          ['d', 'text', ok.map((r) => r.deathDate)],
          ['s', 'text', ok.map((r) => r.source)],
        ]);
        await recordChanges(
          ctx.tx,
          'DeathRecord',
          `SELECT x.id AS "rowId", NULL::int AS "householdId", NULL::text AS period, x."batchId" AS "previousBatchId", x."idNumber",
                  jsonb_build_object('name', x.name, 'deathDate', x."deathDate", 'source', x.source) AS "oldValues",
                  jsonb_build_object('name', t.n, 'deathDate', t.d::date, 'source', t.s) AS "newValues"
             FROM ${dIn.from} JOIN "DeathRecord" x ON x."idNumber" = t.i
            WHERE (x.name, x."deathDate", x.source) IS DISTINCT FROM (t.n, t.d::date, t.s)`,
          [dIn.value],
          ctx.batchId,
          ctx.actor,
        );
        await upsertCounting(
          ctx.tx,
          `INSERT INTO "DeathRecord" (name, "idNumber", "deathDate", source, "batchId")
           SELECT n, i, d::date, s, $2::int FROM ${dIn.from}
           ON CONFLICT ("idNumber") DO UPDATE
             SET name = EXCLUDED.name, "deathDate" = EXCLUDED."deathDate", source = EXCLUDED.source, "batchId" = EXCLUDED."batchId"
             WHERE ("DeathRecord".name, "DeathRecord"."deathDate", "DeathRecord".source)
                   IS DISTINCT FROM (EXCLUDED.name, EXCLUDED."deathDate", EXCLUDED.source)`,
          [dIn.value, ctx.batchId],
          dIn.count,
          counts.deaths!,
        );
      }
      return rejections;
    },
  };
}

export function createPrisonWriter(ctx: WriterContext): KindWriter<PrisonRow> {
  const counts = newCounts('prisons');
  const duplicates = new DuplicateTracker();
  return {
    counts,
    finish: (accepted) => finishSingle(counts.prisons!, accepted),
    async flush(items: Item<PrisonRow>[], write: boolean): Promise<Rejection[]> {
      const rejections: Rejection[] = [];
      const ok: PrisonRow[] = [];
      for (const it of items) {
        const earlier = duplicates.firstLine(`${it.row.idNumber}|${it.row.custodyDate}`, it.line);
        if (earlier !== undefined) {
          rejections.push({ line: it.line, reasons: [`与第${earlier}行重复：同一身份证号、同一羁押(入狱)日期出现了两次`], cells: it.cells });
        } else ok.push(it.row);
      }
      if (write) {
        const pIn = jsonRows([
          ['n', 'text', ok.map((r) => r.name)],
          ['i', 'text', ok.map((r) => r.idNumber)],
          ['c', 'text', ok.map((r) => r.custodyDate)],
          ['r', 'text', ok.map((r) => r.releaseDate)],
          ['s', 'text', ok.map((r) => r.source)],
        ]);
        await recordChanges(
          ctx.tx,
          'PrisonRecord',
          `SELECT x.id AS "rowId", NULL::int AS "householdId", NULL::text AS period, x."batchId" AS "previousBatchId", x."idNumber",
                  jsonb_build_object('name', x.name, 'custodyDate', x."custodyDate", 'releaseDate', x."releaseDate", 'source', x.source) AS "oldValues",
                  jsonb_build_object('name', t.n, 'custodyDate', t.c::date, 'releaseDate', t.r::date, 'source', t.s) AS "newValues"
             FROM ${pIn.from} JOIN "PrisonRecord" x ON x."idNumber" = t.i AND x."custodyDate" = t.c::date
            WHERE (x.name, x."releaseDate", x.source) IS DISTINCT FROM (t.n, t.r::date, t.s)`,
          [pIn.value],
          ctx.batchId,
          ctx.actor,
        );
        await upsertCounting(
          ctx.tx,
          `INSERT INTO "PrisonRecord" (name, "idNumber", "custodyDate", "releaseDate", source, "batchId")
           SELECT n, i, c::date, r::date, s, $2::int FROM ${pIn.from}
           ON CONFLICT ("idNumber", "custodyDate") DO UPDATE
             SET name = EXCLUDED.name, "releaseDate" = EXCLUDED."releaseDate", source = EXCLUDED.source, "batchId" = EXCLUDED."batchId"
             WHERE ("PrisonRecord".name, "PrisonRecord"."releaseDate", "PrisonRecord".source)
                   IS DISTINCT FROM (EXCLUDED.name, EXCLUDED."releaseDate", EXCLUDED.source)`,
          [pIn.value, ctx.batchId],
          pIn.count,
          counts.prisons!,
        );
      }
      return rejections;
    },
  };
}
