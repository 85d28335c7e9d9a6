/**
 * The web console front: real HTTP on loopback (fetch), the real bot core and
 * database, a recording CaseStarter. Demo mode and login-link mode each get a
 * fastify app of their own over the same core and message store.
 */
import crypto from 'node:crypto';

import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createBotCore, deliverNotifications } from '../../bot/core/index.js';
import { idNumbersPrivateOnly } from '../../bot/core/forms/engine.js';
import { RecordingGateway } from '../support/recording-gateway.js';
import { createConsoleStore, DEMO_BANNER, FORBIDDEN_TEXT, issueLoginToken, registerConsole, type ConsoleEntry, type ConsoleStore } from '../../bot/console/index.js';
import { createPrismaClient } from '../../infra/db/client.js';
import { startBotFronts } from '../../app/bot/fronts.js';
import { loadConfig } from '../../infra/config.js';
import { issueLoginLink } from '../../app/commands/staff.js';
import { presets } from '../../domain/policy/load.js';
import type { Client } from '@temporalio/client';
import { Writable } from 'node:stream';
import { createStaff, createTestCounty, freshIdNumber, listen, RecordingCaseStarter, uniq } from './support.js';
import type { TestCounty } from '../support/county.js';
import { testDatabaseUrl } from '../support/database.js';

const prisma = createPrismaClient(testDatabaseUrl());
const starter = new RecordingCaseStarter();
const gateway = new RecordingGateway(() => ({ ok: true, result: { status: 'COMPLETED' } }));
const updates = gateway.calls;
const core = createBotCore({ prisma, caseStarter: starter, workflows: gateway });

let store: ConsoleStore;
let county: TestCounty;
let demoApp: FastifyInstance;
let secureApp: FastifyInstance;
let demoUrl: string;
let secureUrl: string;

beforeAll(async () => {
  county = await createTestCounty(prisma);
  store = createConsoleStore(prisma);
  demoApp = Fastify();
  registerConsole(demoApp, { prisma, core, store, demo: true, countyRegionId: county.countyId });
  demoUrl = await listen(demoApp);
  secureApp = Fastify();
  registerConsole(secureApp, { prisma, core, store, demo: false, countyRegionId: county.countyId });
  secureUrl = await listen(secureApp);
});
afterAll(async () => {
  await demoApp.close();
  await secureApp.close();
  await prisma.$disconnect();
});

