import * as lark from '@larksuiteoapi/node-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FEISHU, startFakeFeishu, validateCard, type FakeFeishu } from '../fakes/feishu-open-api.js';

// The fake is checked with the real SDK client, pointed at it through `domain`.
// Each client gets its own token cache so no test sees another's token (the
// SDK's default cache is module-global, keyed by appId).

const APP = { appId: 'cli_fake_app_1', appSecret: 'secret-1' };
const OTHER_APP = { appId: 'cli_fake_app_2', appSecret: 'secret-2' };
const CHAT = 'oc_0123456789abcdef0123456789abcdef';
const USER = 'ou_0123456789abcdef0123456789abcdef';

const silent = { error() {}, warn() {}, info() {}, debug() {}, trace() {} };

function memoryCache(): lark.Cache {
  const values = new Map<string, { value: unknown; expire?: number }>();
  const k = (key: string | symbol, ns?: string) => `${ns ?? ''}/${String(key)}`;
  return {
    async get(key, options) {
      const v = values.get(k(key as string | symbol, options?.namespace));
      return v && (!v.expire || v.expire > Date.now()) ? v.value : undefined;
    },
    async set(key, value, expire, options) {
      values.set(k(key as string | symbol, options?.namespace), { value, expire });
      return true;
    },
  };
}

function client(fake: FakeFeishu, app = APP): lark.Client {
  return new lark.Client({ ...app, domain: fake.url, cache: memoryCache(), logger: silent, loggerLevel: lark.LoggerLevel.fatal });
}

const card2 = (title: string) => ({
  schema: '2.0',
  config: { update_multi: true },
  header: { title: { tag: 'plain_text', content: title }, template: 'blue' },
  body: {
    elements: [
      { tag: 'markdown', content: '**待核查**：张三 低保' },
      { tag: 'button', text: { tag: 'plain_text', content: '通过' }, type: 'primary', behaviors: [{ type: 'callback', value: { action: 'approve', case: 'C-1' } }] },
    ],
  },
});

/** The platform's answer inside an SDK error (axios rejects non-2xx). */
async function platformError(p: Promise<unknown>): Promise<{ status?: number; data: { code: number; msg: string } }> {
  try {
    await p;
  } catch (err) {
    // axios (inside the SDK) rejects non-2xx answers with the response attached.
    const response = (err as { response?: { status: number; data: { code: number; msg: string } } }).response;
    if (response) return { status: response.status, data: response.data };
    throw err;
  }
  throw new Error('expected the call to fail');
}

