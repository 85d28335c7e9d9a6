import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as lark from '@larksuiteoapi/node-sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  buildWebhookRequest,
  cardActionEvent,
  decryptPayload,
  encryptPayload,
  messageReceiveEvent,
  postToWebhook,
  signBody,
  urlVerification,
  type FeishuAppContext,
} from '../fakes/feishu-events.js';

// What the helpers build must be accepted by the SDK's own EventDispatcher with
// the same keys, through its node:http adapter on loopback.

const ENCRYPT_KEY = 'encrypt-key-for-tests-0123456789';
const CTX: FeishuAppContext = { appId: 'cli_fake_events', verificationToken: 'verification-token-1', tenantKey: 'tenant-1' };
const CHAT = 'oc_0123456789abcdef0123456789abcdef';
const USER = 'ou_0123456789abcdef0123456789abcdef';
const silent = { error() {}, warn() {}, info() {}, debug() {}, trace() {} };

type Seen = Record<string, unknown>;

function dispatcher(seen: Seen[], encryptKey: string | null = ENCRYPT_KEY) {
  return new lark.EventDispatcher({ encryptKey: encryptKey ?? undefined, verificationToken: CTX.verificationToken, logger: silent, loggerLevel: lark.LoggerLevel.fatal }).register<{
    'card.action.trigger': (d: Seen) => Promise<unknown>;
  }>({
    'im.message.receive_v1': async (d) => {
      seen.push(d as unknown as Seen);
      return { handled: 'message' };
    },
    'card.action.trigger': async (d) => {
      seen.push(d);
      return { toast: { type: 'success', content: '已通过' } };
    },
  });
}

