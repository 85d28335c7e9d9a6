// Acting as Feishu towards OUR webhook: build schema-2.0 events and card
// callbacks, encrypt them as Feishu does (AES-256-CBC, key = SHA-256(encryptKey),
// random 16-byte IV prefixed, base64 → {"encrypt": "..."}), sign them
// (X-Lark-Signature = hex(sha256(timestamp + nonce + encryptKey + body)) over the
// exact body string sent) and POST them.
import crypto from 'node:crypto';

/** What every event carries about the app it is for. */
export interface FeishuAppContext {
  appId: string;
  /** The app's Verification Token; Feishu puts it in header.token. */
  verificationToken: string;
  tenantKey?: string;
}

export interface FeishuEventHeader {
  event_id: string;
  event_type: string;
  /** Milliseconds since the epoch, as a string. */
  create_time: string;
  token: string;
  app_id: string;
  tenant_key: string;
}

export interface FeishuEvent<E = Record<string, unknown>> {
  schema: '2.0';
  header: FeishuEventHeader;
  event: E;
}

export interface FeishuUserId {
  open_id: string;
  union_id?: string;
  user_id?: string;
}

export interface FeishuMention {
  key: string;
  id: FeishuUserId;
  name: string;
  tenant_key: string;
}

export interface MessageReceiveEventBody {
  sender: { sender_id: FeishuUserId; sender_type: 'user'; tenant_key: string };
  message: {
    message_id: string;
    root_id?: string;
    parent_id?: string;
    create_time: string;
    update_time: string;
    chat_id: string;
    thread_id?: string;
    chat_type: 'group' | 'p2p';
    message_type: string;
    content: string;
    mentions?: FeishuMention[];
    user_agent?: string;
  };
}

export interface CardActionEventBody {
  operator: { tenant_key: string; open_id: string; union_id?: string; user_id?: string };
  token: string;
  action: {
    tag: string;
    value?: Record<string, unknown>;
    form_value?: Record<string, unknown>;
    name?: string;
    option?: string;
    input_value?: string;
    checked?: boolean;
    timezone?: string;
  };
  host: string;
  delivery_type?: string;
  context: { open_message_id: string; open_chat_id: string; url?: string; preview_token?: string };
}

export interface UrlVerification {
  type: 'url_verification';
  challenge: string;
  token: string;
}

const hex = (bytes: number) => crypto.randomBytes(bytes).toString('hex');
const tenantOf = (ctx: FeishuAppContext) => ctx.tenantKey ?? crypto.createHash('sha256').update(`tenant:${ctx.appId}`).digest('hex').slice(0, 16);

function header(ctx: FeishuAppContext, eventType: string, opts: { eventId?: string; createTime?: number }): FeishuEventHeader {
  return {
    event_id: opts.eventId ?? hex(16),
    event_type: eventType,
    create_time: String(opts.createTime ?? Date.now()),
    token: ctx.verificationToken,
    app_id: ctx.appId,
    tenant_key: tenantOf(ctx),
  };
}

export interface MessageReceiveInput {
  chatId: string;
  chatType: 'group' | 'p2p';
  senderOpenId: string;
  senderUnionId?: string;
  senderUserId?: string;
  /** Text as the user typed it; mentions appear in it as their keys (@_user_1). */
  text: string;
  messageId?: string;
  mentions?: Array<{ key?: string; openId: string; name: string }>;
  parentId?: string;
  rootId?: string;
  threadId?: string;
  eventId?: string;
  /** Event and message time in ms (default now). */
  createTime?: number;
}

/** `im.message.receive_v1`: a text message a user sent to a group (with the bot in it) or to the bot in p2p. */
export function messageReceiveEvent(ctx: FeishuAppContext, input: MessageReceiveInput): FeishuEvent<MessageReceiveEventBody> {
  const created = String(input.createTime ?? Date.now());
  const tenant = tenantOf(ctx);
  return {
    schema: '2.0',
    header: header(ctx, 'im.message.receive_v1', input),
    event: {
      sender: {
        sender_id: {
          open_id: input.senderOpenId,
          ...(input.senderUnionId ? { union_id: input.senderUnionId } : {}),
          ...(input.senderUserId ? { user_id: input.senderUserId } : {}),
        },
        sender_type: 'user',
        tenant_key: tenant,
      },
      message: {
        message_id: input.messageId ?? `om_${hex(16)}`,
        ...(input.rootId ? { root_id: input.rootId } : {}),
        ...(input.parentId ? { parent_id: input.parentId } : {}),
        create_time: created,
        update_time: created,
        chat_id: input.chatId,
        ...(input.threadId ? { thread_id: input.threadId } : {}),
        chat_type: input.chatType,
        message_type: 'text',
        content: JSON.stringify({ text: input.text }),
        ...(input.mentions?.length
          ? {
              mentions: input.mentions.map((m, i) => ({
                key: m.key ?? `@_user_${i + 1}`,
                id: { open_id: m.openId },
                name: m.name,
                tenant_key: tenant,
              })),
            }
          : {}),
      },
    },
  };
}

export interface CardActionInput {
  operatorOpenId: string;
  operatorUnionId?: string;
  operatorUserId?: string;
  /** The callback token (use FakeFeishu.issueCardToken to get one the fake accepts). */
  token?: string;
  openMessageId: string;
  openChatId: string;
  value?: Record<string, unknown>;
  formValue?: Record<string, unknown>;
  tag?: string;
  name?: string;
  eventId?: string;
  createTime?: number;
}

