/**
 * Attachments of a notification (a cycle's statutory tables) delivered after
 * the text: Feishu (upload, then a file message), Telegram (sendDocument,
 * multipart) and the web console (a download link). The fakes keep the bytes
 * they received: each file arrives exactly once, byte for byte, also when an
 * upload fails and the next delivery pass retries it without sending the text
 * or the files already delivered again.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import Fastify, { type FastifyInstance } from 'fastify';
import { Api } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createPrismaClient, type PrismaClient } from '../../infra/db/client.js';
import { migrateIfPending } from '../../infra/db/migrate.js';
import { createScratchDatabase, type ScratchDatabase } from '../db/scratch-database.js';
import { createBotCore, deliverNotifications } from '../../bot/core/index.js';
import { deliveryRetryDelayMs, missingAttachmentText } from '../../bot/core/alerts.js';
import { createConsoleStore, issueLoginToken, registerConsole, type ConsoleStore } from '../../bot/console/index.js';
import { createFeishuSender } from '../../bot/lark/index.js';
import { createTelegramSender } from '../../bot/telegram/sender.js';
import { XLSX_MIME } from '../../domain/tables/index.js';
import { startFakeFeishu, type FakeFeishu } from '../fakes/feishu-open-api.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-bot-api.js';
import { privateChat as tgPrivateChat, tgUser } from '../fakes/telegram-updates.js';
import type { TestCounty } from '../support/county.js';
import { createStaff, createTestCounty, listen, RecordingCaseStarter, uniq, uniqNum } from './support.js';
import { testDatabaseUrl } from '../support/database.js';

// A database of its own: these notifications (files under this test's private data folder, to people
// bound on every platform) must not reach the delivery loops other test files run at the same time.
let scratch: ScratchDatabase;
let prisma: PrismaClient;
const APP = { appId: 'cli_attach_test', appSecret: 'attach-secret' };
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-attach-'));

let feishu: FakeFeishu;
let telegram: FakeTelegram;
let county: TestCounty;
let store: ConsoleStore;
let app: FastifyInstance;
let consoleUrl: string;

beforeAll(async () => {
  scratch = await createScratchDatabase(testDatabaseUrl());
  await migrateIfPending(scratch.url);
  prisma = createPrismaClient(scratch.url);
  feishu = await startFakeFeishu({ apps: [APP], rateLimit: false });
  telegram = await startFakeTelegram({ token: `${uniqNum()}:AAattachTestToken_abcdefghijklmnopq`, botUsername: 'jiuzhu_attach_bot', rateLimit: false });
  county = await createTestCounty(prisma);
  store = createConsoleStore(prisma);
  app = Fastify();
  registerConsole(app, { prisma, core: createBotCore({ prisma, caseStarter: new RecordingCaseStarter() }), store, demo: false, countyRegionId: county.countyId, dataDir });
  consoleUrl = await listen(app);
});
afterAll(async () => {
  await app.close();
  await feishu.close();
  await telegram.close();
  await prisma.$disconnect();
  await scratch.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Two tables of a cycle under the data folder; returns the attachments and their bytes. */
function writeFiles(tag: string) {
  const folder = `reports/${county.countyId}/progress/${tag}`;
  fs.mkdirSync(path.join(dataDir, folder), { recursive: true });
  const files = [
    { fileName: `附件1-问题情况周报表-${tag}.xlsx`, bytes: crypto.randomBytes(300_000) },
    { fileName: `附件3-资金发放情况统计表-${tag}.xlsx`, bytes: crypto.randomBytes(4_321) },
  ];
  for (const f of files) fs.writeFileSync(path.join(dataDir, folder, f.fileName), f.bytes);
  return { files, attachments: files.map((f) => ({ path: `${folder}/${f.fileName}`, fileName: f.fileName, mime: XLSX_MIME })) };
}

async function notificationFor(staffId: number, tag: string, attachments: unknown) {
  return prisma.notification.create({
    data: { dedupeKey: uniq(`attach-${tag}-`), recipientStaffId: staffId, kind: 'reportAggregate', text: `进展情况报告（${tag}）汇总`, attachments: attachments as never, sentAt: new Date() },
  });
}

