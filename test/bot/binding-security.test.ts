/**
 * Security review finding 1: binding codes seen in a group are revoked, a new code revokes the old
 * ones, one binding per person and platform (the replaced account is told), and `jiuzhu staff unbind`.
 */
import { PassThrough } from 'node:stream';

import { afterAll, describe, expect, it } from 'vitest';

import { unbind } from '../../app/commands/staff.js';
import { createPrismaClient } from '../../infra/db/client.js';
import { BOT_TEXTS as T, createBotCore, issueBindingCode, type BotMessage, type ChatRef, type InboundEvent, type OutboundPort } from '../../bot/core/index.js';
import { REBOUND_TEXT } from '../../bot/core/binding.js';
import { createStaff, createTestCounty, RecordingCaseStarter, uniq } from './support.js';
import { testDatabaseUrl } from '../support/database.js';

const prisma = createPrismaClient(testDatabaseUrl());
afterAll(() => prisma.$disconnect());

/** What the bot said, per chat id. */
class RecordingPort implements OutboundPort {
  said = new Map<string, string[]>();
  async send(chat: ChatRef, message: BotMessage) {
    this.said.set(chat.id, [...(this.said.get(chat.id) ?? []), message.text]);
    return { chat, messageId: uniq('m') };
  }
  async sendFile(chat: ChatRef) {
    return { chat, messageId: uniq('f') };
  }
  async edit(ref: { chat: ChatRef }, message: BotMessage) {
    await this.send(ref.chat, message);
  }
  in(chatId: string) {
    return this.said.get(chatId) ?? [];
  }
}

const core = createBotCore({ prisma, caseStarter: new RecordingCaseStarter() });
const say = (out: OutboundPort, senderId: string, text: string, kind: 'group' | 'private' = 'private', chatId = kind === 'private' ? senderId : 'oc_group') =>
  core.handle({ type: 'text', platform: 'feishu', eventId: uniq('ev'), chat: { platform: 'feishu', id: chatId, kind }, senderId, text } satisfies InboundEvent, out);

describe('binding codes and bindings', () => {
  it('revokes a code sent in a group: nobody can bind it in private afterwards', async () => {
    const county = await createTestCounty(prisma);
    const leader = await createStaff(prisma, county, { role: 'TASKFORCE_LEADER', name: '赵组长' });
    const { code } = await issueBindingCode(prisma, leader.id);
    const out = new RecordingPort();
    await say(out, uniq('ou_leader'), `/绑定 ${code}`, 'group', uniq('oc_'));
    const stranger = uniq('ou_stranger');
    await say(out, stranger, `/绑定 ${code}`);
    expect(out.in(stranger)).toEqual([T.bindExpired]);
    expect(await prisma.staffBinding.count({ where: { staffId: leader.id } })).toBe(0);
  });

  it('a new code revokes the unused old one', async () => {
    const county = await createTestCounty(prisma);
    const staff = await createStaff(prisma, county);
    const first = await issueBindingCode(prisma, staff.id);
    const second = await issueBindingCode(prisma, staff.id);
    const out = new RecordingPort();
    const a = uniq('ou_a');
    await say(out, a, `/绑定 ${first.code}`);
    expect(out.in(a)).toEqual([T.bindExpired]);
    await say(out, a, `/绑定 ${second.code}`);
    expect(out.in(a).at(-1)).toBe(T.bound(staff.name));
  });

  it('keeps one binding per person and platform, and tells the replaced account', async () => {
    const county = await createTestCounty(prisma);
    const staff = await createStaff(prisma, county, { name: '钱村干' });
    const out = new RecordingPort();
    const oldAccount = uniq('ou_old');
    const newAccount = uniq('ou_new');
    await say(out, oldAccount, `/绑定 ${(await issueBindingCode(prisma, staff.id)).code}`);
    await say(out, newAccount, `/绑定 ${(await issueBindingCode(prisma, staff.id)).code}`);
    const bindings = await prisma.staffBinding.findMany({ where: { staffId: staff.id, platform: 'feishu' } });
    expect(bindings.map((b) => b.externalId)).toEqual([newAccount]);
    expect(out.in(oldAccount).at(-1)).toBe(REBOUND_TEXT('钱村干'));
    // The old account is a stranger now.
    await say(out, oldAccount, '/我的待办');
    expect(out.in(oldAccount).at(-1)).toBe(T.unbound);
    await expect(prisma.staffBinding.create({ data: { staffId: staff.id, platform: 'feishu', externalId: uniq('ou_x') } })).rejects.toThrow();
  });

  it('jiuzhu staff unbind removes the bindings, revokes unused codes and is audited', async () => {
    const county = await createTestCounty(prisma);
    const staff = await createStaff(prisma, county);
    const out = new RecordingPort();
    const account = uniq('ou_u');
    await say(out, account, `/绑定 ${(await issueBindingCode(prisma, staff.id)).code}`);
    const pending = await issueBindingCode(prisma, staff.id);
    const o = new PassThrough();
    const e = new PassThrough();
    expect(await unbind(prisma, String(staff.id), 'weixin', { stdout: o, stderr: e })).toBe(2);
    expect(String(e.read())).toContain('平台“weixin”无效');
    expect(await unbind(prisma, String(staff.id), undefined, { stdout: o, stderr: e })).toBe(0);
    expect(String(o.read())).toContain('已解除');
    expect(await prisma.staffBinding.count({ where: { staffId: staff.id } })).toBe(0);
    await say(out, uniq('ou_v'), `/绑定 ${pending.code}`);
    expect(await prisma.staffBinding.count({ where: { staffId: staff.id } })).toBe(0);
    expect(await prisma.auditEntry.count({ where: { action: 'staff.unbind', subjectId: String(staff.id) } })).toBe(1);
  });
});
