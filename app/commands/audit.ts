// `jiuzhu audit verify` and `jiuzhu audit export --case N`: the audit trail as a 纪检 officer checks it.
// verify recomputes the hash chain (verifyAuditChain) and names the first broken link; export prints who
// did what and when for one case, with ID numbers, bank accounts and phone numbers masked, and the
// imports that changed the evidence of the case's finding after it was found (issue 14 item 6).
import type { Writable } from 'node:stream';

import { maskMobile } from '../../domain/identity/contact.js';
import { maskSensitive } from '../../domain/import/mask.js';
import { formatChinaDateTime } from '../../domain/time/instants.js';
import { verifyAuditChain } from '../../infra/audit-chain.js';
import { caseEvidenceChanges, formatCaseEvidenceChanges } from '../../services/import/changes.js';
import type { AppConfig } from '../../infra/config.js';
import type { Prisma, PrismaClient } from '../../infra/db/client.js';
import { openDatabaseForCli } from '../../infra/db/open-for-cli.js';

export interface AuditIo {
  stdout: Writable;
  stderr: Writable;
}

type Db = PrismaClient | Prisma.TransactionClient;

const REASONS: Record<string, string> = {
  'prevHash does not match the previous entry': '本条记录的“上一条哈希”与前一条记录不符（记录被删除、插入或顺序被改动）',
  'hash does not match the entry': '本条记录的内容与其哈希不符（记录内容被改动）',
};

/** Recomputes the chain; 0 when intact, 1 naming the first broken entry. */
export async function verifyAudit(db: Db, io: AuditIo): Promise<number> {
  const result = await verifyAuditChain(db);
  if (result.ok) {
    io.stdout.write(`审计链校验通过：共 ${result.count} 条记录，哈希链完整。\n`);
    return 0;
  }
  const row = await db.auditEntry.findUnique({ where: { id: result.brokenAt } });
  const what = row ? `（${formatChinaDateTime(row.at)}，${row.action}，对象 ${row.subjectType} ${row.subjectId}）` : '';
  io.stdout.write(`审计链校验失败：第一处断裂在编号 ${result.brokenAt} 的记录${what}。\n`);
  io.stdout.write(`原因：${REASONS[result.reason] ?? result.reason}。此前 ${result.count} 条记录完好。\n`);
  io.stdout.write('请保留数据库现状，报告纪检监察部门核查。\n');
  return 1;
}

const MOBILE_IN_TEXT_RE = /(?<!\d)1[3-9]\d{9}(?!\d)/g;

/** Masks ID numbers, bank accounts (12+ digits) and mainland mobile numbers inside free text. */
export function maskPersonalText(text: string): string {
  return maskSensitive(text).replace(MOBILE_IN_TEXT_RE, (m) => maskMobile(m));
}

async function describeActor(db: Db, actor: string, names: Map<number, string>): Promise<string> {
  const m = /^staff:(\d+)$/.exec(actor);
  if (!m) return actor === 'system' ? '系统' : actor === 'cli' ? '命令行' : actor;
  const id = Number(m[1]);
  if (!names.has(id)) {
    const s = await db.staff.findUnique({ where: { id }, select: { name: true } });
    names.set(id, s?.name ?? '（未知人员）');
  }
  return `${names.get(id)}（编号 ${id}）`;
}

/** Prints the audit entries of one case (and of its complaint and clue), oldest first, masked. */
export async function exportCaseAudit(db: Db, caseArg: string, io: AuditIo): Promise<number> {
  if (!/^\d{1,9}$/.test(caseArg)) {
    io.stderr.write(`案件编号“${caseArg}”无效：应为正整数。\n`);
    return 2;
  }
  const caseId = Number(caseArg);
  const found = await db.case.findUnique({ where: { id: caseId }, select: { id: true, kind: true } });
  if (!found) {
    io.stderr.write(`找不到编号为 ${caseId} 的案件。\n`);
    return 2;
  }
  const complaint = await db.complaint.findUnique({ where: { caseId }, select: { id: true } });
  const clues = complaint ? await db.disciplineClue.findMany({ where: { complaintId: complaint.id }, select: { id: true } }) : [];
  const subjects: Prisma.AuditEntryWhereInput[] = [{ subjectType: 'Case', subjectId: String(caseId) }];
  if (complaint) subjects.push({ subjectType: 'Complaint', subjectId: String(complaint.id) });
  for (const c of clues) subjects.push({ subjectType: 'DisciplineClue', subjectId: String(c.id) });
  const rows = await db.auditEntry.findMany({ where: { OR: subjects }, orderBy: { id: 'asc' } });
  io.stdout.write(`案件 ${caseId} 的审计记录（共 ${rows.length} 条，个人信息已脱敏）：\n`);
  const names = new Map<number, string>();
  for (const r of rows) {
    const who = await describeActor(db, r.actor, names);
    const payload = maskPersonalText(JSON.stringify(r.payload));
    io.stdout.write(`${formatChinaDateTime(r.at)}  ${who}  ${r.action}  ${r.subjectType} ${r.subjectId}  ${payload}  #${r.id}\n`);
  }
  const evidence = await caseEvidenceChanges(db, caseId);
  if (evidence.length === 0) io.stdout.write('证据变更：无（本案所依据线索的数据在发现后未被导入更改）。\n');
  else {
    io.stdout.write('证据变更（本案所依据线索的数据在发现后被导入更改，旧值 → 新值）：\n');
    for (const line of formatCaseEvidenceChanges(evidence)) io.stdout.write(`${line}\n`);
  }
  return 0;
}

export async function runAudit(config: AppConfig, action: 'verify' | 'export', opts: { case?: string }, io: AuditIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  if (action === 'export' && !opts.case) {
    io.stderr.write('请指定案件编号：jiuzhu audit export --case <编号>\n');
    return 2;
  }
  const db = await openDatabaseForCli(config);
  try {
    return action === 'verify' ? await verifyAudit(db.prisma, io) : await exportCaseAudit(db.prisma, opts.case!, io);
  } finally {
    await db.close();
  }
}
