// `jiuzhu staff list` and `jiuzhu staff code <who>`: the administrator's side
// of binding a chat account. A code is shown once, stored only as a hash, and
// valid for 24 hours; the person sends `/绑定 CODE` to the bot in private chat.
import { STAFF_ROLE_SHORT_LABELS } from '../../domain/import/vocabulary.js';
import type { Writable } from 'node:stream';

import { issueBindingCode, unbindStaff } from '../../bot/core/binding.js';
import { appendAudit } from '../../infra/audit-chain.js';
import { issueLoginToken } from '../../bot/console/auth.js';
import type { AppConfig } from '../../infra/config.js';
import type { PrismaClient } from '../../infra/db/client.js';
import { openDatabaseForCli } from '../../infra/db/open-for-cli.js';
import { formatChinaDateTime } from '../../domain/time/instants.js';

export interface StaffIo {
  stdout: Writable;
  stderr: Writable;
}


async function findStaff(prisma: PrismaClient, who: string) {
  if (/^\d+$/.test(who)) {
    const s = await prisma.staff.findUnique({ where: { id: Number(who) } });
    return s ? [s] : [];
  }
  return prisma.staff.findMany({ where: { name: who, active: true }, orderBy: { id: 'asc' } });
}

/** Lists staff (optionally whose name or unit contains `filter`) with their chat bindings. */
export async function listStaff(prisma: PrismaClient, filter: string | undefined, io: StaffIo): Promise<number> {
  const rows = await prisma.staff.findMany({
    where: { active: true, ...(filter ? { OR: [{ name: { contains: filter } }, { unit: { contains: filter } }] } : {}) },
    include: { region: { select: { name: true } } },
    orderBy: { id: 'asc' },
  });
  const bindings = await prisma.staffBinding.findMany({ where: { staffId: { in: rows.map((r) => r.id) } } });
  for (const r of rows) {
    const bound = bindings.filter((b) => b.staffId === r.id).map((b) => (b.platform === 'feishu' ? '飞书' : b.platform === 'telegram' ? 'Telegram' : b.platform === 'console' ? '控制台' : b.platform));
    io.stdout.write(`${String(r.id).padStart(5)}  ${r.name}  ${STAFF_ROLE_SHORT_LABELS[r.role] ?? r.role}  ${r.region.name} · ${r.unit}  ${bound.length ? `已绑定：${bound.join('、')}` : '未绑定'}\n`);
  }
  if (rows.length === 0) io.stdout.write('没有符合条件的在职人员。\n');
  return 0;
}

/** Issues a one-time binding code for one staff member (by id, or by a name that is unique). */
export async function issueCode(prisma: PrismaClient, who: string, io: StaffIo, now = new Date()): Promise<number> {
  const found = await findStaff(prisma, who);
  if (found.length === 0) {
    io.stderr.write(`找不到人员“${who}”。请用 jiuzhu staff list 查看编号。\n`);
    return 2;
  }
  if (found.length > 1) {
    io.stderr.write(`有 ${found.length} 名人员叫“${who}”（编号 ${found.map((s) => s.id).join('、')}），请改用编号。\n`);
    return 2;
  }
  const staff = found[0]!;
  if (!staff.active) {
    io.stderr.write(`${staff.name}（编号 ${staff.id}）已离岗，不能绑定。\n`);
    return 2;
  }
  const { code, expiresAt } = await issueBindingCode(prisma, staff.id, now);
  const until = formatChinaDateTime(expiresAt);
  io.stdout.write(`${staff.name}（编号 ${staff.id}，${STAFF_ROLE_SHORT_LABELS[staff.role] ?? staff.role}）的绑定码：${code}\n`);
  io.stdout.write(`有效至 ${until}（北京时间），只能使用一次。请本人私聊机器人发送：/绑定 ${code}\n`);
  return 0;
}

