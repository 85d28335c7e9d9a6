// Rectification items (整改清单) from chat, each a Temporal Update on the item's
// workflow through the same gateway as the card buttons:
//   /整改进展 <序号> <进展>   progress report (responsible person or unit head)
//   /整改完成 <序号> [说明]   report completion; the 专班 office gets a confirm card
//   /整改退回 <序号> <意见>   the 专班 sends it back (a reason is required)
// The workflow's validators decide who may do what; their Chinese refusals are shown as they are.
import { confirmUpdate, reportCompletedUpdate, reportProgressUpdate } from '../../domain/steps/updates/rectification-item.js';
import type { BotMiddleware } from './context.js';
import { CaseRefusedError } from './case-starter.js';
import { dbId } from './ids.js';
import { countyOfRegion } from './permissions.js';

const USAGE: Record<string, string> = {
  rectifyProgress: '请发送：/整改进展 <序号> <进展情况>，如 /整改进展 3 已入户核查，正在办理退出',
  rectifyDone: '请发送：/整改完成 <序号> [说明]，如 /整改完成 3 已退出并追回资金',
  rectifyReturn: '请发送：/整改退回 <序号> <退回意见>',
};

export const rectificationCommands: BotMiddleware = async (ctx, next) => {
  const name = ctx.command?.name;
  if (name === 'rectifyOpen') return rectifyFromFinding(ctx, next);
  if (name !== 'rectifyProgress' && name !== 'rectifyDone' && name !== 'rectifyReturn') return next();
  const staff = ctx.staff!;
  const m = /^#?(\d+)(?:\s+([\s\S]+))?$/u.exec(ctx.command!.args);
  const text = m?.[2]?.trim() ?? '';
  if (!m || ((name === 'rectifyProgress' || name === 'rectifyReturn') && text.length < 2)) {
    ctx.auditNotes.outcome = 'usage';
    await ctx.reply(USAGE[name]!);
    return;
  }
  const seq = dbId(m[1]);
  const countyId = await countyOfRegion(ctx.prisma, staff.regionId);
  const item = countyId === null || seq === undefined ? null : await ctx.prisma.rectificationItem.findUnique({ where: { countyRegionId_seq: { countyRegionId: countyId, seq } } });
  if (!item) {
    ctx.auditNotes.outcome = 'not-found';
    await ctx.reply(`本县整改清单中没有第 ${seq} 项。`);
    return;
  }
  ctx.auditNotes.rectificationItemId = item.id;
  const gateway = ctx.deps.workflows;
  if (!gateway) {
    await ctx.reply('整改服务暂不可用，请稍后再试。');
    return;
  }
  const updateId = `${ctx.event.platform}:${ctx.event.eventId}`;
  const workflowId = item.workflowId;
  const outcome =
    name === 'rectifyProgress'
      ? await gateway.execute(reportProgressUpdate, { workflowId, args: { note: text, byStaffId: staff.id }, updateId })
      : name === 'rectifyDone'
        ? await gateway.execute(reportCompletedUpdate, { workflowId, args: { byStaffId: staff.id, ...(text ? { note: text } : {}) }, updateId })
        : await gateway.execute(confirmUpdate, { workflowId, args: { accepted: false, note: text, byStaffId: staff.id }, updateId });
  if (!outcome.ok) {
    ctx.auditNotes.outcome = 'refused';
    await ctx.reply(`未能办理：${outcome.message}`);
    return;
  }
  ctx.auditNotes.outcome = 'done';
  const done = { rectifyProgress: '已记录整改进展', rectifyDone: '已报告整改完成，等待专班确认', rectifyReturn: '已退回继续整改，并通知责任人' }[name];
  await ctx.reply(`整改清单第 ${seq} 项：${done}。`);
};

/**
 * `/整改 <线索编号>` (专班): the finding goes on the rectification list of its township, with the
 * policy's default deadline; a second tap joins the same item. Without a number the hand form starts.
 */
const rectifyFromFinding: BotMiddleware = async (ctx, next) => {
  const args = ctx.command!.args.trim();
  if (args === '') return next();
  const m = /^#?(\d{1,9})$/u.exec(args);
  if (!m) {
    ctx.auditNotes.outcome = 'usage';
    await ctx.reply('请发送：/整改 <线索编号>，如 /整改 12（线索编号见数据比对结果或预警通知）；只发送 /整改 可逐项填写新增整改事项。');
    return;
  }
  const starter = ctx.deps.caseStarter;
  if (!starter.openRectification) {
    await ctx.reply('整改服务暂不可用，请稍后再试。');
    return;
  }
  const findingId = Number(m[1]);
  ctx.auditNotes.findingId = findingId;
  const started = await starter.openRectification({ staffId: ctx.staff!.id, findingId, eventId: `${ctx.event.platform}:${ctx.event.eventId}` }).catch(async (err: unknown) => {
    if (err instanceof CaseRefusedError) {
      ctx.auditNotes.outcome = 'refused';
      await ctx.reply(`未能列入整改清单：${err.message}`);
      return undefined;
    }
    throw err;
  });
  if (!started) return;
  ctx.auditNotes.outcome = 'done';
  ctx.auditNotes.caseRef = started.caseRef;
  await ctx.reply(`线索 #${findingId} 已列入整改清单（整改时限按本县默认规则），责任乡镇已收到通知。编号：${started.caseRef}`);
};
