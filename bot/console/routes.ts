// The web console's HTTP routes under /console: a third front over the same
// bot core. Typed lines and button presses are POSTed as JSON and become
// InboundEvents (the browser makes one uuid per action, so a retried POST is
// de-duplicated by the core); what the bot says comes back over Server-Sent Events.
//
// Identity: in demo mode (JIUZHU_DEMO=1) the page picks any staff member of the
// county and their console account is bound on the spot. Otherwise every
// request must come from loopback and carry a session cookie from a one-time
// login link; a staffId in the request is then ignored.
import { STAFF_ROLE_SHORT_LABELS } from '../../domain/import/vocabulary.js';
import fs from 'node:fs';

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import { maskIdNumbersInText } from '../../domain/identity/id-number.js';
import { notificationAttachments } from '../../domain/tables/attachments.js';
import { defaultDataDir, existingAttachmentPath } from '../core/attachments.js';
import type { PrismaClient } from '../../prisma/generated/client.js';
import type { BotCore } from '../core/bot-core.js';
import { dbId, MAX_DB_ID } from '../core/ids.js';
import type { InboxProcessor } from '../core/inbox-processor.js';
import type { ButtonAction, InboundEvent } from '../core/types.js';
import { cleanText, MAX_MESSAGE_CHARS, textFieldSchema, tooLongText, textLength } from '../../domain/text.js';
import { clearSessionCookie, ensureConsoleBinding, endSession, isLocalRequest, readCookie, redeemLoginToken, SESSION_COOKIE, sessionCookie, sessionInfo, sessionStaffId } from './auth.js';
import { chineseHttpErrors, parseRequest } from './http-errors.js';
import type { ConsoleEntry, ConsoleStore } from './outbound.js';
import { consolePage, DEMO_BANNER, forbiddenPage } from './page.js';

export interface ConsoleRoutesOptions {
  prisma: PrismaClient;
  core: BotCore;
  /** The inbox events are recorded in (then answered at once; the page sees replies over its event stream). Absent: handled inside the request. */
  inbox?: InboxProcessor;
  store: ConsoleStore;
  /** Demo mode: anyone may act as any staff member of the county. */
  demo: boolean;
  /** The county whose staff the demo picker offers (undefined: every active staff member). */
  countyRegionId?: number | undefined;
  /** The data folder notification attachments are served from (default JIUZHU_DATA_DIR, else ./.data). */
  dataDir?: string;
  now?: () => Date;
  /** How often an open event stream re-checks its session (default STREAM_SESSION_CHECK_MS). */
  sessionCheckMs?: number;
  onError?: (err: unknown) => void;
}

export interface ConsoleRoutes {
  /** Ends the open event streams (the HTTP server can then close). */
  close(): void;
  /** Resolves when no POST is being handled. */
  idle(): Promise<void>;
}

export const FORBIDDEN_TEXT = '无权访问控制台：请在本机打开由 jiuzhu staff login-link 生成的一次性登录链接。';


const eventId = z.string().regex(/^[A-Za-z0-9-]{8,64}$/, '操作编号无效');
const chatId = z.string().regex(/^(group|private):\d+$/, '会话无效');
const staffIdField = z.coerce.number({ error: '人员编号无效' }).int('人员编号无效').positive('人员编号无效').max(MAX_DB_ID, '人员编号无效').optional();
const refText = (label: string, max: number) => z.string({ error: `“${label}”应为文字` }).transform(cleanText).pipe(z.string().max(max, `“${label}”无效`));
/** A button's or form's reference (what it carried back). */
const reference = (label: '按钮' | '表单') =>
  z.object(
    { action: refText(label, 32), caseRef: refText(label, 64).optional(), value: refText(label, 64).optional() },
    { error: (iss) => (iss.input === undefined ? `缺少“${label}”信息` : `“${label}”信息无效`) },
  );
const sayBody = z.object({ eventId, chatId, text: textFieldSchema('内容', MAX_MESSAGE_CHARS), staffId: staffIdField });
const pressBody = z.object({ eventId, chatId, messageId: z.string().uuid('消息编号无效'), button: reference('按钮'), staffId: staffIdField });
const submitBody = z.object({
  eventId,
  chatId,
  messageId: z.string().uuid('消息编号无效'),
  ref: reference('表单'),
  // Cleaned here; each value's length is checked against its input's label once the form is known.
  values: z.record(z.string().max(64, '表单项无效'), z.string({ error: '表单内容应为文字' }).max(MAX_MESSAGE_CHARS * 4, '表单内容过长').transform(cleanText), { error: '表单内容无效' }),
  staffId: staffIdField,
});
/** Field names of the request bodies, for the refusals (parseRequest). */
const LABELS = { eventId: '操作编号', chatId: '会话', text: '内容', staffId: '人员编号', messageId: '消息编号', button: '按钮', ref: '表单', values: '表单内容' };

