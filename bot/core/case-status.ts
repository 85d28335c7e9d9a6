// /案件 <编号>: one case's status from the database (not from Temporal): kind,
// state, deadline and time left, who holds it. Only for staff whose region
// covers the case; complaints by the one complaint access rule (complaintAccessFor), and
// only in private chat. Never shows ID numbers. Then the case's history and a
// button for each step the reader may take now. When the data behind the case's finding was changed
// by an import after the finding (issue 14 item 6), each change is listed, masked, with its import file.
import { complaintAccessFor } from '../../readmodels/complaints.js';
import { caseEvidenceChanges, formatEvidenceChange } from '../../services/import/changes.js';
import type { BotMiddleware } from './context.js';
import { dbId } from './ids.js';
import { transferButtonFor } from './case-transfer.js';
import { CASE_KIND_ZH } from './my-items.js';
import { formatChinaDateTime } from '../../domain/time/instants.js';
import { timeLeftText } from '../../domain/time/time-left.js';
import { regionCovers } from './permissions.js';
import { caseHistory, caseRef, stepButtonsFor } from './steps/case-steps.js';


export const caseStatusCommand: BotMiddleware = async (ctx, next) => {
  if (ctx.command?.name !== 'caseStatus') return next();
  const staff = ctx.staff!;
  const arg = ctx.command.args.replace(/^#/, '').trim();
  if (!arg) {
    await ctx.reply('请发送：/案件 <编号>（编号见 /我的待办，如 /案件 12）');
    return;
  }
  const id = /^\d+$/.test(arg) ? dbId(arg) : undefined;
  const row = /^\d+$/.test(arg) ? (id === undefined ? null : await ctx.prisma.case.findUnique({ where: { id } })) : await ctx.prisma.case.findUnique({ where: { workflowId: arg } });
  const notFound = '找不到该案件，或您无权查看。';
  if (!row) {
    ctx.auditNotes.outcome = 'not-found';
    await ctx.reply(notFound);
    return;
  }
  ctx.auditNotes.caseId = row.id;
  // A complaint follows the one complaint access rule (accusations: 纪检联络 and 专班组长 only, never
  // the accused or the accused unit, only in the reader's county), and only in private chat.
  const allowed =
    row.kind === 'COMPLAINT'
      ? !ctx.isGroup && (await complaintAccessFor(ctx.prisma, staff.id, await ctx.prisma.complaint.findUnique({ where: { caseId: row.id } }))) !== 'none'
      : row.regionId !== null && (await regionCovers(ctx.prisma, staff.regionId, row.regionId));
  if (!allowed) {
    // The same answer as for a missing case: nothing about the case leaks.
    ctx.auditNotes.outcome = 'forbidden';
    await ctx.reply(notFound);
    return;
  }
  const assignee = row.assigneeStaffId === null ? null : await ctx.prisma.staff.findUnique({ where: { id: row.assigneeStaffId }, select: { name: true } });
  const now = ctx.deps.now();
  ctx.auditNotes.outcome = 'shown';
  const buttons = row.status === 'OPEN' ? await stepButtonsFor(ctx, { ref: caseRef(row.id), workflowId: row.workflowId, label: `${CASE_KIND_ZH[row.kind]} #${row.id}`, regionId: row.regionId, caseId: row.id }) : [];
  buttons.push(...(await transferButtonFor(ctx, row)));
  const history = row.kind === 'COMPLAINT' ? [] : caseHistory(row.data);
  const evidence = (await caseEvidenceChanges(ctx.prisma, row.id)).map((f) => ({
    label: '证据变更',
    value: [`线索 #${f.findingId}（${f.findingLabel}，${formatChinaDateTime(f.foundAt)} 发现）的数据在发现后被导入更改：`, ...f.changes.map((c) => formatEvidenceChange(c, 16))].join('\n'),
  }));
  await ctx.reply({
    title: `${CASE_KIND_ZH[row.kind]} #${row.id}`,
    text: row.status === 'OPEN' ? '办理中' : `已办结（${row.closedAt ? formatChinaDateTime(row.closedAt) : ''}）`,
    fields: [
      { label: '立案时间', value: formatChinaDateTime(row.openedAt) },
      ...(row.dueAt ? [{ label: '办理期限', value: `${formatChinaDateTime(row.dueAt)} 前${row.status === 'OPEN' ? `（${timeLeftText(now.getTime(), row.dueAt.getTime())}）` : ''}` }] : []),
      { label: '承办人', value: assignee?.name ?? '未指定' },
      ...history,
      ...evidence,
      ...(row.status === 'OPEN' && buttons.length === 0 ? [{ label: '可办理环节', value: '您当前没有可办理的环节' }] : []),
    ],
    ...(buttons.length ? { buttons } : {}),
  });
};