/** Issues a one-time console login link (15 minutes, single use, to be opened on this machine). */
export async function issueLoginLink(prisma: PrismaClient, who: string, baseUrl: string, io: StaffIo, now = new Date()): Promise<number> {
  const found = await findStaff(prisma, who);
  if (found.length !== 1 || !found[0]!.active) {
    io.stderr.write(found.length > 1 ? `有 ${found.length} 名人员叫“${who}”（编号 ${found.map((s) => s.id).join('、')}），请改用编号。\n` : `找不到在职人员“${who}”。请用 jiuzhu staff list 查看编号。\n`);
    return 2;
  }
  const staff = found[0]!;
  const { token } = await issueLoginToken(prisma, staff.id, now);
  io.stdout.write(`${staff.name}（编号 ${staff.id}，${STAFF_ROLE_SHORT_LABELS[staff.role] ?? staff.role}）的控制台登录链接（15 分钟内有效，只能使用一次，须在本机浏览器打开）：\n`);
  io.stdout.write(`${baseUrl}/console/login?token=${token}\n`);
  io.stdout.write(`登录后同一会话也可打开专班看板：${baseUrl}/dashboard（链接只能使用一次）。\n`);
  return 0;
}

const PLATFORM_LABELS: Record<string, string> = { feishu: '飞书', telegram: 'Telegram', console: '控制台' };

/**
 * Removes a person's chat bindings (all, or one platform's) and revokes their unused codes: for a
 * lost phone, a leaked code, or someone leaving. Audited.
 */
export async function unbind(prisma: PrismaClient, who: string, platform: string | undefined, io: StaffIo, now = new Date()): Promise<number> {
  if (platform !== undefined && !['feishu', 'telegram', 'console'].includes(platform)) {
    io.stderr.write(`平台“${platform}”无效：应为 feishu、telegram 或 console。\n`);
    return 2;
  }
  const found = await findStaff(prisma, who);
  if (found.length !== 1) {
    io.stderr.write(found.length > 1 ? `有 ${found.length} 名人员叫“${who}”（编号 ${found.map((s) => s.id).join('、')}），请改用编号。\n` : `找不到人员“${who}”。请用 jiuzhu staff list 查看编号。\n`);
    return 2;
  }
  const staff = found[0]!;
  const removed = await prisma.$transaction(async (tx) => {
    const rows = await unbindStaff(tx, staff.id, platform as 'feishu' | 'telegram' | 'console' | undefined);
    await tx.bindingCode.updateMany({ where: { staffId: staff.id, usedAt: null, expiresAt: { gt: now } }, data: { expiresAt: now } });
    await appendAudit(tx, { actor: 'cli', action: 'staff.unbind', subjectType: 'staff', subjectId: String(staff.id), payload: { platforms: rows.map((r) => r.platform), platform: platform ?? null } });
    return rows;
  });
  if (removed.length === 0) {
    io.stdout.write(`${staff.name}（编号 ${staff.id}）${platform ? `没有${PLATFORM_LABELS[platform]}绑定` : '没有任何绑定'}；未使用的绑定码已作废。\n`);
    return 0;
  }
  io.stdout.write(`已解除 ${staff.name}（编号 ${staff.id}）的绑定：${removed.map((r) => PLATFORM_LABELS[r.platform] ?? r.platform).join('、')}；未使用的绑定码已作废。重新绑定请执行 jiuzhu staff code ${staff.id}。\n`);
  return 0;
}

export async function runStaff(config: AppConfig, action: 'list' | 'code' | 'login-link' | 'unbind', arg: string | undefined, io: StaffIo = { stdout: process.stdout, stderr: process.stderr }, options: { platform?: string } = {}): Promise<number> {
  const db = await openDatabaseForCli(config);
  try {
    if (action === 'list') return await listStaff(db.prisma, arg, io);
    if (!arg) {
      io.stderr.write(`请指定人员编号或姓名：jiuzhu staff ${action} <编号|姓名>\n`);
      return 2;
    }
    if (action === 'unbind') return await unbind(db.prisma, arg, options.platform, io);
    if (action === 'login-link') {
      const host = config.http.host === '0.0.0.0' || config.http.host === '::' ? '127.0.0.1' : config.http.host;
      return await issueLoginLink(db.prisma, arg, `http://${host.includes(':') ? `[${host}]` : host}:${config.http.port}`, io);
    }
    return await issueCode(db.prisma, arg, io);
  } finally {
    await db.close();
  }
}
