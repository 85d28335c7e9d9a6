// 新增监测对象（重残人员）名单 from the disabled persons' federation (残联) or the
// anti-poverty-relapse monitoring (防返贫监测): kept as they came, upserted by ID
// number and date of identification; the person's township (and village, when
// given) must already be a region of the county. Table 4 reads them
// (readmodels/statutory-tables.ts), keeping only the 重残 rows.
import { DuplicateTracker, type MonitoredRow } from '../../../domain/import/index.js';
import { finishSingle, jsonRows, newCounts, upsertCounting, type Item, type KindWriter, type Rejection, type WriterContext } from './common.js';

export function createMonitoredWriter(ctx: WriterContext): KindWriter<MonitoredRow> {
  const counts = newCounts('monitored');
  const duplicates = new DuplicateTracker();
  return {
    counts,
    finish: (accepted) => finishSingle(counts.monitored!, accepted),
    async flush(items: Item<MonitoredRow>[], write: boolean): Promise<Rejection[]> {
      const rejections: Rejection[] = [];
      const ok: Array<MonitoredRow & { regionId: number }> = [];
      for (const it of items) {
        const r = it.row;
        const earlier = duplicates.firstLine(`${r.idNumber}|${r.identifiedAt}`, it.line);
        if (earlier !== undefined) {
          rejections.push({ line: it.line, reasons: [`与第${earlier}行重复：同一身份证号、同一认定日期出现了两次`], cells: it.cells });
          continue;
        }
        const regionId = r.village === null ? await ctx.regions.township(r.township, false) : await ctx.regions.village(r.township, r.village, false);
        if (regionId === undefined) {
          const where = r.village === null ? `乡镇“${r.township}”` : `“${r.township}${r.village}”`;
          rejections.push({ line: it.line, reasons: [`${where}不在${ctx.regions.countyName}的区划中（请先导入花名册或工作人员名单，或核对名称）`], cells: it.cells });
          continue;
        }
        ok.push({ ...r, regionId });
      }
      if (write) {
        const mIn = jsonRows([
          ['g', 'int', ok.map((r) => r.regionId)],
          ['n', 'text', ok.map((r) => r.name)],
          ['i', 'text', ok.map((r) => r.idNumber)],
          ['k', 'text', ok.map((r) => r.disabilityKind)],
          ['l', 'int', ok.map((r) => r.disabilityGrade)],
          ['d', 'text', ok.map((r) => r.identifiedAt)],
          ['s', 'text', ok.map((r) => r.source)],
          ['m', 'text', ok.map((r) => r.measure)],
          ['md', 'text', ok.map((r) => r.measureDate)],
          ['r', 'text', ok.map((r) => r.remarks)],
        ]);
        await upsertCounting(
          ctx.tx,
          `INSERT INTO "MonitoredPerson" ("regionId", name, "idNumber", "disabilityKind", "disabilityGrade", "identifiedAt", source, measure, "measureDate", remarks, "batchId", "updatedAt")
           SELECT g, n, i, k, l, d::date, s, m, md::date, r, $2::int, now() FROM ${mIn.from}
           ON CONFLICT ("idNumber", "identifiedAt") DO UPDATE
             SET "regionId" = EXCLUDED."regionId", name = EXCLUDED.name, "disabilityKind" = EXCLUDED."disabilityKind",
                 "disabilityGrade" = EXCLUDED."disabilityGrade", source = EXCLUDED.source, measure = EXCLUDED.measure,
                 "measureDate" = EXCLUDED."measureDate", remarks = EXCLUDED.remarks, "batchId" = EXCLUDED."batchId", "updatedAt" = now()
             WHERE ("MonitoredPerson"."regionId", "MonitoredPerson".name, "MonitoredPerson"."disabilityKind", "MonitoredPerson"."disabilityGrade",
                    "MonitoredPerson".source, "MonitoredPerson".measure, "MonitoredPerson"."measureDate", "MonitoredPerson".remarks)
                   IS DISTINCT FROM (EXCLUDED."regionId", EXCLUDED.name, EXCLUDED."disabilityKind", EXCLUDED."disabilityGrade",
                    EXCLUDED.source, EXCLUDED.measure, EXCLUDED."measureDate", EXCLUDED.remarks)`,
          [mIn.value, ctx.batchId],
          mIn.count,
          counts.monitored!,
        );
      }
      return rejections;
    },
  };
}