const post = (base: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/** Reads an SSE stream in the background, collecting its events. */
function openStream(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const events: Array<{ event: string; data: ConsoleEntry }> = [];
  let status = 0;
  const done = (async () => {
    const res = await fetch(url, { headers, signal: controller.signal });
    status = res.status;
    if (!res.ok || !res.body) return;
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) as ConsoleEntry });
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    events,
    status: () => status,
    async until(pred: (e: { event: string; data: ConsoleEntry }) => boolean, timeoutMs = 5000) {
      const start = Date.now();
      while (Date.now() - start < timeoutMs) {
        const hit = events.find(pred);
        if (hit) return hit;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no such event; got ${JSON.stringify(events.map((e) => e.event + ':' + (e.data.message?.title ?? e.data.message?.text ?? '')))}`);
    },
    close: async () => {
      controller.abort();
      await done;
    },
  };
}

describe('console in demo mode', () => {
  it('serves the page with the demo banner and lists the county staff', async () => {
    const cadre = await createStaff(prisma, county, { name: '赵村干' });
    const page = await fetch(`${demoUrl}/console`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(DEMO_BANNER);
    const list = (await (await fetch(`${demoUrl}/console/api/staff`)).json()) as { staff: Array<{ id: number }> };
    expect(list.staff.map((s) => s.id)).toContain(cadre.id);
    // Someone outside the county cannot be picked.
    const other = await createStaff(prisma, await createTestCounty(prisma, { townships: 1, villagesPerTownship: 1 }));
    expect(list.staff.map((s) => s.id)).not.toContain(other.id);
    const refused = await fetch(`${demoUrl}/console/api/me?staff=${other.id}`);
    expect(refused.status).toBe(403);
  });

  it('runs /报告死亡 in private chat (refused in the village group): the confirming press reaches the CaseStarter once even when the POST is retried, and the stream shows the bot', async () => {
    const cadre = await createStaff(prisma, county, { name: '王村干' });
    const village = county.townships[0]!.villages[0]!;
    const group = `group:${village.id}`;
    const me = (await (await fetch(`${demoUrl}/console/api/me?staff=${cadre.id}`)).json()) as { chats: Array<{ id: string; kind: string }> };
    expect(me.chats.map((c) => c.id)).toEqual([group, `group:${county.townships[0]!.id}`, `private:${cadre.id}`]);
    expect(await prisma.staffBinding.findUnique({ where: { platform_externalId: { platform: 'console', externalId: `staff:${cadre.id}` } } })).toMatchObject({ staffId: cadre.id });

    const stream = openStream(`${demoUrl}/console/events?staff=${cadre.id}`);
    await stream.until((e) => e.event === 'ready');
    const id = freshIdNumber();
    // The form asks for ID numbers: refused in the village group, taken in the private chat.
    expect((await post(demoUrl, '/console/say', { eventId: crypto.randomUUID(), chatId: group, text: '/报告死亡', staffId: cadre.id })).status).toBe(200);
    await stream.until((e) => e.data.chatId === group && e.data.message.text === idNumbersPrivateOnly('报告死亡'));
    const mine = `private:${cadre.id}`;
    for (const text of ['/报告死亡', '李四', id, '2026/10/3', '殡葬']) {
      const res = await post(demoUrl, '/console/say', { eventId: crypto.randomUUID(), chatId: mine, text, staffId: cadre.id });
      expect(res.status).toBe(200);
    }
    const card = await stream.until((e) => e.data.chatId === mine && (e.data.message.title ?? '').includes('请确认'));
    // Nothing of it reached the group.
    expect(JSON.stringify(stream.events.filter((e) => e.data?.chatId === group))).not.toContain(id);
    const confirm = card.data.message.buttons!.find((b) => b.label === '确认提交')!;

    const press = { eventId: crypto.randomUUID(), chatId: mine, messageId: card.data.id, button: confirm.payload, staffId: cadre.id };
    const before = starter.deaths.length;
    const [a, b] = await Promise.all([post(demoUrl, '/console/press', press), post(demoUrl, '/console/press', press)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect((await post(demoUrl, '/console/press', press)).status).toBe(200);
    expect(starter.deaths.slice(before)).toEqual([
      { reporterStaffId: cadre.id, name: '李四', idNumber: id, deathDate: '2026-10-03', source: '殡葬', eventId: `console:staff:${cadre.id}:${press.eventId}` },
    ]);
    // The card is edited in place (same message id), buttons gone.
    const edited = await stream.until((e) => e.event === 'edit' && e.data.id === card.data.id);
    expect(edited.data.message.title).toBe('报告死亡：已受理');
    expect(edited.data.message.buttons ?? []).toEqual([]);
    await stream.close();

    // A new stream replays the log with the edited card.
    const again = openStream(`${demoUrl}/console/events?staff=${cadre.id}`);
    const replayed = await again.until((e) => e.data.id === card.data.id);
    expect(replayed.data.message.title).toBe('报告死亡：已受理');
    await again.close();

    // A retried typed line is handled once too.
    const say = { eventId: crypto.randomUUID(), chatId: `private:${cadre.id}`, text: '/帮助', staffId: cadre.id };
    const helpBefore = (await store.history([`private:${cadre.id}`])).filter((e) => !e.from).length;
    await post(demoUrl, '/console/say', say);
    await post(demoUrl, '/console/say', say);
    const privateLog = await store.history([`private:${cadre.id}`]);
    expect(privateLog.filter((e) => !e.from).length - helpBefore).toBe(1);
    expect(privateLog.filter((e) => e.from === '王村干' && e.message.text === '/帮助')).toHaveLength(1);
  });

  it('refuses a chat the person is not in', async () => {
    const cadre = await createStaff(prisma, county);
    const res = await post(demoUrl, '/console/say', { eventId: crypto.randomUUID(), chatId: `group:${county.townships[1]!.villages[0]!.id}`, text: '/帮助', staffId: cadre.id });
    expect(res.status).toBe(403);
  });

  it('delivers an alert Notification to the console private chat with its buttons, and a press decides it', async () => {
    const leader = await createStaff(prisma, county, { role: 'TASKFORCE_OFFICE', name: '钱主任' });
    const workflowId = uniq('rectification:');
    const kase = await prisma.case.create({ data: { kind: 'RECTIFICATION', workflowId, regionId: county.townships[0]!.villages[0]!.id } });
    gateway.views.set(workflowId, { workflowId, status: 'AWAITING_CONFIRMATION', caseId: kase.id });
    // Bound by picking them once.
    expect((await fetch(`${demoUrl}/console/api/me?staff=${leader.id}`)).status).toBe(200);
    const stream = openStream(`${demoUrl}/console/events?staff=${leader.id}`);
    await stream.until((e) => e.event === 'ready');
    const n = await prisma.notification.create({
      data: {
        dedupeKey: uniq('console-alert:'),
        recipientStaffId: leader.id,
        kind: 'approval',
        text: '第1村低保新申请待审批',
        caseId: kase.id,
        workflowId,
        actions: [
          { label: '同意', step: 'rc.confirm', values: { verdict: '同意销号' }, style: 'primary' },
          { label: '退回', step: 'rc.confirm', values: { verdict: '退回整改' }, style: 'danger' },
        ],
        sentAt: new Date(),
      },
    });
    const report = await deliverNotifications({ prisma, outs: { console: store.port } });
    expect(report.delivered).toBeGreaterThanOrEqual(1);
    expect((await prisma.notification.findUnique({ where: { id: n.id } }))!.deliveredAt).not.toBeNull();
    const card = await stream.until((e) => e.data.chatId === `private:${leader.id}` && e.data.message.text === '第1村低保新申请待审批');
    expect(card.data.message.title).toBe('待您审批');
    expect(card.data.message.buttons!.map((b) => b.label)).toEqual(['同意', '退回', '办理（填写意见）']);
    // Delivering again sends nothing more.
    await prisma.notification.update({ where: { id: n.id }, data: { deliveredAt: null } });
    await deliverNotifications({ prisma, outs: { console: store.port } });
    expect((await store.history([`private:${leader.id}`])).filter((e) => e.message.text === '第1村低保新申请待审批')).toHaveLength(1);

    const press = { eventId: crypto.randomUUID(), chatId: `private:${leader.id}`, messageId: card.data.id, button: card.data.message.buttons![0]!.payload, staffId: leader.id };
    expect((await post(demoUrl, '/console/press', press)).status).toBe(200);
    expect(updates.filter((u) => u.workflowId === n.workflowId)).toEqual([
      { workflowId: n.workflowId, update: 'confirm', args: { accepted: true, byStaffId: leader.id }, updateId: `console:staff:${leader.id}:${press.eventId}` },
    ]);
    const edited = await stream.until((e) => e.event === 'edit' && e.data.id === card.data.id);
    expect(edited.data.message.fields).toContainEqual({ label: '办理人', value: '钱主任' });
    // A forged button (not on the card) is refused.
    const forged = await post(demoUrl, '/console/press', { ...press, eventId: crypto.randomUUID(), button: { action: 'n', caseRef: String(n.id), value: '1' } });
    expect(forged.status).toBe(409);
    await stream.close();
  });
});

describe('console without demo mode', () => {
  it('answers 403 to a request without a session and changes nothing', async () => {
    const cadre = await createStaff(prisma, county);
    const page = await fetch(`${secureUrl}/console`);
    expect(page.status).toBe(403);
    expect(await page.text()).toContain('jiuzhu staff login-link');
    const say = await post(secureUrl, '/console/say', { eventId: crypto.randomUUID(), chatId: `private:${cadre.id}`, text: '/报告死亡', staffId: cadre.id });
    expect(say.status).toBe(403);
    expect(((await say.json()) as { error: string }).error).toBe(FORBIDDEN_TEXT);
    expect((await fetch(`${secureUrl}/console/events?staff=${cadre.id}`)).status).toBe(403);
    expect((await fetch(`${secureUrl}/console/api/staff`)).status).toBe(403);
    expect((await fetch(`${secureUrl}/console/api/demo-roster?staff=${cadre.id}`)).status).toBe(403);
    expect(await prisma.staffBinding.count({ where: { staffId: cadre.id } })).toBe(0);
    expect(await store.history([`private:${cadre.id}`])).toEqual([]);
    expect(await prisma.chatFormState.count({ where: { senderId: `staff:${cadre.id}` } })).toBe(0);
    expect(await prisma.consoleSession.count({ where: { staffId: cadre.id } })).toBe(0);
    // A forged cookie is no session.
    const forged = await post(secureUrl, '/console/say', { eventId: crypto.randomUUID(), chatId: `private:${cadre.id}`, text: '/帮助' }, { cookie: `jiuzhu_console=${'A'.repeat(43)}` });
    expect(forged.status).toBe(403);
  });

  it('a login link works once and yields a session whose identity is fixed', async () => {
    const cadre = await createStaff(prisma, county, { name: '孙村干' });
    const other = await createStaff(prisma, county, { name: '周村干' });
    const { token } = await issueLoginToken(prisma, cadre.id);
    // Only the hash is stored.
    const stored = await prisma.consoleLoginToken.findMany({ where: { staffId: cadre.id } });
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(token);

    const login = await fetch(`${secureUrl}/console/login?token=${token}`, { redirect: 'manual' });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/console');
    const setCookie = login.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Max-Age=28800/);
    const cookie = setCookie.split(';')[0]!;
    expect((await fetch(`${secureUrl}/console/login?token=${token}`, { redirect: 'manual' })).status).toBe(403);

    const page = await fetch(`${secureUrl}/console`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).not.toContain(DEMO_BANNER);
    const me = (await (await fetch(`${secureUrl}/console/api/me?staff=${other.id}`, { headers: { cookie } })).json()) as { staff: { id: number } };
    expect(me.staff.id).toBe(cadre.id);

    // A staffId in the body is ignored: the line is said by the session's person, in their chats only.
    const stream = openStream(`${secureUrl}/console/events`, { cookie });
    await stream.until((e) => e.event === 'ready');
    const ok = await post(secureUrl, '/console/say', { eventId: crypto.randomUUID(), chatId: `private:${cadre.id}`, text: '/帮助', staffId: other.id }, { cookie });
    expect(ok.status).toBe(200);
    const typed = await stream.until((e) => e.data.from !== undefined && e.data.message.text === '/帮助');
    expect(typed.data.from).toBe('孙村干');
    await stream.until((e) => e.data.chatId === `private:${cadre.id}` && !e.data.from);
    // The same session relayed by a reverse proxy is not a local request.
    expect((await post(secureUrl, '/console/say', { eventId: crypto.randomUUID(), chatId: `private:${cadre.id}`, text: '/帮助' }, { cookie, 'x-forwarded-for': '203.0.113.9' })).status).toBe(403);
    expect((await fetch(`${secureUrl}/console`, { headers: { cookie, forwarded: 'for=203.0.113.9' } })).status).toBe(403);
    const elsewhere = await post(secureUrl, '/console/say', { eventId: crypto.randomUUID(), chatId: `private:${other.id}`, text: '/帮助', staffId: other.id }, { cookie });
    expect(elsewhere.status).toBe(403);
    expect(await prisma.staffBinding.count({ where: { staffId: other.id } })).toBe(0);
    await stream.close();
  });

  it('refuses an expired login link', async () => {
    const cadre = await createStaff(prisma, county);
    const { token } = await issueLoginToken(prisma, cadre.id, new Date(Date.now() - 16 * 60 * 1000));
    expect((await fetch(`${secureUrl}/console/login?token=${token}`, { redirect: 'manual' })).status).toBe(403);
  });
});

describe('console as `jiuzhu start` wires it', () => {
  it('JIUZHU_DEMO=1 is refused unless the server listens on loopback', () => {
    expect(loadConfig({ JIUZHU_DEMO: '1' }).demo).toBe(true);
    expect(loadConfig({}).demo).toBe(false);
    expect(() => loadConfig({ JIUZHU_DEMO: '1', JIUZHU_HTTP_HOST: '0.0.0.0' })).toThrow(/演示模式/);
  });

  it('jiuzhu staff login-link prints a link that signs in once', async () => {
    const cadre = await createStaff(prisma, county, { name: '吴村干' });
    let out = '';
    const io = { stdout: new Writable({ write: (c: Buffer, _e, cb) => ((out += c.toString()), cb()) }), stderr: new Writable({ write: (_c, _e, cb) => cb() }) };
    expect(await issueLoginLink(prisma, String(cadre.id), secureUrl, io)).toBe(0);
    const link = /(http:\/\/\S+\/console\/login\?token=[A-Za-z0-9_-]+)/.exec(out)![1]!;
    const first = await fetch(link, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(403);
  });

  it('startBotFronts serves /console, delivers alerts to console-bound people, and closes with a stream open', async () => {
    const app = Fastify();
    const fronts = await startBotFronts({
      app,
      prisma,
      client: {} as Client,
      caseStarter: starter,
      taskQueue: 'unused',
      // The demo picker offers the staff of the county the policy names.
      policy: { ...presets.zhangzi, county: { ...presets.zhangzi.county, name: county.countyName } },
      deliveryIntervalMs: 3_600_000,
      demo: true,
      log: () => {},
    });
    const url = await listen(app);
    try {
      expect(fronts.outs.console).toBeDefined();
      const staff = await createStaff(prisma, county, { name: '郑经办', role: 'TOWNSHIP_CASEWORKER' });
      expect((await fetch(`${url}/console/api/me?staff=${staff.id}`)).status).toBe(200);
      const outsider = await createStaff(prisma, await createTestCounty(prisma, { townships: 1, villagesPerTownship: 1 }));
      expect((await fetch(`${url}/console/api/me?staff=${outsider.id}`)).status).toBe(403);
      const stream = openStream(`${url}/console/events?staff=${staff.id}`);
      await stream.until((e) => e.event === 'ready');
      await prisma.notification.create({ data: { dedupeKey: uniq('console-remind:'), recipientStaffId: staff.id, kind: 'reminder', text: '死亡核查即将到期', sentAt: new Date() } });
      await fronts.delivery.kick();
      const got = await stream.until((e) => e.event === 'message' && e.data.message.text === '死亡核查即将到期');
      expect(got.data.message.title).toBe('催办提醒');
      expect(got.data.chatId).toBe(`private:${staff.id}`);
    } finally {
      await fronts.stop();
      await app.close();
    }
  });
});