/** `card.action.trigger`: a user clicked a button (or submitted a form) on a card. */
export function cardActionEvent(ctx: FeishuAppContext, input: CardActionInput): FeishuEvent<CardActionEventBody> {
  return {
    schema: '2.0',
    header: header(ctx, 'card.action.trigger', input),
    event: {
      operator: {
        tenant_key: tenantOf(ctx),
        open_id: input.operatorOpenId,
        ...(input.operatorUnionId ? { union_id: input.operatorUnionId } : {}),
        ...(input.operatorUserId ? { user_id: input.operatorUserId } : {}),
      },
      token: input.token ?? `c-${hex(20)}`,
      action: {
        tag: input.tag ?? 'button',
        ...(input.value ? { value: input.value } : {}),
        ...(input.formValue ? { form_value: input.formValue } : {}),
        ...(input.name ? { name: input.name } : {}),
      },
      host: 'im_message',
      context: { open_message_id: input.openMessageId, open_chat_id: input.openChatId },
    },
  };
}

/** The challenge Feishu sends when the webhook URL is configured; the answer must echo `challenge`. */
export function urlVerification(ctx: Pick<FeishuAppContext, 'verificationToken'>, challenge = hex(16)): UrlVerification {
  return { type: 'url_verification', challenge, token: ctx.verificationToken };
}

/** The value of the `encrypt` field for a payload (object or exact JSON string). */
export function encryptPayload(payload: unknown, encryptKey: string, iv: Buffer = crypto.randomBytes(16)): string {
  const plain = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const key = crypto.createHash('sha256').update(encryptKey).digest();
  const cipher = crypto.createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final()]).toString('base64');
}

/** Inverse of encryptPayload (what a receiver does). */
export function decryptPayload(encrypt: string, encryptKey: string): string {
  const buf = Buffer.from(encrypt, 'base64');
  const key = crypto.createHash('sha256').update(encryptKey).digest();
  const decipher = crypto.createDecipheriv('aes-256-cbc', key, buf.subarray(0, 16));
  return Buffer.concat([decipher.update(buf.subarray(16)), decipher.final()]).toString('utf8');
}

/** X-Lark-Signature over the exact body string sent. */
export function signBody(timestamp: string, nonce: string, encryptKey: string, body: string): string {
  return crypto.createHash('sha256').update(timestamp + nonce + encryptKey + body).digest('hex');
}

export type FeishuTamper =
  /** A signature that does not match. */
  | 'signature'
  /** No X-Lark-Signature header. */
  | 'missing-signature'
  /** The body changed after signing. */
  | 'body'
  /** The timestamp header changed after signing. */
  | 'timestamp'
  /** Encrypted with another key, but signed correctly with the right one. */
  | 'wrong-key';

export interface WebhookRequestOptions {
  /** The app's Encrypt Key. Without it the event goes in plaintext and unsigned, as Feishu does then. */
  encryptKey?: string;
  /** Encrypt the body (default: true when encryptKey is given). */
  encrypt?: boolean;
  /** X-Lark-Request-Timestamp in seconds (default now). */
  timestamp?: number | string;
  nonce?: string;
  tamper?: FeishuTamper;
  /** Extra headers (override the computed ones). */
  headers?: Record<string, string>;
}

export interface WebhookRequest {
  body: string;
  headers: Record<string, string>;
}

/** Builds the exact body and headers Feishu would POST for a payload. */
export function buildWebhookRequest(payload: unknown, opts: WebhookRequestOptions = {}): WebhookRequest {
  const key = opts.encryptKey;
  const encrypt = opts.encrypt ?? key !== undefined;
  if (encrypt && !key) throw new Error('buildWebhookRequest: encrypt needs encryptKey');
  const encryptWith = opts.tamper === 'wrong-key' ? `${key}-wrong` : key;
  let body = encrypt ? JSON.stringify({ encrypt: encryptPayload(payload, encryptWith!) }) : JSON.stringify(payload);
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'user-agent': 'Go-http-client/1.1',
  };
  if (key) {
    const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
    const nonce = opts.nonce ?? hex(8);
    let signature = signBody(timestamp, nonce, key, body);
    if (opts.tamper === 'signature') signature = signature.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    headers['x-lark-request-timestamp'] = opts.tamper === 'timestamp' ? String(Number(timestamp) + 1) : timestamp;
    headers['x-lark-request-nonce'] = nonce;
    if (opts.tamper !== 'missing-signature') headers['x-lark-signature'] = signature;
  }
  if (opts.tamper === 'body') {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    body = JSON.stringify({ ...parsed, tampered: true });
  }
  return { body, headers: { ...headers, ...opts.headers } };
}

export interface WebhookResponse {
  status: number;
  headers: Record<string, string>;
  /** Response body as text. */
  body: string;
  /** Response body parsed as JSON, when it is JSON. */
  json?: unknown;
}

/** POSTs a payload to a webhook URL as Feishu would, and returns what the webhook answered. */
export async function postToWebhook(url: string, payload: unknown, opts: WebhookRequestOptions & { timeoutMs?: number } = {}): Promise<WebhookResponse> {
  const { body, headers } = buildWebhookRequest(payload, opts);
  const res = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(opts.timeoutMs ?? 40_000) });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: Object.fromEntries(res.headers), body: text, json };
}
