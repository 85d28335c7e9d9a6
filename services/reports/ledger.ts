// 信访台账 as .xlsx: the county's complaints in ledger order, written with the statutory tables' writer
// (A4 landscape, header rows repeated, signature line). Accusations show only number and status unless
// includeAccusations (the 纪检 export).
import { LEDGER_SPEC, ledgerRow, type LedgerEntry } from '../../domain/tables/ledger.js';
import { toChinaDate } from '../../domain/time/instants.js';
import type { PrismaClient } from '../../infra/db/client.js';
import { writeTableXlsx, type WrittenTable } from './xlsx.js';

export async function ledgerEntries(prisma: PrismaClient, countyRegionId: number): Promise<LedgerEntry[]> {
  const complaints = await prisma.complaint.findMany({ where: { countyRegionId }, orderBy: [{ receivedAt: 'asc' }, { id: 'asc' }] });
  const caseIds = complaints.map((c) => c.caseId).filter((id): id is number => id !== null);
  const cases = await prisma.case.findMany({ where: { id: { in: caseIds } }, select: { id: true, assigneeStaffId: true, dueAt: true, status: true } });
  const staffIds = cases.map((c) => c.assigneeStaffId).filter((id): id is number => id !== null);
  const staff = await prisma.staff.findMany({ where: { id: { in: staffIds } }, select: { id: true, unit: true } });
  const regionIds = complaints.map((c) => c.subjectRegionId).filter((id): id is number => id !== null);
  const regions = await prisma.region.findMany({ where: { id: { in: regionIds } }, select: { id: true, name: true } });
  return complaints.map((c) => {
    const row = cases.find((k) => k.id === c.caseId);
    return {
      ledgerNo: c.ledgerNo,
      receivedOn: toChinaDate(c.receivedAt),
      channel: c.channel,
      complainantName: c.complainantName,
      complainantPhone: c.complainantPhone,
      summary: c.summary,
      subjectRegionName: regions.find((r) => r.id === c.subjectRegionId)?.name ?? null,
      accusation: c.accusedStaffId !== null,
      assignedUnit: staff.find((s) => s.id === row?.assigneeStaffId)?.unit ?? null,
      acceptanceNoticed: c.acceptanceNoticeAt !== null,
      verificationResult: c.verificationResult,
      fedBack: c.feedbackAt !== null,
      closed: c.closedAt !== null || row?.status === 'CLOSED',
      deadline: row?.dueAt ? toChinaDate(row.dueAt) : null,
    };
  });
}

export async function writeLedgerXlsx(
  prisma: PrismaClient,
  opts: { countyRegionId: number; countyName: string; file: string; includeAccusations: boolean; asOf: Date },
): Promise<WrittenTable> {
  const entries = await ledgerEntries(prisma, opts.countyRegionId);
  const rows = entries.map((e) => ledgerRow(e, { includeAccusations: opts.includeAccusations }));
  const notes = [
    opts.includeAccusations
      ? '本表含检举控告的全部内容，仅供纪检监察使用，不得转交被举报人所在单位。'
      : '检举控告仅列编号和办理状态；信访人姓名、电话已脱敏。',
  ];
  return writeTableXlsx(opts.file, LEDGER_SPEC, { unitName: opts.countyName, periodLabel: `截至 ${toChinaDate(opts.asOf)}`, notes }, rows);
}