/** How often an open event stream re-checks its session (expired, logged out, staff deactivated). */
export const STREAM_SESSION_CHECK_MS = 30_000;
/** What a stream says before it closes because its session ended. */
export const STREAM_EXPIRED_TEXT = '登录已过期或已退出，请重新打开登录链接。';

interface Person {
  id: number;
  name: string;
  role: string;
  regionId: number;
  externalId: string;
}

interface ChatInfo {
  id: string;
  kind: 'group' | 'private';
  name: string;
}

const sameButton = (a: ButtonAction, b: ButtonAction) => a.action === b.action && (a.caseRef ?? '') === (b.caseRef ?? '') && (a.value ?? '') === (b.value ?? '');

/** A button's or form's reference as the bot core takes it (absent parts left out, not undefined). */
function buttonAction(x: { action: string; caseRef?: string | undefined; value?: string | undefined }): ButtonAction {
  return { action: x.action, ...(x.caseRef !== undefined ? { caseRef: x.caseRef } : {}), ...(x.value !== undefined ? { value: x.value } : {}) };
}

export function registerConsole(app: FastifyInstance, options: ConsoleRoutesOptions): ConsoleRoutes {
  const { prisma, core, store, demo } = options;
  const now = options.now ?? (() => new Date());
  /** Open event streams, with the session cookie they were opened with (outside demo mode). */
  const streams = new Map<FastifyReply, string | undefined>();
  const inFlight = new Set<Promise<unknown>>();

  async function countyRegionIds(): Promise<number[] | undefined> {
    if (options.countyRegionId === undefined) return undefined;
    const townships = await prisma.region.findMany({ where: { parentId: options.countyRegionId }, select: { id: true } });
    const villages = await prisma.region.findMany({ where: { parentId: { in: townships.map((t) => t.id) } }, select: { id: true } });
    return [options.countyRegionId, ...townships.map((t) => t.id), ...villages.map((v) => v.id)];
  }

  async function activeStaff(id: number): Promise<Person | undefined> {
    const s = await prisma.staff.findUnique({ where: { id } });
    if (!s?.active) return undefined;
    return { id: s.id, name: s.name, role: s.role, regionId: s.regionId, externalId: `staff:${s.id}` };
  }

  /** The person behind a request, or undefined after answering 403. */
  async function person(req: FastifyRequest, reply: FastifyReply, demoStaffId: number | undefined): Promise<Person | undefined> {
    if (demo) {
      if (!isLocalRequest(req)) {
        await reply.code(403).send({ error: '演示模式只能在本机使用。' });
        return undefined;
      }
      const regions = await countyRegionIds();
      const p = demoStaffId === undefined ? undefined : await activeStaff(demoStaffId);
      if (!p || (regions && !regions.includes(p.regionId))) {
        await reply.code(403).send({ error: '请先选择一名本县在职人员。' });
        return undefined;
      }
      await ensureConsoleBinding(prisma, p.id);
      return p;
    }
    const staffId = isLocalRequest(req) ? await sessionStaffId(prisma, readCookie(req.headers.cookie, SESSION_COOKIE), now()) : undefined;
    const p = staffId === undefined ? undefined : await activeStaff(staffId);
    if (!p) {
      await reply.code(403).send({ error: FORBIDDEN_TEXT });
      return undefined;
    }
    return p;
  }

  /** The person's chats: their region's group (and the township's, for a village), and the private chat. */
  async function chatsOf(p: Person): Promise<ChatInfo[]> {
    const chats: ChatInfo[] = [];
    const region = await prisma.region.findUnique({ where: { id: p.regionId }, include: { parent: true } });
    if (region) {
      chats.push({ id: `group:${region.id}`, kind: 'group', name: `${region.name}工作群` });
      if (region.level === 'VILLAGE' && region.parent) chats.push({ id: `group:${region.parent.id}`, kind: 'group', name: `${region.parent.name}工作群` });
    }
    chats.push({ id: `private:${p.id}`, kind: 'private', name: '与机器人私聊' });
    return chats;
  }

  async function chatFor(p: Person, id: string, reply: FastifyReply): Promise<ChatInfo | undefined> {
    const chat = (await chatsOf(p)).find((c) => c.id === id);
    if (!chat) await reply.code(403).send({ error: '您不在这个会话中。' });
    return chat;
  }

  /** Runs the core on one event; a failure answers 500 (the browser retries with the same event id). */
  async function handle(event: InboundEvent, reply: FastifyReply) {
    if (options.inbox) {
      try {
        const outcome = await options.inbox.record(event);
        if (outcome === 'limited') return reply.code(429).send({ error: '操作过于频繁，请稍后再试。' });
        return reply.send({ ok: true });
      } catch (err) {
        options.onError?.(err);
        return reply.code(503).send({ error: '服务暂时不可用，请稍后重试。' });
      }
    }
    const work = core.handle(event, store.port);
    inFlight.add(work);
    try {
      await work;
      return reply.send({ ok: true });
    } catch (err) {
      options.onError?.(err);
      return reply.code(500).send({ error: '处理失败，请稍后重试。' });
    } finally {
      inFlight.delete(work);
    }
  }

  const parse = <T>(schema: z.ZodType<T>, body: unknown, reply: FastifyReply): T | undefined => parseRequest(schema, body, LABELS, reply);

  const demoQuery = (req: FastifyRequest) => {
    const s = (req.query as { staff?: string }).staff;
    return dbId(s);
  };

  // Every route in one scope under /console: JSON bodies only, and every refusal in Chinese (http-errors.ts).
  void app.register(
    async (app) => {
      chineseHttpErrors(app, options.onError);
      routes(app);
    },
    { prefix: '/console' },
  );

  function routes(app: FastifyInstance) {
    app.get('/', async (req, reply) => {
      if (demo && !isLocalRequest(req)) return reply.code(403).type('text/html; charset=utf-8').send(forbiddenPage('演示模式只能在本机使用。', { demo }));
      if (!demo && !(isLocalRequest(req) && (await sessionStaffId(prisma, readCookie(req.headers.cookie, SESSION_COOKIE), now())) !== undefined)) {
        return reply.code(403).type('text/html; charset=utf-8').send(forbiddenPage(FORBIDDEN_TEXT, { demo }));
      }
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(consolePage({ demo }));
    });

    app.get('/login', async (req, reply) => {
      const token = (req.query as { token?: string }).token ?? '';
      const redeemed = isLocalRequest(req) ? await redeemLoginToken(prisma, token, now()) : undefined;
      if (!redeemed) {
        return reply.code(403).type('text/html; charset=utf-8').send(forbiddenPage('登录链接无效、已使用或已过期（有效期 15 分钟，只能使用一次），且只能在本机打开。请重新执行 jiuzhu staff login-link 获取。', { demo }));
      }
      return reply.header('set-cookie', sessionCookie(redeemed.session)).redirect('/console', 303);
    });

    app.post('/logout', async (req, reply) => {
      const session = readCookie(req.headers.cookie, SESSION_COOKIE);
      await endSession(prisma, session);
      // The session's other tabs lose their streams; reconnecting, they are refused and say so.
      if (session) for (const [s, of] of streams) if (of === session) s.raw.end();
      return reply.header('set-cookie', clearSessionCookie()).send({ ok: true });
    });

    app.get('/api/staff', async (req, reply) => {
      if (!demo || !isLocalRequest(req)) return reply.code(403).send({ error: FORBIDDEN_TEXT });
      const regions = await countyRegionIds();
      const rows = await prisma.staff.findMany({
        where: { active: true, ...(regions ? { regionId: { in: regions } } : {}) },
        include: { region: { select: { name: true } } },
        orderBy: { id: 'asc' },
        take: 1000,
      });
      return { banner: DEMO_BANNER, staff: rows.map((s) => ({ id: s.id, name: s.name, role: STAFF_ROLE_SHORT_LABELS[s.role] ?? s.role, region: s.region.name, unit: s.unit })) };
    });

    // Demo mode only: a few recipients of the chosen person's own area, with their (fictitious) ID
    // numbers, so a newcomer can try /报告死亡 without a household register at hand.
    app.get('/api/demo-roster', async (req, reply) => {
      if (!demo) return reply.code(403).send({ error: FORBIDDEN_TEXT });
      const p = await person(req, reply, demoQuery(req));
      if (!p) return;
      const own = await prisma.region.findMany({ where: { OR: [{ id: p.regionId }, { parentId: p.regionId }] }, select: { id: true } });
      const households = await prisma.household.findMany({
        where: { regionId: { in: own.map((r) => r.id) }, enrolments: { some: { status: 'ACTIVE' } } },
        include: { region: { select: { name: true } }, members: { where: { status: 'ALIVE' }, orderBy: { id: 'asc' } } },
        orderBy: { id: 'asc' },
        take: 8,
      });
      return { people: households.flatMap((h) => h.members.slice(0, 2).map((m) => ({ name: m.name, idNumber: m.idNumber, region: h.region.name }))) };
    });

    // An attachment of a notification addressed to the person asking: by notification id and index
    // only (never by path), the stored path checked to stay inside the data folder.
    const fileParams = z.object({ notificationId: z.coerce.number().int().positive().max(MAX_DB_ID), index: z.coerce.number().int().min(0).max(99) });
    app.get('/files/:notificationId/:index', async (req, reply) => {
      const p = await person(req, reply, demoQuery(req));
      if (!p) return reply;
      const params = fileParams.safeParse(req.params);
      if (!params.success) return reply.code(404).send({ error: '找不到该文件。' });
      const n = await prisma.notification.findUnique({ where: { id: params.data.notificationId }, select: { recipientStaffId: true, attachments: true } });
      if (!n || n.recipientStaffId !== p.id) return reply.code(403).send({ error: '该文件不是发给您的。' });
      const a = notificationAttachments(n.attachments)[params.data.index];
      const file = a && existingAttachmentPath(options.dataDir ?? defaultDataDir(), a.path);
      if (!a || !file) return reply.code(404).send({ error: '找不到该文件。' });
      return reply
        .header('content-type', a.mime)
        .header('content-disposition', `attachment; filename="${encodeURIComponent(a.fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)}"; filename*=UTF-8''${encodeURIComponent(a.fileName)}`)
        .header('cache-control', 'private, no-store')
        .header('x-content-type-options', 'nosniff')
        .send(fs.createReadStream(file));
    });

    app.get('/api/me', async (req, reply) => {
      const p = await person(req, reply, demoQuery(req));
      if (!p) return reply;
      return { demo, staff: { id: p.id, name: p.name, role: STAFF_ROLE_SHORT_LABELS[p.role] ?? p.role }, chats: await chatsOf(p) };
    });

    app.get('/events', async (req, reply) => {
      const p = await person(req, reply, demoQuery(req));
      if (!p) return reply;
      const chatIds = (await chatsOf(p)).map((c) => c.id);
      const session = demo ? undefined : readCookie(req.headers.cookie, SESSION_COOKIE);
      const expiresAt = session === undefined ? undefined : (await sessionInfo(prisma, session, now()))?.expiresAt;
      if (!demo && !expiresAt) return reply.code(403).send({ error: FORBIDDEN_TEXT });
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      // A stream lives no longer than its session: each push checks the session's end (clock only), and
      // a periodic check asks the database (logged out elsewhere, staff deactivated). Then the stream
      // says so and closes; the page's reconnect is refused and shows the refusal.
      let open = true;
      const expire = () => {
        if (!open) return;
        open = false;
        raw.write(`event: expired\ndata: ${JSON.stringify({ error: STREAM_EXPIRED_TEXT })}\n\n`);
        raw.end();
      };
      const live = () => demo || (expiresAt !== undefined && now().getTime() < expiresAt.getTime());
      const write = (entry: ConsoleEntry, kind: 'message' | 'edit') => {
        if (!open) return;
        if (!live()) return expire();
        raw.write(`event: ${kind}\ndata: ${JSON.stringify(entry)}\n\n`);
      };
      const recheck = async () => {
        if (demo || !open) return;
        const still = (await sessionStaffId(prisma, session, now())) === p.id && (await activeStaff(p.id)) !== undefined;
        if (!still) expire();
      };
      const sessionCheck = setInterval(() => void recheck().catch((err: unknown) => options.onError?.(err)), options.sessionCheckMs ?? STREAM_SESSION_CHECK_MS);
      sessionCheck.unref();
      // Subscribe first, then replay the log: an entry that arrives meanwhile may come twice (the page keys by id).
      const unsubscribe = store.hub.subscribe(chatIds, write);
      const heartbeat = setInterval(() => raw.write(': ping\n\n'), 25_000);
      heartbeat.unref();
      streams.set(reply, session);
      const end = () => {
        open = false;
        clearInterval(heartbeat);
        clearInterval(sessionCheck);
        unsubscribe();
        streams.delete(reply);
      };
      req.raw.on('close', end);
      raw.on('close', end);
      try {
        // A dropped stream is retried by the browser after 2 s; the replay below brings it up to date.
        raw.write('retry: 2000\n\n');
        for (const e of await store.history(chatIds)) write(e, 'message');
        raw.write('event: ready\ndata: {}\n\n');
      } catch (err) {
        options.onError?.(err);
        raw.end();
      }
    });

    app.post('/say', async (req, reply) => {
      const body = parse(sayBody, req.body, reply);
      if (!body) return reply;
      const p = await person(req, reply, body.staffId);
      if (!p) return reply;
      const chat = await chatFor(p, body.chatId, reply);
      if (!chat) return reply;
      const id = `${p.externalId}:${body.eventId}`;
      // The line as the chat shows it: ID numbers masked in a group (the bot's own group messages are masked too).
      const shown = chat.kind === 'group' ? maskIdNumbersInText(body.text) : body.text;
      await store.recordTyped(chat.id, { name: p.name, staffId: p.id }, shown, `console:said:${id}`);
      return handle({ type: 'text', platform: 'console', eventId: id, chat: { platform: 'console', id: chat.id, kind: chat.kind }, senderId: p.externalId, text: body.text }, reply);
    });

    app.post('/press', async (req, reply) => {
      const body = parse(pressBody, req.body, reply);
      if (!body) return reply;
      const p = await person(req, reply, body.staffId);
      if (!p) return reply;
      const chat = await chatFor(p, body.chatId, reply);
      if (!chat) return reply;
      const id = `${p.externalId}:${body.eventId}`;
      const message = await store.find(chat.id, body.messageId);
      if (!message?.message.buttons?.some((b) => sameButton(b.payload, body.button))) {
        // A retried press whose first delivery already removed the buttons: done already.
        const seen = await prisma.processedEvent.findUnique({ where: { id: `console:${id}` } });
        if (seen) return reply.send({ ok: true });
        return reply.code(409).send({ error: '该按钮已失效。' });
      }
      const button = buttonAction(body.button);
      return handle(
        { type: 'button', platform: 'console', eventId: id, chat: { platform: 'console', id: chat.id, kind: chat.kind }, senderId: p.externalId, button, source: { chat: { platform: 'console', id: chat.id, kind: chat.kind }, messageId: body.messageId } },
        reply,
      );
    });

    // A card's form submitted in one go (the console's form container): the step reference it carried and its inputs.
    app.post('/submit', async (req, reply) => {
      const body = parse(submitBody, req.body, reply);
      if (!body) return reply;
      const p = await person(req, reply, body.staffId);
      if (!p) return reply;
      const chat = await chatFor(p, body.chatId, reply);
      if (!chat) return reply;
      const id = `${p.externalId}:${body.eventId}`;
      const message = await store.find(chat.id, body.messageId);
      const form = message?.message.form;
      if (!form || !sameButton(form.ref, body.ref)) {
        const seen = await prisma.processedEvent.findUnique({ where: { id: `console:${id}` } });
        if (seen) return reply.send({ ok: true });
        return reply.code(409).send({ error: '该表单已提交或已失效。' });
      }
      // Only the card's own inputs are taken; an overlong one is refused by its label, never cut.
      const inputs = form.inputs.filter((i) => typeof body.values[i.key] === 'string');
      const overlong = inputs.find((i) => textLength(body.values[i.key]!) > MAX_MESSAGE_CHARS);
      if (overlong) return reply.code(400).send({ error: tooLongText(overlong.label, MAX_MESSAGE_CHARS, textLength(body.values[overlong.key]!)) });
      const values = Object.fromEntries(inputs.map((i) => [i.key, body.values[i.key]!]));
      const ref = buttonAction(form.ref);
      const at = { platform: 'console' as const, id: chat.id, kind: chat.kind };
      return handle({ type: 'form', platform: 'console', eventId: id, chat: at, senderId: p.externalId, form: ref, values, source: { chat: at, messageId: body.messageId } }, reply);
    });

  }

  const close = () => {
    for (const s of streams.keys()) s.raw.end();
    streams.clear();
  };
  app.addHook('preClose', (done) => {
    close();
    done();
  });
  return {
    close,
    async idle() {
      await Promise.allSettled([...inFlight]);
      await options.inbox?.settle();
    },
  };
}