describe('attachments are delivered after the text, once each', () => {
  it('Feishu and Telegram get every file byte for byte exactly once, after injected upload failures and a retry pass', async () => {
    const office = await createStaff(prisma, county, { role: 'TASKFORCE_OFFICE', name: '周办公室' });
    const openId = uniq('ou_');
    const user = tgUser(uniqNum(), '周办公室');
    telegram.addChat(tgPrivateChat(user));
    await prisma.staffBinding.createMany({ data: [{ staffId: office.id, platform: 'feishu', externalId: openId }, { staffId: office.id, platform: 'telegram', externalId: String(user.id) }] });
    const { files, attachments } = writeFiles(uniq('p'));
    const n = await notificationFor(office.id, 'a', attachments);
    const outs = {
      feishu: createFeishuSender({ ...APP, domain: feishu.url, prisma, attempts: 2, baseDelayMs: 1 }),
      telegram: createTelegramSender(new Api(telegram.token, { apiRoot: telegram.url }), prisma, { attempts: 2, baseDelayMs: 1 }),
    };
    let clock = Date.now();
    const deliver = () => deliverNotifications({ prisma, outs, dataDir, now: () => new Date(clock), onError: () => {} });

    // Pass 1: Feishu's upload fails (both attempts); Telegram's second document fails (both attempts).
    feishu.failNext(2, { status: 500, match: '/im/v1/files' });
    telegram.failNext(2, { status: 500, match: (r) => r.path.endsWith('/sendDocument') && r.rawBytes.includes(Buffer.from(files[1]!.fileName)) });
    expect(await deliver()).toEqual({ delivered: 0, failed: 1 });
    const chat = feishu.p2pChatId(APP.appId, 'open_id', openId);
    expect(feishu.messagesIn(chat).map((m) => m.msg_type)).toEqual(['interactive']);
    expect(telegram.messages(user.id).map((m) => ('document' in m ? 'document' : 'text'))).toEqual(['text', 'document']);
    const failedRow = await prisma.notification.findUniqueOrThrow({ where: { id: n.id } });
    expect(failedRow).toMatchObject({ deliveredAt: null, deliveryAttempts: 1 });
    expect(failedRow.lastDeliveryError).toBeTruthy();
    // It backs off: a pass right after the failure leaves it alone.
    expect(await deliver()).toEqual({ delivered: 0, failed: 0 });

    // Pass 2, after the back-off: only what is missing goes out.
    clock += deliveryRetryDelayMs(1);
    expect(await deliver()).toEqual({ delivered: 1, failed: 0 });
    // Pass 3 and a forced re-delivery (the row un-marked, as after a crash): nothing new.
    expect(await deliver()).toEqual({ delivered: 0, failed: 0 });
    await prisma.notification.update({ where: { id: n.id }, data: { deliveredAt: null, claimedUntil: null } });
    expect(await deliver()).toEqual({ delivered: 1, failed: 0 });

    // Feishu: the text, then one file message per attachment, in order; each upload kept once, bytes identical.
    const msgs = feishu.messagesIn(chat);
    expect(msgs.map((m) => m.msg_type)).toEqual(['interactive', 'file', 'file']);
    expect(msgs.slice(1).map((m) => m.file!.file_name)).toEqual(files.map((f) => f.fileName));
    for (const [i, f] of files.entries()) expect(msgs[i + 1]!.file!.bytes.equals(f.bytes)).toBe(true);
    const uploads = [...feishu.files.values()];
    expect(uploads.map((u) => u.file_name)).toEqual(files.map((f) => f.fileName));
    expect(uploads.every((u) => u.file_type === 'xls')).toBe(true);
    expect(feishu.requests.filter((r) => r.path === '/open-apis/im/v1/files' && r.injected)).toHaveLength(2);
    expect(feishu.requests.filter((r) => r.path === '/open-apis/im/v1/messages' && (r.body as { msg_type?: string }).msg_type === 'interactive')).toHaveLength(1);

    // Telegram: one text, one document per attachment, bytes and names identical.
    expect(telegram.calls('sendMessage').filter((r) => r.status === 200)).toHaveLength(1);
    expect(telegram.documents.filter((d) => d.chatId === user.id).map((d) => [d.document.file_name, d.bytes.length])).toEqual(files.map((f) => [f.fileName, f.bytes.length]));
    for (const [i, f] of files.entries()) expect(telegram.documents.filter((d) => d.chatId === user.id)[i]!.bytes.equals(f.bytes)).toBe(true);
    expect(telegram.requests.filter((r) => r.path.endsWith('/sendDocument') && r.injected)).toHaveLength(2);

    // One OutboundMessage per send key: the text and each file, per platform.
    const keys = (await prisma.outboundMessage.findMany({ where: { dedupeKey: { startsWith: `notification:${n.id}:` } }, orderBy: { id: 'asc' } })).map((r) => r.dedupeKey).sort();
    expect(keys).toEqual([`notification:${n.id}:feishu`, `notification:${n.id}:feishu:file:0`, `notification:${n.id}:feishu:file:1`, `notification:${n.id}:telegram`, `notification:${n.id}:telegram:file:0`, `notification:${n.id}:telegram:file:1`].sort());
  });

  it('a platform that stays down is retried with a growing back-off; a file gone from the server is reported once in its place', async () => {
    const leader = await createStaff(prisma, county, { role: 'TASKFORCE_LEADER', name: '郑组长' });
    const user = tgUser(uniqNum(), '郑组长');
    telegram.addChat(tgPrivateChat(user));
    await prisma.staffBinding.create({ data: { staffId: leader.id, platform: 'telegram', externalId: String(user.id) } });
    const { files, attachments } = writeFiles(uniq('m'));
    fs.rmSync(path.join(dataDir, attachments[0]!.path)); // the first table is gone from the data folder
    const n = await notificationFor(leader.id, 'm', attachments);
    const outs = { telegram: createTelegramSender(new Api(telegram.token, { apiRoot: telegram.url }), prisma, { attempts: 1, baseDelayMs: 1 }) };
    const start = Date.now();
    let clock = start;
    const deliver = () => deliverNotifications({ prisma, outs, dataDir, now: () => new Date(clock), onError: () => {} });
    const row = () => prisma.notification.findUniqueOrThrow({ where: { id: n.id } });

    // Telegram is down for three passes: each waits longer than the one before.
    telegram.failNext(3, { status: 502, match: (r) => r.path.endsWith('/sendMessage') && r.rawBody.includes(String(user.id)) });
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect(await deliver()).toEqual({ delivered: 0, failed: 1 });
      const r = await row();
      expect(r.deliveryAttempts).toBe(attempt);
      waits.push(r.claimedUntil!.getTime() - clock);
      clock += 1_000;
      expect(await deliver()).toEqual({ delivered: 0, failed: 0 }); // still waiting
      clock = r.claimedUntil!.getTime();
    }
    expect(waits).toEqual([1, 2, 3].map(deliveryRetryDelayMs));
    expect(waits[2]!).toBeGreaterThan(waits[1]!);
    expect(waits[1]!).toBeGreaterThan(waits[0]!);
    expect((await row()).lastDeliveryError).toMatch(/502|Bad Gateway/);
    expect(deliveryRetryDelayMs(50)).toBe(30 * 60_000);

    // Back up: the text, a note in place of the missing table, the table that exists; delivered.
    expect(await deliver()).toEqual({ delivered: 1, failed: 0 });
    const seen = telegram.messages(user.id).map((m) => ('document' in m ? `document:${m.document!.file_name}` : m.text));
    expect(seen).toEqual([`【填报汇总】\n进展情况报告（m）汇总`, missingAttachmentText(files[0]!.fileName), `document:${files[1]!.fileName}`]);
    expect((await row()).deliveredAt).not.toBeNull();
    // Never again, also when the row is un-marked as after a crash.
    await prisma.notification.update({ where: { id: n.id }, data: { deliveredAt: null, claimedUntil: null } });
    expect(await deliver()).toEqual({ delivered: 1, failed: 0 });
    expect(telegram.messages(user.id)).toHaveLength(3);
  });

  it('the fakes check uploads as the platforms do', async () => {
    const sender = createFeishuSender({ ...APP, domain: feishu.url, prisma, attempts: 1 });
    const token = (await (await fetch(`${feishu.url}/open-apis/auth/v3/tenant_access_token/internal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ app_id: APP.appId, app_secret: APP.appSecret }) })).json()) as { tenant_access_token: string };
    const upload = (form: FormData, auth = `Bearer ${token.tenant_access_token}`) => fetch(`${feishu.url}/open-apis/im/v1/files`, { method: 'POST', headers: { authorization: auth }, body: form }).then(async (r) => ({ status: r.status, body: (await r.json()) as { code: number; data?: { file_key: string } } }));
    const form = (type: string, bytes: Buffer, name = 'a.xlsx') => {
      const f = new FormData();
      f.append('file_type', type);
      f.append('file_name', name);
      f.append('file', new Blob([new Uint8Array(bytes)]), name);
      return f;
    };
    expect((await upload(form('xls', Buffer.from('x')), 'Bearer nope')).body.code).toBe(99991663);
    expect((await upload(form('xlsx', Buffer.from('x')))).body.code).toBe(234001);
    expect((await upload(form('xls', Buffer.alloc(0)))).body.code).toBe(234010);
    expect((await upload(form('xls', Buffer.alloc(30 * 1024 * 1024 + 1)))).body.code).toBe(234006);
    const good = await upload(form('xls', Buffer.from('ok')));
    expect(good.body.code).toBe(0);
    expect(feishu.files.get(good.body.data!.file_key)!.bytes.toString()).toBe('ok');
    // A file message must name a file_key this app uploaded.
    const chat = { platform: 'feishu' as const, id: uniq('oc_'), kind: 'group' as const };
    const res = await sender.client.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: chat.id, msg_type: 'file', content: JSON.stringify({ file_key: 'file_v3_unknown' }) } }).catch((e: { response?: { data?: { code?: number } } }) => e.response?.data);
    expect(res?.code).toBe(230001);

    // Telegram: a document is required, non-empty, at most 50 MB.
    const tg = (f: FormData) => fetch(`${telegram.url}/bot${telegram.token}/sendDocument`, { method: 'POST', body: f }).then(async (r) => ({ status: r.status, body: (await r.json()) as { ok: boolean; description?: string; result?: { document?: { file_name: string; file_size: number } } } }));
    const user = tgUser(uniqNum(), '测试');
    telegram.addChat(tgPrivateChat(user));
    const tform = (bytes?: Buffer) => {
      const f = new FormData();
      f.append('chat_id', String(user.id));
      if (bytes) f.append('document', new Blob([new Uint8Array(bytes)]), '表.xlsx');
      return f;
    };
    expect((await tg(tform())).body.description).toBe('Bad Request: there is no document in the request');
    expect((await tg(tform(Buffer.alloc(0)))).body.description).toBe('Bad Request: file must be non-empty');
    expect((await tg(tform(Buffer.alloc(50 * 1024 * 1024 + 1)))).status).toBe(413);
    const sent = await tg(tform(Buffer.from('表格')));
    expect(sent.body.result?.document).toMatchObject({ file_name: '表.xlsx', file_size: Buffer.byteLength('表格') });
  });
});

describe('console download route', () => {
  it('serves a file only to the recipient of its notification, never a path outside the data folder', async () => {
    const office = await createStaff(prisma, county, { role: 'TASKFORCE_OFFICE', name: '吴办公室' });
    const other = await createStaff(prisma, county, { name: '郑村干' });
    await prisma.staffBinding.create({ data: { staffId: office.id, platform: 'console', externalId: `staff:${office.id}` } });
    const { files, attachments } = writeFiles(uniq('c'));
    // A row whose stored paths try to escape the data folder (never written by the product, but the route must hold).
    const secret = path.join(os.tmpdir(), `${uniq('secret-')}.txt`);
    fs.writeFileSync(secret, 'secret');
    const evil = [...attachments, { path: `../${path.basename(secret)}`, fileName: 'x', mime: 'text/plain' }, { path: secret, fileName: 'y', mime: 'text/plain' }];
    fs.symlinkSync(secret, path.join(dataDir, 'link.txt'));
    const n = await notificationFor(office.id, 'c', [...evil, { path: 'link.txt', fileName: 'z', mime: 'text/plain' }]);

    // Delivery to the console: the text, then a link per (safe) file. Paths that leave the data folder are
    // dropped when the row is read; the symbolic link out of it is never sent, only reported once.
    const errors: string[] = [];
    const report = await deliverNotifications({ prisma, outs: { console: store.port }, dataDir, onError: (e) => errors.push(String(e)) });
    expect(report).toEqual({ delivered: 1, failed: 0 });
    expect(errors.filter((e) => e.includes(`notification ${n.id}:`))).toHaveLength(1);
    const log = await store.history([`private:${office.id}`]);
    expect(log.filter((e) => e.file).map((e) => e.file)).toEqual(files.map((f, index) => ({ fileName: f.fileName, notificationId: n.id, index })));
    expect(log.map((e) => e.message.text).filter((t) => t?.startsWith('附件“'))).toEqual([missingAttachmentText('z')]);

    const cookieOf = async (staffId: number) => {
      const { token } = await issueLoginToken(prisma, staffId);
      const login = await fetch(`${consoleUrl}/console/login?token=${token}`, { redirect: 'manual' });
      return login.headers.get('set-cookie')!.split(';')[0]!;
    };
    const mine = await cookieOf(office.id);
    const theirs = await cookieOf(other.id);
    const get = (p: string, cookie?: string) => fetch(consoleUrl + p, { headers: cookie ? { cookie } : {} });

    const ok = await get(`/console/files/${n.id}/0`, mine);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe(XLSX_MIME);
    expect(ok.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent(files[0]!.fileName)}`);
    expect(Buffer.from(await ok.arrayBuffer()).equals(files[0]!.bytes)).toBe(true);
    expect(Buffer.from(await (await get(`/console/files/${n.id}/1`, mine)).arrayBuffer()).equals(files[1]!.bytes)).toBe(true);

    expect((await get(`/console/files/${n.id}/0`, theirs)).status).toBe(403); // another staff member
    expect((await get(`/console/files/${n.id}/0`)).status).toBe(403); // no session
    for (const i of [2, 3, 4, 9]) expect((await get(`/console/files/${n.id}/${i}`, mine)).status, `index ${i}`).toBe(404); // ../, absolute, symlink out, none
    for (const p of [`/console/files/${n.id}/..%2F..%2Fetc%2Fpasswd`, `/console/files/${n.id}/-1`, '/console/files/../../etc/passwd', `/console/files/${n.id}%2F..%2F0/0`]) {
      const r = await get(p, mine);
      expect([403, 404], p).toContain(r.status);
      expect(await r.text()).not.toContain('secret');
    }
  });
});
