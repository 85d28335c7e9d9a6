// 救助申请登记表: applications the townships accepted, registered in batch (issue 13). One Application
// row per applicant, kind and acceptance date: the same row in a later file is left as it is
// (unchanged), never registered twice. The village must already be a region of the county. The
// review (申请审核确认) opens after the import commits: the work ledger (app/findings-work) records it and
// the findings-to-work workflow starts it.
import { DuplicateTracker, type ApplicationRow } from '../../../domain/import/index.js';
import { newCounts, type Item, type KindWriter, type Rejection, type WriterContext } from './common.js';

export function createApplicationsWriter(ctx: WriterContext): KindWriter<ApplicationRow> {
  const counts = newCounts('applications');
  const duplicates = new DuplicateTracker();
  return {
    counts,
    async flush(items: Item<ApplicationRow>[], write: boolean): Promise<Rejection[]> {
      const rejections: Rejection[] = [];
      for (const it of items) {
        const r = it.row;
        const earlier = duplicates.firstLine(`${r.applicantIdNumber}|${r.kind}|${r.acceptedAt}`, it.line);
        if (earlier !== undefined) {
          rejections.push({ line: it.line, reasons: [`与第${earlier}行重复：同一申请人、同一救助类型、同一受理日期出现了两次`], cells: it.cells });
          continue;
        }
        const regionId = await ctx.regions.village(r.township, r.village, false);
        if (regionId === undefined) {
          rejections.push({ line: it.line, reasons: [`村(社区)“${r.township}${r.village}”不在${ctx.regions.countyName}的区划中（请先导入花名册，或核对名称）`], cells: it.cells });
          continue;
        }
        if (!write) continue;
        const acceptedAt = new Date(`${r.acceptedAt}T00:00:00Z`);
        const existing = await ctx.tx.application.findFirst({ where: { applicantIdNumber: r.applicantIdNumber, kind: r.kind, acceptedAt }, select: { id: true } });
        if (existing) {
          counts.applications!.unchanged++;
          continue;
        }
        await ctx.tx.application.create({
          data: {
            applicantName: r.applicantName,
            applicantIdNumber: r.applicantIdNumber,
            kind: r.kind,
            regionId,
            acceptedAt,
            householdSize: r.householdSize,
            monthlyAmount: r.monthlyAmount,
            data: { registeredBy: 'import', batchId: ctx.batchId },
          },
        });
        counts.applications!.created++;
      }
      return rejections;
    },
  };
}