describe('Feishu event helpers against the SDK EventDispatcher + adaptDefault', () => {
  const seen: Seen[] = [];
  let server: http.Server;
  let url: string;

  beforeAll(async () => {
    const handle = lark.adaptDefault('/webhook/feishu', dispatcher(seen), { autoChallenge: true });
    server = http.createServer((req, res) => void handle(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/feishu`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  beforeEach(() => {
    seen.length = 0;
  });

  it('delivers an encrypted, signed group message the SDK decrypts and dispatches', async () => {
    const event = messageReceiveEvent(CTX, {
      chatId: CHAT,
      chatType: 'group',
      senderOpenId: USER,
      text: '@_user_1 /查询 张三',
      mentions: [{ openId: 'ou_bot', name: '救助核查' }],
    });
    const res = await postToWebhook(url, event, { encryptKey: ENCRYPT_KEY });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ handled: 'message' });
    expect(seen).toHaveLength(1);
    const d = seen[0] as {
      event_id: string;
      app_id: string;
      token: string;
      sender: { sender_id: { open_id: string } };
      message: { chat_id: string; chat_type: string; content: string; message_id: string; mentions: Array<{ key: string }> };
    };
    expect(d.event_id).toBe(event.header.event_id);
    expect(d.app_id).toBe(CTX.appId);
    expect(d.token).toBe(CTX.verificationToken);
    expect(d.sender.sender_id.open_id).toBe(USER);
    expect(d.message).toMatchObject({ chat_id: CHAT, chat_type: 'group', message_id: event.event.message.message_id });
    expect(JSON.parse(d.message.content)).toEqual({ text: '@_user_1 /查询 张三' });
    expect(d.message.mentions[0]!.key).toBe('@_user_1');
  });

  it('delivers a p2p message', async () => {
    const event = messageReceiveEvent(CTX, { chatId: 'oc_p2p', chatType: 'p2p', senderOpenId: USER, text: '你好' });
    const res = await postToWebhook(url, event, { encryptKey: ENCRYPT_KEY });
    expect(res.status).toBe(200);
    expect((seen[0] as { message: { chat_type: string } }).message.chat_type).toBe('p2p');
  });

  it('delivers a card action; the handler return value is the HTTP answer', async () => {
    const event = cardActionEvent(CTX, {
      operatorOpenId: USER,
      openMessageId: 'om_card',
      openChatId: CHAT,
      token: 'c-token-1',
      value: { action: 'approve', case: 'C-1' },
      formValue: { remark: '同意' },
    });
    const res = await postToWebhook(url, event, { encryptKey: ENCRYPT_KEY });
    expect(res.json).toEqual({ toast: { type: 'success', content: '已通过' } });
    expect(seen[0]).toMatchObject({
      event_id: event.header.event_id,
      operator: { open_id: USER },
      token: 'c-token-1',
      action: { value: { action: 'approve', case: 'C-1' }, form_value: { remark: '同意' } },
      context: { open_message_id: 'om_card', open_chat_id: CHAT },
    });
  });

  it('answers the url_verification challenge, plain and encrypted', async () => {
    const plain = await postToWebhook(url, urlVerification(CTX, 'challenge-plain'));
    expect(plain.json).toEqual({ challenge: 'challenge-plain' });
    const encrypted = await postToWebhook(url, urlVerification(CTX, 'challenge-enc'), { encryptKey: ENCRYPT_KEY });
    expect(encrypted.json).toEqual({ challenge: 'challenge-enc' });
    expect(seen).toHaveLength(0);
  });

  it.each(['signature', 'missing-signature', 'body', 'timestamp'] as const)('a request with tamper=%s is not dispatched', async (tamper) => {
    const event = messageReceiveEvent(CTX, { chatId: CHAT, chatType: 'group', senderOpenId: USER, text: 'x' });
    const res = await postToWebhook(url, event, { encryptKey: ENCRYPT_KEY, tamper });
    // The SDK adapter answers 200 with an empty body and skips the handler (tech-notes section 2).
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    expect(seen).toHaveLength(0);
  });
});

describe('Feishu event helpers: crypto and signature details', () => {
  it('encrypts as AES-256-CBC with key = SHA-256(encryptKey) and the IV prefixed', () => {
    const payload = { schema: '2.0', header: { event_type: 'x' } };
    const enc = encryptPayload(payload, ENCRYPT_KEY, Buffer.alloc(16, 7));
    expect(Buffer.from(enc, 'base64').subarray(0, 16)).toEqual(Buffer.alloc(16, 7));
    expect(JSON.parse(decryptPayload(enc, ENCRYPT_KEY))).toEqual(payload);
    expect(() => decryptPayload(enc, 'another key')).toThrow();
    expect(encryptPayload(payload, ENCRYPT_KEY)).not.toBe(encryptPayload(payload, ENCRYPT_KEY)); // random IV
  });

  it('signs the exact body string with timestamp + nonce + encryptKey', () => {
    const { body, headers } = buildWebhookRequest({ a: 1 }, { encryptKey: ENCRYPT_KEY, timestamp: 1700000000, nonce: 'n-1' });
    expect(headers['x-lark-request-timestamp']).toBe('1700000000');
    expect(headers['x-lark-request-nonce']).toBe('n-1');
    expect(headers['x-lark-signature']).toBe(signBody('1700000000', 'n-1', ENCRYPT_KEY, body));
    expect(Object.keys(JSON.parse(body))).toEqual(['encrypt']);
  });

  it('without an encrypt key the event goes plaintext and unsigned, and the SDK (without a key) accepts it', async () => {
    const seen: Seen[] = [];
    const d = dispatcher(seen, null);
    const event = messageReceiveEvent(CTX, { chatId: CHAT, chatType: 'group', senderOpenId: USER, text: 'plain' });
    const { body, headers } = buildWebhookRequest(event);
    expect(headers['x-lark-signature']).toBeUndefined();
    await d.invoke(Object.assign(Object.create({ headers }), JSON.parse(body)));
    expect(seen).toHaveLength(1);
  });

  it('a body encrypted with another key but signed correctly passes the signature and fails decryption', async () => {
    // Through adaptDefault this would crash the process (tech-notes section 7), so invoke directly.
    const seen: Seen[] = [];
    const d = dispatcher(seen);
    const event = messageReceiveEvent(CTX, { chatId: CHAT, chatType: 'group', senderOpenId: USER, text: 'x' });
    const { body, headers } = buildWebhookRequest(event, { encryptKey: ENCRYPT_KEY, tamper: 'wrong-key' });
    const result = await d.invoke(Object.assign(Object.create({ headers }), JSON.parse(body)));
    expect(result).toBe('no undefined event handle');
    expect(seen).toHaveLength(0);
  });

  it('a stale timestamp is signed validly (receivers must check freshness themselves)', async () => {
    const seen: Seen[] = [];
    const d = dispatcher(seen);
    const event = messageReceiveEvent(CTX, { chatId: CHAT, chatType: 'group', senderOpenId: USER, text: 'old' });
    const { body, headers } = buildWebhookRequest(event, { encryptKey: ENCRYPT_KEY, timestamp: Math.floor(Date.now() / 1000) - 3600 });
    await d.invoke(Object.assign(Object.create({ headers }), JSON.parse(body)));
    expect(seen).toHaveLength(1); // the SDK has no freshness check
  });
});