describe('fake Feishu open API with the real @larksuiteoapi/node-sdk Client', () => {
  let fake: FakeFeishu;
  beforeEach(async () => {
    fake = await startFakeFeishu({ apps: [APP, OTHER_APP] });
  });
  afterEach(async () => {
    await fake.close();
  });

  it('issues a tenant token once and the client reuses it (Bearer checked on every call)', async () => {
    const c = client(fake);
    for (let i = 0; i < 3; i++) {
      const res = await c.im.v1.message.create({
        params: { receive_id_type: 'chat_id' },
        data: { receive_id: CHAT, msg_type: 'text', content: JSON.stringify({ text: `第${i}条` }) },
      });
      expect(res.code).toBe(0);
    }
    expect(fake.tokenRequests(APP.appId)).toBe(1);
    const sends = fake.requests.filter((r) => r.path === '/open-apis/im/v1/messages');
    expect(sends).toHaveLength(3);
    expect(sends.every((r) => r.headers.authorization === `Bearer ${fake.validTokens(APP.appId)[0]}`)).toBe(true);
    expect(fake.messagesIn(CHAT).map((m) => JSON.parse(m.content).text)).toEqual(['第0条', '第1条', '第2条']);
  });

  it('answers the token endpoint like Feishu: wrong secret 10014, unknown app 10003, both HTTP 200', async () => {
    const wrong = await fetch(`${fake.url}/open-apis/auth/v3/tenant_access_token/internal`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ app_id: APP.appId, app_secret: 'nope' }),
    });
    expect(wrong.status).toBe(200);
    expect(await wrong.json()).toMatchObject({ code: 10014, msg: 'app secret invalid' });

    const unknown = await fetch(`${fake.url}/open-apis/auth/v3/tenant_access_token/internal`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ app_id: 'cli_nobody', app_secret: 'x' }),
    });
    expect(await unknown.json()).toMatchObject({ code: 10003 });

    // Through the SDK the failure surfaces as an error naming the code, and nothing is sent.
    const bad = client(fake, { appId: APP.appId, appSecret: 'nope' });
    await expect(
      bad.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: CHAT, msg_type: 'text', content: '{"text":"x"}' } }),
    ).rejects.toThrow(/code: 10014/);
    expect(fake.messages).toHaveLength(0);
  });

  it('sends a JSON 2.0 card and keeps it in the chat state', async () => {
    const c = client(fake);
    const res = await c.im.v1.message.create({
      params: { receive_id_type: 'open_id' },
      data: { receive_id: USER, msg_type: 'interactive', content: JSON.stringify(card2('核查任务')) },
    });
    expect(res.code).toBe(0);
    const id = res.data!.message_id!;
    const stored = fake.message(id)!;
    expect(stored).toMatchObject({ msg_type: 'interactive', chat_type: 'p2p', receive_id: USER, appId: APP.appId });
    expect(stored.chat_id).toBe(fake.p2pChatId(APP.appId, 'open_id', USER));
    expect(stored.card).toEqual(card2('核查任务'));
    expect(res.data).toMatchObject({ chat_id: stored.chat_id, sender: { id: APP.appId, id_type: 'app_id', sender_type: 'app' } });
  });

  it('rejects content that is not a card for interactive, and a text without {text}', async () => {
    const c = client(fake);
    const notCard = await platformError(
      c.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: CHAT, msg_type: 'interactive', content: '{"title":"x"}' } }),
    );
    expect(notCard).toMatchObject({ status: 400, data: { code: FEISHU.CARD_INVALID.code } });
    const notJson = await platformError(
      c.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: CHAT, msg_type: 'interactive', content: '{schema:' } }),
    );
    expect(notJson.data.code).toBe(FEISHU.CARD_INVALID.code);
    const badText = await platformError(
      c.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: CHAT, msg_type: 'text', content: '"hello"' } }),
    );
    expect(badText.data.code).toBe(230001);
    const wrongIdType = await platformError(
      c.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: USER, msg_type: 'text', content: '{"text":"x"}' } }),
    );
    expect(wrongIdType.data.code).toBe(230001);
    expect(fake.messages).toHaveLength(0);
  });

  it('de-duplicates on uuid within an hour: the same message comes back, nothing new is sent', async () => {
    const c = client(fake);
    const send = () =>
      c.im.v1.message.create({
        params: { receive_id_type: 'chat_id' },
        data: { receive_id: CHAT, msg_type: 'text', content: '{"text":"通知"}', uuid: 'notice-C-1-v1' },
      });
    const first = await send();
    const second = await send();
    expect(second.data!.message_id).toBe(first.data!.message_id);
    expect(fake.messagesIn(CHAT)).toHaveLength(1);
    fake.advanceTime(60 * 60 * 1000 + 1);
    const third = await send();
    expect(third.data!.message_id).not.toBe(first.data!.message_id);
    expect(fake.messagesIn(CHAT)).toHaveLength(2);
  });

  it('replies to a user message and threads it under that message', async () => {
    const userMsg = fake.addUserMessage({ chatId: CHAT, senderOpenId: USER, text: '/查询 张三' });
    const c = client(fake);
    const res = await c.im.v1.message.reply({
      path: { message_id: userMsg.message_id },
      data: { msg_type: 'text', content: JSON.stringify({ text: '查到 1 条' }) },
    });
    expect(res.code).toBe(0);
    expect(res.data).toMatchObject({ parent_id: userMsg.message_id, root_id: userMsg.message_id, chat_id: CHAT });
    expect(fake.messagesIn(CHAT).map((m) => m.sender.sender_type)).toEqual(['user', 'app']);

    const missing = await platformError(
      c.im.v1.message.reply({ path: { message_id: 'om_nope' }, data: { msg_type: 'text', content: '{"text":"x"}' } }),
    );
    expect(missing.data.code).toBe(230001);
  });

  it('patches a card the app sent; refuses text messages, other apps and non-cards', async () => {
    const c = client(fake);
    const sent = await c.im.v1.message.create({
      params: { receive_id_type: 'chat_id' },
      data: { receive_id: CHAT, msg_type: 'interactive', content: JSON.stringify(card2('待审批')) },
    });
    const id = sent.data!.message_id!;
    const patched = await c.im.v1.message.patch({ path: { message_id: id }, data: { content: JSON.stringify(card2('已通过')) } });
    expect(patched.code).toBe(0);
    expect(fake.message(id)!.card).toEqual(card2('已通过'));
    expect(fake.message(id)!.contentHistory).toHaveLength(2);
    expect(fake.message(id)!.updated).toBe(true);

    const notCard = await platformError(c.im.v1.message.patch({ path: { message_id: id }, data: { content: '{"text":"x"}' } }));
    expect(notCard.data.code).toBe(FEISHU.CARD_INVALID.code);

    const other = client(fake, OTHER_APP);
    const foreign = await platformError(other.im.v1.message.patch({ path: { message_id: id }, data: { content: JSON.stringify(card2('x')) } }));
    expect(foreign.data.code).toBe(FEISHU.NOT_SENDER.code);

    const text = await c.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: CHAT, msg_type: 'text', content: '{"text":"t"}' } });
    const onText = await platformError(c.im.v1.message.patch({ path: { message_id: text.data!.message_id! }, data: { content: JSON.stringify(card2('x')) } }));
    expect(onText.data.code).toBe(230001);
    expect(fake.message(id)!.card).toEqual(card2('已通过'));
  });

  it('updates a card through the callback token at most twice within 30 minutes', async () => {
    const c = client(fake);
    const sent = await c.im.v1.message.create({
      params: { receive_id_type: 'chat_id' },
      data: { receive_id: CHAT, msg_type: 'interactive', content: JSON.stringify(card2('待审批')) },
    });
    const id = sent.data!.message_id!;
    const token = fake.issueCardToken(id);
    const update = (title: string) => c.request({ method: 'POST', url: '/open-apis/interactive/v1/card/update', data: { token, card: card2(title) } });
    expect(await update('处理中')).toMatchObject({ code: 0 });
    expect(await update('已通过')).toMatchObject({ code: 0 });
    expect(fake.message(id)!.card).toEqual(card2('已通过'));
    expect((await platformError(update('第三次'))).data.code).toBe(FEISHU.CARD_TOKEN_INVALID.code);

    const late = fake.issueCardToken(id);
    fake.advanceTime(30 * 60 * 1000 + 1);
    const expired = await platformError(c.request({ method: 'POST', url: '/open-apis/interactive/v1/card/update', data: { token: late, card: card2('迟了') } }));
    expect(expired.status).toBe(400);
  });

  it('rejects a missing, invalid or expired token with 99991661 / 99991663 (HTTP 400)', async () => {
    const noAuth = await fetch(`${fake.url}/open-apis/im/v1/messages?receive_id_type=chat_id`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ receive_id: CHAT, msg_type: 'text', content: '{"text":"x"}' }),
    });
    expect(noAuth.status).toBe(400);
    expect(await noAuth.json()).toMatchObject({ code: 99991661 });

    // withTenantToken only takes effect with disableTokenCache: otherwise the SDK
    // overwrites Authorization with the token it fetched itself.
    const own = new lark.Client({ ...APP, domain: fake.url, disableTokenCache: true, logger: silent, loggerLevel: lark.LoggerLevel.fatal });
    const forged = await platformError(
      own.im.v1.message.create(
        { params: { receive_id_type: 'chat_id' }, data: { receive_id: CHAT, msg_type: 'text', content: '{"text":"x"}' } },
        lark.withTenantToken('t-forged'),
      ),
    );
    expect(forged).toMatchObject({ status: 400, data: { code: 99991663 } });

    const c = client(fake);

    // A token past its 2 hours is refused; the SDK's cache still holds it, so the call fails.
    await c.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: CHAT, msg_type: 'text', content: '{"text":"a"}' } });
    fake.expireTokens(APP.appId);
    const expired = await platformError(
      c.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: CHAT, msg_type: 'text', content: '{"text":"b"}' } }),
    );
    expect(expired.data.code).toBe(99991663);
    expect(fake.validTokens(APP.appId)).toHaveLength(0);
  });

  it('hands back the same token while more than 30 minutes remain, a new one after that', async () => {
    const get = async () =>
      (await (
        await fetch(`${fake.url}/open-apis/auth/v3/tenant_access_token/internal`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ app_id: APP.appId, app_secret: APP.appSecret }),
        })
      ).json()) as { tenant_access_token: string; expire: number };
    const a = await get();
    expect(a.expire).toBe(7200);
    fake.advanceTime(60 * 60 * 1000);
    const b = await get();
    expect(b.tenant_access_token).toBe(a.tenant_access_token);
    expect(b.expire).toBeGreaterThan(3590);
    expect(b.expire).toBeLessThanOrEqual(3600);
    fake.advanceTime(45 * 60 * 1000);
    const c = await get();
    expect(c.tenant_access_token).not.toBe(a.tenant_access_token);
    expect(fake.validTokens(APP.appId)).toHaveLength(2); // both valid until the old one runs out
  });

  it('limits one chat to 5 sends a second (230020) and an app to 50 calls a second (99991400, HTTP 429)', async () => {
    // A frozen base clock: only advanceTime moves the rate windows, however slow the machine.
    await fake.close();
    const t0 = Date.now();
    fake = await startFakeFeishu({ apps: [APP], now: () => t0 });
    const c = client(fake);
    const send = (chat: string) =>
      c.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: chat, msg_type: 'text', content: '{"text":"x"}' } });
    for (let i = 0; i < 5; i++) await send(CHAT);
    const chatLimited = await platformError(send(CHAT));
    expect(chatLimited).toMatchObject({ status: 400, data: { code: 230020 } });
    fake.advanceTime(1000);
    expect((await send(CHAT)).code).toBe(0);

    fake.advanceTime(1000);
    const chats = Array.from({ length: 60 }, (_, i) => `oc_${String(i).padStart(32, '0')}`);
    const results = await Promise.allSettled(chats.map((chat) => send(chat)));
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(50);
    expect(rejected).toHaveLength(10);
    const err = rejected[0]!.reason as { response?: { status: number; data: unknown; headers: Record<string, string> } };
    expect(err.response?.status).toBe(429);
    expect(err.response?.data).toMatchObject({ code: 99991400, msg: 'request trigger frequency limit' });
    expect(err.response?.headers['x-ogw-ratelimit-reset']).toBe('1');
  });

  it('can run without rate limits', async () => {
    await fake.close();
    fake = await startFakeFeishu({ apps: [APP], rateLimit: false });
    const c = client(fake);
    for (let i = 0; i < 12; i++) {
      await c.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: CHAT, msg_type: 'text', content: '{"text":"x"}' } });
    }
    expect(fake.messagesIn(CHAT)).toHaveLength(12);
  });

  it('injects failures: the next N calls get HTTP 500, a hang, or a reset', async () => {
    const c = client(fake);
    const send = () =>
      c.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: CHAT, msg_type: 'text', content: '{"text":"x"}' } });
    await send(); // token fetched; failures below hit only the send
    fake.failNext(2, { match: '/im/v1/messages' });
    expect((await platformError(send())).status).toBe(500);
    expect((await platformError(send())).status).toBe(500);
    expect((await send()).code).toBe(0);

    fake.failNext(1, { mode: 'reset' });
    await expect(send()).rejects.toThrow(/socket hang up|ECONNRESET/);

    // A hung call never answers: only the caller's own timeout ends it (the SDK's
    // default axios instance has none).
    fake.failNext(1, { mode: 'hang' });
    const token = fake.validTokens(APP.appId)[0]!;
    await expect(
      fetch(`${fake.url}/open-apis/im/v1/messages?receive_id_type=chat_id`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ receive_id: CHAT, msg_type: 'text', content: '{"text":"x"}' }),
        signal: AbortSignal.timeout(200),
      }),
    ).rejects.toThrow(/timeout|aborted/i);
    expect(fake.requests.at(-1)!.injected).toBe('hang');
    expect(fake.messagesIn(CHAT)).toHaveLength(2);
  });

  it('answers unknown paths and wrong methods with a plain-text 404', async () => {
    const res = await fetch(`${fake.url}/open-apis/nonexistent/v1/foo`);
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('404 page not found');
    const wrongMethod = await fetch(`${fake.url}/open-apis/auth/v3/tenant_access_token/internal`);
    expect(wrongMethod.status).toBe(404);
  });

  it('records every request with method, path, query, headers and parsed body', async () => {
    const c = client(fake);
    await c.im.v1.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: CHAT, msg_type: 'text', content: '{"text":"x"}', uuid: 'u-1' } });
    const send = fake.requests.find((r) => r.path === '/open-apis/im/v1/messages')!;
    expect(send).toMatchObject({ method: 'POST', query: { receive_id_type: 'chat_id' }, body: { receive_id: CHAT, msg_type: 'text', uuid: 'u-1' }, status: 200 });
    expect(send.headers['content-type']).toMatch(/application\/json/);
  });
});

describe('validateCard', () => {
  it('accepts 2.0, 1.0, template and card-entity references; rejects the rest', () => {
    expect(validateCard(card2('x'))).toBeUndefined();
    expect(validateCard({ config: { update_multi: true }, elements: [{ tag: 'div', text: { tag: 'plain_text', content: 'x' } }] })).toBeUndefined();
    expect(validateCard({ type: 'template', data: { template_id: 'AAq1', template_variable: {} } })).toBeUndefined();
    expect(validateCard({ type: 'card', data: { card_id: '7355' } })).toBeUndefined();
    expect(validateCard({ schema: '2.0', elements: [] })).toMatch(/body/);
    expect(validateCard({ schema: '2.0', body: { elements: [{ content: 'x' }] } })).toMatch(/tag/);
    expect(validateCard([])).toBeDefined();
    expect(validateCard({ text: 'x' })).toMatch(/not a card/);
  });
});
