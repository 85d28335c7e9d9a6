// A fake of the Feishu (Lark) open API on loopback HTTP, answering the way the
// real service does, for the calls this product makes: tenant token, send,
// reply, card patch, delayed card update, file upload (im/v1/files) and file
// messages (msg_type file, which must name a file_key this app uploaded). Point the SDK at it with
// `new lark.Client({ appId, appSecret, domain: fake.url })`.
//
// Sources of the shapes and codes (see the report that came with this file):
// - [doc]  Feishu open-platform docs (message create/reply/patch, delayed card
//          update, rate limits: 99991400 + HTTP 429 + x-ogw-ratelimit-* headers).
// - [seen] Answers the real service gave to credential-less probes: the token
//          endpoint answers HTTP 200 with code 10003 "invalid param" for an
//          unknown app and 10014 "app secret invalid" for a wrong secret; a
//          missing or non-Bearer Authorization gets HTTP 400 code 99991661,
//          an unknown tenant token HTTP 400 code 99991663; an unknown path or a
//          wrong method gets a text/plain "404 page not found".
// - [approx] The fake's best guess where no source gave the exact answer;
//          marked at each use.
import crypto from 'node:crypto';
import {
  FakeClock,
  parseMultipart,
  SlidingWindow,
  startLoopbackServer,
  type FailureSpec,
  type RecordedRequest,
  type RouteResult,
} from './http-kit.js';

export type { FailureSpec, RecordedRequest } from './http-kit.js';

export interface FakeFeishuApp {
  appId: string;
  appSecret: string;
  /** tenant_key reported on messages (default derived from appId). */
  tenantKey?: string;
}

export interface FeishuRateLimit {
  /** Sends and replies to one chat or user per second (default 5 [doc]). */
  perChatPerSecond?: number;
  /** Calls of one API by one app per second (default 50 [doc]). */
  perAppPerSecond?: number;
  /** Calls of one API by one app per minute (default 1000 [doc]). */
  perAppPerMinute?: number;
  /** Patches of one message per second (default 5 [doc]). */
  perMessageUpdatePerSecond?: number;
}

export interface FakeFeishuOptions {
  apps: FakeFeishuApp[];
  /** Rate limits; `false` turns them off. Defaults are the documented limits. */
  rateLimit?: FeishuRateLimit | false;
  /** When given, sending to a chat_id not in this list fails with 230002 (bot not in chat). */
  knownChats?: string[];
  /** Base clock (default Date.now); `advanceTime` moves the fake's clock past it. */
  now?: () => number;
  /** Lifetime of a tenant_access_token in seconds (default 7200 [doc]). */
  tokenTtlSeconds?: number;
}

export type ReceiveIdType = 'open_id' | 'user_id' | 'union_id' | 'email' | 'chat_id';

/** A file uploaded through im/v1/files, with the bytes as received. */
export interface FakeFeishuFile {
  file_key: string;
  appId: string;
  file_type: string;
  file_name: string;
  bytes: Buffer;
  uploadedAt: number;
}

/** A message in the fake's chat state, with its current content. */
export interface FakeFeishuMessage {
  message_id: string;
  chat_id: string;
  chat_type: 'p2p' | 'group';
  msg_type: string;
  /** Current content (JSON string), after patches and card updates. */
  content: string;
  /** Every content this message has had, oldest first. */
  contentHistory: string[];
  /** Current card object for interactive messages. */
  card?: Record<string, unknown>;
  /** The uploaded file a `file` message sends. */
  file?: FakeFeishuFile;
  /** The app that sent it, or undefined for a user's message added by the test. */
  appId?: string;
  sender: { id: string; id_type: 'app_id' | 'open_id'; sender_type: 'app' | 'user'; tenant_key: string };
  receive_id?: string;
  receive_id_type?: ReceiveIdType;
  uuid?: string;
  parent_id?: string;
  root_id?: string;
  thread_id?: string;
  create_time: string;
  update_time: string;
  updated: boolean;
  deleted: boolean;
}

export interface FakeFeishu {
  /** Base URL to pass as the SDK's `domain`. */
  url: string;
  close(): Promise<void>;
  /** Every request, in arrival order, with what was answered. */
  requests: RecordedRequest[];
  /** Every message, in creation order. */
  messages: FakeFeishuMessage[];
  /** Messages per chat_id, in creation order. */
  chats: Map<string, FakeFeishuMessage[]>;
  message(messageId: string): FakeFeishuMessage | undefined;
  messagesIn(chatId: string): FakeFeishuMessage[];
  /** Files uploaded, by file_key, in upload order. */
  files: Map<string, FakeFeishuFile>;
  /** Requests to the token endpoint (all apps, or one). */
  tokenRequests(appId?: string): number;
  /** Tokens issued so far and still valid (all apps, or one). */
  validTokens(appId?: string): string[];
  /** Makes every issued token of the app (or all apps) invalid, as if it expired. */
  expireTokens(appId?: string): void;
  /** Moves the fake clock forward (token expiry, uuid window, card tokens, rate windows). */
  advanceTime(ms: number): void;
  now(): number;
  /** The next `count` matching requests fail as specified (default HTTP 500). */
  failNext(count: number, spec?: FailureSpec): void;
  clearFailures(): void;
  /** Records a message a user sent (so the bot can reply to it); returns it. */
  addUserMessage(input: { chatId: string; chatType?: 'p2p' | 'group'; senderOpenId: string; text: string; messageId?: string }): FakeFeishuMessage;
  /** Issues a card-callback token (what `card.action.trigger` carries) for a message the app sent. */
  issueCardToken(messageId: string): string;
  /** The chat_id the fake gives the p2p chat between an app and a user. */
  p2pChatId(appId: string, receiveIdType: Exclude<ReceiveIdType, 'chat_id'>, receiveId: string): string;
  /** Clears requests, messages, tokens, uuids and rate windows (apps stay). */
  reset(): void;
}

/** Codes and texts the fake answers with. */
export const FEISHU = {
  OK_TOKEN: { code: 0, msg: 'ok' },
  INVALID_PARAM: { code: 10003, msg: 'invalid param' }, // [seen]
  APP_SECRET_INVALID: { code: 10014, msg: 'app secret invalid' }, // [seen]
  MISSING_TOKEN: { code: 99991661, msg: 'Missing access token for authorization. Please make a request with token attached.' }, // [seen]
  INVALID_TOKEN: { code: 99991663, msg: 'Invalid access token for authorization. Please make a request with token attached.' }, // [seen]
  RATE_LIMITED: { code: 99991400, msg: 'request trigger frequency limit' }, // [doc] HTTP 429
  FIELD_VALIDATION: { code: 99992402, msg: 'field validation failed' }, // [approx]
  INVALID_REQUEST: { code: 230001, msg: 'Your request contains an invalid request parameter.' }, // [doc]
  BOT_NOT_IN_CHAT: { code: 230002, msg: 'Bot/User can NOT be out of the chat.' }, // [doc]
  MESSAGE_RECALLED: { code: 230011, msg: 'The message is recalled.' }, // [doc]
  NOT_SENDER: { code: 230012, msg: 'Bot is NOT the sender of the message.' }, // [doc]
  CHAT_RATE_LIMITED: { code: 230020, msg: 'This operation triggers the frequency limit.' }, // [doc] HTTP 400
  CONTENT_TOO_LONG: { code: 230025, msg: 'The length of the message content reaches its limit.' }, // [doc]
  TOO_OLD_TO_EDIT: { code: 230031, msg: 'Message can only be modified within 14 days after sending.' }, // [doc]
  CARD_INVALID: { code: 230099, msg: 'Failed to create card content.' }, // [doc]
  CARD_TOKEN_INVALID: { code: 200810, msg: 'card token is invalid or expired' }, // [approx] no source gave this code
  FILE_INVALID_PARAM: { code: 234001, msg: 'Invalid request param.' }, // [doc] im/v1/files
  FILE_TOO_BIG: { code: 234006, msg: 'The file size exceed the max value.' }, // [doc] 30 MB
  FILE_EMPTY: { code: 234010, msg: "File's size can't be 0." }, // [doc]
} as const;

/** file_type values im/v1/files accepts [doc]. */
export const FEISHU_FILE_TYPES = ['opus', 'mp4', 'pdf', 'doc', 'xls', 'ppt', 'stream'] as const;
export const FEISHU_FILE_LIMIT_BYTES = 30 * 1024 * 1024; // [doc]

const RECEIVE_ID_TYPES: ReceiveIdType[] = ['open_id', 'user_id', 'union_id', 'email', 'chat_id'];
const MSG_TYPES = ['text', 'post', 'image', 'file', 'audio', 'media', 'sticker', 'interactive', 'share_chat', 'share_user', 'system'];
const TEXT_LIMIT_BYTES = 150 * 1024; // [doc]
const CARD_LIMIT_BYTES = 30 * 1024; // [doc] cards and rich text
const UUID_WINDOW_MS = 60 * 60 * 1000; // [doc] same uuid: at most one message per hour
const CARD_TOKEN_TTL_MS = 30 * 60 * 1000; // [doc]
const CARD_TOKEN_MAX_USES = 2; // [doc] (Feishu docs say 2; the Lark docs say 3)
const EDIT_WINDOW_MS = 14 * 24 * 60 * 60 * 1000; // [doc]
const TOKEN_REUSE_THRESHOLD_S = 30 * 60; // [doc] a new token is issued when < 30 min remain

const hex = (bytes: number) => crypto.randomBytes(bytes).toString('hex');
const digest = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

/** Checks card JSON the way message send/patch needs it. Returns an error text, or undefined if it is a card. */
export function validateCard(card: unknown): string | undefined {
  if (typeof card !== 'object' || card === null || Array.isArray(card)) return 'card must be a JSON object';
  const c = card as Record<string, unknown>;
  // A card built elsewhere and referenced: template or CardKit card entity.
  if (c.type === 'template') {
    const data = c.data as Record<string, unknown> | undefined;
    return typeof data?.template_id === 'string' ? undefined : 'template card needs data.template_id';
  }
  if (c.type === 'card') {
    const data = c.data as Record<string, unknown> | undefined;
    return typeof data?.card_id === 'string' ? undefined : 'card entity reference needs data.card_id';
  }
  if (c.schema !== undefined) {
    if (c.schema !== '2.0') return `unsupported card schema ${JSON.stringify(c.schema)}`;
    const body = c.body as Record<string, unknown> | undefined;
    if (typeof body !== 'object' || body === null || !Array.isArray(body.elements)) return 'card JSON 2.0 needs body.elements (an array)';
    if ('elements' in c) return 'card JSON 2.0 puts elements under body, not at the top level';
    const config = c.config as Record<string, unknown> | undefined;
    if (config?.update_multi === false) return 'card JSON 2.0 supports only update_multi: true';
    return checkElements(body.elements as unknown[]) ?? checkForms(body.elements as unknown[]);
  }
  // JSON 1.0
  if (Array.isArray(c.elements)) return checkElements(c.elements);
  if (typeof c.i18n_elements === 'object' && c.i18n_elements !== null) return undefined;
  return 'not a card: expected {schema:"2.0", body:{elements}} or a 1.0 card with elements';
}

function checkElements(elements: unknown[]): string | undefined {
  for (const [i, el] of elements.entries()) {
    if (typeof el !== 'object' || el === null || typeof (el as { tag?: unknown }).tag !== 'string') {
      return `element ${i} has no tag`;
    }
  }
  return undefined;
}

/** Interactive components that submit a value inside a form container (2.0). */
const FORM_INPUT_TAGS = new Set(['input', 'select_static', 'multi_select_static', 'select_person', 'multi_select_person', 'date_picker', 'picker_time', 'picker_datetime', 'checker']);

type CardElement = Record<string, unknown> & { tag: string };

/** Every element under `el` (children of containers: elements, columns). */
function descendants(el: CardElement): CardElement[] {
  const kids: CardElement[] = [];
  for (const key of ['elements', 'columns']) {
    const v = el[key];
    if (Array.isArray(v)) for (const k of v) if (typeof k === 'object' && k !== null) kids.push(k as CardElement, ...descendants(k as CardElement));
  }
  return kids;
}

/**
 * Form containers as Feishu checks them (card JSON 2.0 form container): only at
 * the body root, never nested in a form or holding a table; a name on the form
 * and on every interactive component in it, unique in the card; at least one
 * button with form_action_type 'submit' inside it; form_action_type only inside a form.
 */
function checkForms(elements: unknown[]): string | undefined {
  const root = elements as CardElement[];
  const names = new Set<string>();
  const all = root.flatMap((e) => [e, ...descendants(e)]);
  for (const e of all) {
    if (typeof e.name !== 'string') continue;
    if (names.has(e.name)) return `component name ${JSON.stringify(e.name)} is not unique in the card`;
    names.add(e.name);
  }
  for (const e of root) for (const d of descendants(e)) if (d.tag === 'form') return 'a form container must sit at the card body root';
  for (const e of root) {
    const inForm = e.tag === 'form' ? descendants(e) : [];
    if (e.tag !== 'form') {
      for (const d of [e, ...descendants(e)]) if (d.form_action_type !== undefined) return 'form_action_type is only allowed inside a form container';
      continue;
    }
    if (typeof e.name !== 'string' || !e.name) return 'a form container needs a name';
    if (inForm.some((d) => d.tag === 'table')) return 'a form container cannot hold a table';
    for (const d of inForm) {
      if ((FORM_INPUT_TAGS.has(d.tag) || d.tag === 'button') && (typeof d.name !== 'string' || !d.name)) return `${d.tag} in a form container needs a name`;
      if (d.form_action_type !== undefined && d.form_action_type !== 'submit' && d.form_action_type !== 'reset') return `unknown form_action_type ${JSON.stringify(d.form_action_type)}`;
      if (d.tag === 'select_static' && !Array.isArray(d.options)) return 'select_static needs options';
    }
    if (!inForm.some((d) => d.tag === 'button' && d.form_action_type === 'submit')) return 'a form container needs a button with form_action_type "submit"';
  }
  return undefined;
}

/**
 * What Feishu calls back when a person fills a card's form container and presses
 * its submit button: `action.name` (the button's), `action.form_value` with every
 * input of that form (a date picker as "YYYY-MM-DD +0800", an empty optional input
 * as ""). A required input left empty is stopped in the client: no callback (null).
 */
export function formSubmission(card: Record<string, unknown>, values: Record<string, string>, submitName?: string): { name: string; formValue: Record<string, string> } | null {
  const body = card.body as { elements: CardElement[] } | undefined;
  for (const form of (body?.elements ?? []).filter((e) => e.tag === 'form')) {
    const inside = descendants(form);
    const submit = inside.find((d) => d.tag === 'button' && d.form_action_type === 'submit' && (submitName === undefined || d.name === submitName));
    if (!submit) continue;
    const formValue: Record<string, string> = {};
    for (const d of inside.filter((x) => FORM_INPUT_TAGS.has(x.tag))) {
      const name = d.name as string;
      const v = values[name] ?? (d.tag === 'select_static' ? ((d.initial_option as string | undefined) ?? '') : d.tag === 'date_picker' ? ((d.initial_date as string | undefined) ?? '') : ((d.default_value as string | undefined) ?? ''));
      if (d.required === true && v === '') return null;
      if (d.tag === 'select_static' && v !== '' && !(d.options as Array<{ value: string }>).some((o) => o.value === v)) throw new Error(`${v} is not an option of ${name}`);
      if (d.tag === 'date_picker' && v !== '' && !/^\d{4}-\d{2}-\d{2}$/.test(v)) throw new Error(`a date picker gives a date, not ${JSON.stringify(v)}`);
      formValue[name] = d.tag === 'date_picker' && v ? `${v} +0800` : v;
    }
    for (const k of Object.keys(values)) if (!(k in formValue)) throw new Error(`the form has no input named ${k}`);
    return { name: submit.name as string, formValue };
  }
  throw new Error('the card has no form container with a submit button');
}

interface TokenRecord {
  appId: string;
  expiresAt: number;
  revoked: boolean;
}

interface CardToken {
  messageId: string;
  appId: string;
  issuedAt: number;
  uses: number;
}

export async function startFakeFeishu(options: FakeFeishuOptions): Promise<FakeFeishu> {
  if (options.apps.length === 0) throw new Error('startFakeFeishu needs at least one app');
  const clock = new FakeClock(options.now);
  const apps = new Map(options.apps.map((a) => [a.appId, { ...a, tenantKey: a.tenantKey ?? digest(`tenant:${a.appId}`).slice(0, 16) }]));
  const tokenTtl = options.tokenTtlSeconds ?? 7200;
  const knownChats = options.knownChats ? new Set(options.knownChats) : undefined;
  const limits = options.rateLimit === false ? undefined : { perChatPerSecond: 5, perAppPerSecond: 50, perAppPerMinute: 1000, perMessageUpdatePerSecond: 5, ...options.rateLimit };
  const chatWindow = limits && new SlidingWindow(limits.perChatPerSecond, 1000);
  const appSecondWindow = limits && new SlidingWindow(limits.perAppPerSecond, 1000);
  const appMinuteWindow = limits && new SlidingWindow(limits.perAppPerMinute, 60_000);
  const updateWindow = limits && new SlidingWindow(limits.perMessageUpdatePerSecond, 1000);

  const tokens = new Map<string, TokenRecord>();
  const tokenRequestCount = new Map<string, number>();
  const messages: FakeFeishuMessage[] = [];
  const byId = new Map<string, FakeFeishuMessage>();
  const chats = new Map<string, FakeFeishuMessage[]>();
  const uuids = new Map<string, { messageId: string; at: number }>();
  const cardTokens = new Map<string, CardToken>();
  const files = new Map<string, FakeFeishuFile>();

  const ok = (data: unknown): RouteResult => ({ status: 200, body: { code: 0, msg: 'success', data } });
  const fail = (status: number, err: { code: number; msg: string }, extra?: string, more?: Record<string, unknown>): RouteResult => {
    const logId = `${new Date(clock.now()).toISOString().replace(/\D/g, '').slice(0, 14)}${hex(8).toUpperCase()}`;
    return {
      status,
      body: {
        code: err.code,
        msg: extra ? `${err.msg} ${extra}` : err.msg,
        error: {
          log_id: logId,
          troubleshooter: `排查建议查看(Troubleshooting suggestions): https://open.feishu.cn/search?code=${err.code}&log_id=${logId}`,
          ...more,
        },
      },
    };
  };
  const fieldError = (field: string, description: string) =>
    fail(400, FEISHU.FIELD_VALIDATION, undefined, { field_violations: [{ field, description }] });
  const notFound: RouteResult = { status: 404, body: '404 page not found' }; // [seen]

  function p2pChatId(appId: string, type: string, id: string): string {
    return `oc_${digest(`p2p:${appId}:${type}:${id}`).slice(0, 32)}`;
  }

  function store(msg: FakeFeishuMessage): FakeFeishuMessage {
    messages.push(msg);
    byId.set(msg.message_id, msg);
    const list = chats.get(msg.chat_id) ?? [];
    list.push(msg);
    chats.set(msg.chat_id, list);
    return msg;
  }

  function view(m: FakeFeishuMessage) {
    return {
      message_id: m.message_id,
      ...(m.root_id ? { root_id: m.root_id } : {}),
      ...(m.parent_id ? { parent_id: m.parent_id } : {}),
      ...(m.thread_id ? { thread_id: m.thread_id } : {}),
      msg_type: m.msg_type,
      create_time: m.create_time,
      update_time: m.update_time,
      deleted: m.deleted,
      updated: m.updated,
      chat_id: m.chat_id,
      sender: m.sender,
      body: { content: m.content },
    };
  }

  /** Authorization: Bearer <tenant token>. Returns the app id or an error answer. */
  function authenticate(req: RecordedRequest): string | RouteResult {
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? /^Bearer (\S+)$/.exec(header) : null;
    if (!m) return fail(400, FEISHU.MISSING_TOKEN);
    const rec = tokens.get(m[1]!);
    if (!rec || rec.revoked || rec.expiresAt <= clock.now()) return fail(400, FEISHU.INVALID_TOKEN);
    return rec.appId;
  }

  function appRateLimit(appId: string, api: string): RouteResult | undefined {
    if (!appSecondWindow || !appMinuteWindow) return undefined;
    const key = `${appId}|${api}`;
    const now = clock.now();
    const waitS = appSecondWindow.hit(key, now);
    const waitM = waitS ? 0 : appMinuteWindow.hit(key, now);
    const wait = waitS || waitM;
    if (!wait) return undefined;
    const r = fail(429, FEISHU.RATE_LIMITED);
    r.headers = {
      'x-ogw-ratelimit-limit': String(waitS ? limits!.perAppPerSecond : limits!.perAppPerMinute),
      'x-ogw-ratelimit-reset': String(Math.max(1, Math.ceil(wait / 1000))),
    };
    return r;
  }

  /** Checks msg_type + content; returns the parsed card for interactive messages. */
  function checkContent(msgType: unknown, content: unknown): { card?: Record<string, unknown> } | RouteResult {
    if (typeof msgType !== 'string' || msgType === '') return fieldError('msg_type', 'msg_type is required');
    if (!MSG_TYPES.includes(msgType)) return fail(400, FEISHU.INVALID_REQUEST, `ext=invalid msg_type: ${msgType}`);
    if (typeof content !== 'string' || content === '') return fieldError('content', 'content is required (a JSON string)');
    const bytes = Buffer.byteLength(content);
    const limit = msgType === 'text' ? TEXT_LIMIT_BYTES : CARD_LIMIT_BYTES;
    if (bytes > limit) return fail(400, FEISHU.CONTENT_TOO_LONG, `ext=${bytes} bytes > ${limit}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(content);
    } catch {
      return msgType === 'interactive'
        ? fail(400, FEISHU.CARD_INVALID, 'ext=card content is not valid JSON')
        : fail(400, FEISHU.INVALID_REQUEST, 'ext=content is not valid JSON');
    }
    if (msgType === 'text') {
      const text = (parsed as { text?: unknown } | null)?.text;
      if (typeof text !== 'string' || text === '') return fail(400, FEISHU.INVALID_REQUEST, 'ext=text content needs {"text": "..."}');
      return {};
    }
    if (msgType === 'interactive') {
      const problem = validateCard(parsed);
      if (problem) return fail(400, FEISHU.CARD_INVALID, `ext=${problem}`);
      return { card: parsed as Record<string, unknown> };
    }
    return {};
  }

  function checkReceiveId(type: ReceiveIdType, id: string): string | undefined {
    const prefix: Partial<Record<ReceiveIdType, string>> = { open_id: 'ou_', chat_id: 'oc_', union_id: 'on_' };
    const p = prefix[type];
    if (p && !id.startsWith(p)) return `receive_id ${id} is not a valid ${type}`;
    if (type === 'email' && !/^[^@\s]+@[^@\s]+$/.test(id)) return `receive_id ${id} is not an email`;
    return undefined;
  }

  function newMessage(appId: string, fields: Pick<FakeFeishuMessage, 'chat_id' | 'chat_type' | 'msg_type' | 'content' | 'card'> & Partial<FakeFeishuMessage>): FakeFeishuMessage {
    const now = String(clock.now());
    const app = apps.get(appId)!;
    return store({
      message_id: `om_${hex(16)}`,
      contentHistory: [fields.content],
      appId,
      sender: { id: appId, id_type: 'app_id', sender_type: 'app', tenant_key: app.tenantKey },
      create_time: now,
      update_time: now,
      updated: false,
      deleted: false,
      ...fields,
    });
  }

  function dedupe(appId: string, uuid: unknown): FakeFeishuMessage | undefined | RouteResult {
    if (uuid === undefined || uuid === '') return undefined;
    if (typeof uuid !== 'string' || uuid.length > 50) return fieldError('uuid', 'uuid is a string of at most 50 characters');
    const seen = uuids.get(`${appId}|${uuid}`);
    if (seen && clock.now() - seen.at < UUID_WINDOW_MS) return byId.get(seen.messageId);
    return undefined;
  }

  function chatRateLimit(chatKey: string): RouteResult | undefined {
    if (!chatWindow) return undefined;
    return chatWindow.hit(chatKey, clock.now()) ? fail(400, FEISHU.CHAT_RATE_LIMITED) : undefined;
  }

  const isResult = (x: unknown): x is RouteResult => typeof x === 'object' && x !== null && 'status' in x && 'body' in x;

  function handleToken(req: RecordedRequest): RouteResult {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const appId = body.app_id;
    tokenRequestCount.set(String(appId), (tokenRequestCount.get(String(appId)) ?? 0) + 1);
    if (typeof appId !== 'string' || typeof body.app_secret !== 'string') return { status: 200, body: { ...FEISHU.INVALID_PARAM, data: {} } };
    const app = apps.get(appId);
    if (!app) return { status: 200, body: { ...FEISHU.INVALID_PARAM, data: {} } };
    if (app.appSecret !== body.app_secret) return { status: 200, body: { ...FEISHU.APP_SECRET_INVALID, data: {} } };
    const now = clock.now();
    // The same token comes back while more than 30 minutes remain. [doc]
    for (const [token, rec] of tokens) {
      const remaining = Math.floor((rec.expiresAt - now) / 1000);
      if (rec.appId === appId && !rec.revoked && remaining > TOKEN_REUSE_THRESHOLD_S) {
        return { status: 200, body: { ...FEISHU.OK_TOKEN, tenant_access_token: token, expire: remaining } };
      }
    }
    const token = `t-g${hex(19)}`;
    tokens.set(token, { appId, expiresAt: now + tokenTtl * 1000, revoked: false });
    return { status: 200, body: { ...FEISHU.OK_TOKEN, tenant_access_token: token, expire: tokenTtl } };
  }

  function handleCreate(req: RecordedRequest, appId: string): RouteResult {
    const type = req.query.receive_id_type as ReceiveIdType | undefined;
    if (!type) return fieldError('receive_id_type', 'receive_id_type is required');
    if (!RECEIVE_ID_TYPES.includes(type)) return fieldError('receive_id_type', `receive_id_type must be one of ${RECEIVE_ID_TYPES.join(', ')}`);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const receiveId = body.receive_id;
    if (typeof receiveId !== 'string' || receiveId === '') return fieldError('receive_id', 'receive_id is required');
    const dup = dedupe(appId, body.uuid);
    if (isResult(dup)) return dup;
    const content = checkContent(body.msg_type, body.content);
    if (isResult(content)) return content;
    const badId = checkReceiveId(type, receiveId);
    if (badId) return fail(400, FEISHU.INVALID_REQUEST, `ext=${badId}`);
    const file = fileOf(appId, body.msg_type, body.content);
    if (isResult(file)) return file;
    if (type === 'chat_id' && knownChats && !knownChats.has(receiveId)) return fail(400, FEISHU.BOT_NOT_IN_CHAT);
    if (dup) return ok(view(dup)); // Same uuid within an hour: the same message, nothing new is sent.
    const chatId = type === 'chat_id' ? receiveId : p2pChatId(appId, type, receiveId);
    const limited = chatRateLimit(chatId);
    if (limited) return limited;
    const msg = newMessage(appId, {
      chat_id: chatId,
      chat_type: type === 'chat_id' ? 'group' : 'p2p',
      msg_type: body.msg_type as string,
      content: body.content as string,
      card: content.card,
      ...(file ? { file } : {}),
      receive_id: receiveId,
      receive_id_type: type,
      ...(typeof body.uuid === 'string' && body.uuid ? { uuid: body.uuid } : {}),
    });
    if (msg.uuid) uuids.set(`${appId}|${msg.uuid}`, { messageId: msg.message_id, at: clock.now() });
    return ok(view(msg));
  }

  /** For msg_type file: the uploaded file its content names (a file_key of this app); else undefined. */
  function fileOf(appId: string, msgType: unknown, content: unknown): FakeFeishuFile | undefined | RouteResult {
    if (msgType !== 'file') return undefined;
    const key = (JSON.parse(content as string) as { file_key?: unknown } | null)?.file_key;
    if (typeof key !== 'string' || key === '') return fail(400, FEISHU.INVALID_REQUEST, 'ext=file content needs {"file_key": "..."}');
    const f = files.get(key);
    if (!f || f.appId !== appId) return fail(400, FEISHU.INVALID_REQUEST, `ext=invalid file_key ${key}`); // [approx] text
    return f;
  }

  /** POST im/v1/files: multipart file_type, file_name, file (≤ 30 MB, not empty) → file_key. */
  function handleUpload(req: RecordedRequest, appId: string): RouteResult {
    const parts = parseMultipart(req.rawBytes, req.headers['content-type']);
    if (!parts) return fail(400, FEISHU.FILE_INVALID_PARAM, 'ext=the body must be multipart/form-data');
    const field = (name: string) => parts.find((p) => p.name === name && p.filename === undefined)?.data.toString('utf8');
    const fileType = field('file_type');
    if (!fileType || !(FEISHU_FILE_TYPES as readonly string[]).includes(fileType)) return fail(400, FEISHU.FILE_INVALID_PARAM, `ext=file_type must be one of ${FEISHU_FILE_TYPES.join(', ')}`);
    const fileName = field('file_name');
    if (!fileName) return fail(400, FEISHU.FILE_INVALID_PARAM, 'ext=file_name is required');
    const part = parts.find((p) => p.name === 'file');
    if (!part) return fail(400, FEISHU.FILE_INVALID_PARAM, 'ext=file is required');
    if (part.data.length === 0) return fail(400, FEISHU.FILE_EMPTY);
    if (part.data.length > FEISHU_FILE_LIMIT_BYTES) return fail(400, FEISHU.FILE_TOO_BIG);
    const key = `file_v3_${hex(12)}`;
    files.set(key, { file_key: key, appId, file_type: fileType, file_name: fileName, bytes: Buffer.from(part.data), uploadedAt: clock.now() });
    return ok({ file_key: key });
  }

  function handleReply(req: RecordedRequest, appId: string, parentId: string): RouteResult {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parent = byId.get(parentId);
    if (!parent) return fail(400, FEISHU.INVALID_REQUEST, `ext=message_id ${parentId} not found`); // [approx] text
    if (parent.deleted) return fail(400, FEISHU.MESSAGE_RECALLED);
    const dup = dedupe(appId, body.uuid);
    if (isResult(dup)) return dup;
    const content = checkContent(body.msg_type, body.content);
    if (isResult(content)) return content;
    const file = fileOf(appId, body.msg_type, body.content);
    if (isResult(file)) return file;
    if (dup) return ok(view(dup));
    const limited = chatRateLimit(parent.chat_id);
    if (limited) return limited;
    const inThread = body.reply_in_thread === true;
    const msg = newMessage(appId, {
      chat_id: parent.chat_id,
      chat_type: parent.chat_type,
      msg_type: body.msg_type as string,
      content: body.content as string,
      card: content.card,
      ...(file ? { file } : {}),
      parent_id: parent.message_id,
      root_id: parent.root_id ?? parent.message_id,
      ...(inThread || parent.thread_id ? { thread_id: parent.thread_id ?? `omt_${hex(8)}` } : {}),
      ...(typeof body.uuid === 'string' && body.uuid ? { uuid: body.uuid } : {}),
    });
    if (msg.uuid) uuids.set(`${appId}|${msg.uuid}`, { messageId: msg.message_id, at: clock.now() });
    return ok(view(msg));
  }

  function applyCard(msg: FakeFeishuMessage, content: string, card: Record<string, unknown>): void {
    msg.content = content;
    msg.card = card;
    msg.contentHistory.push(content);
    msg.updated = true;
    msg.update_time = String(clock.now());
  }

  function handlePatch(req: RecordedRequest, appId: string, messageId: string): RouteResult {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const msg = byId.get(messageId);
    if (!msg) return fail(400, FEISHU.INVALID_REQUEST, `ext=message_id ${messageId} not found`); // [approx] text
    if (msg.deleted) return fail(400, FEISHU.MESSAGE_RECALLED);
    if (msg.appId !== appId) return fail(400, FEISHU.NOT_SENDER);
    if (msg.msg_type !== 'interactive') return fail(400, FEISHU.INVALID_REQUEST, 'ext=only interactive (card) messages can be patched');
    if (clock.now() - Number(msg.create_time) > EDIT_WINDOW_MS) return fail(400, FEISHU.TOO_OLD_TO_EDIT);
    const content = checkContent('interactive', body.content);
    if (isResult(content)) return content;
    if (updateWindow?.hit(messageId, clock.now())) return fail(400, FEISHU.CHAT_RATE_LIMITED);
    applyCard(msg, body.content as string, content.card!);
    return ok({});
  }

  function handleCardUpdate(req: RecordedRequest, appId: string): RouteResult {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body.token !== 'string' || body.token === '') return fieldError('token', 'token is required');
    if (typeof body.card !== 'object' || body.card === null) return fieldError('card', 'card is required (an object)');
    const t = cardTokens.get(body.token);
    if (!t || t.appId !== appId || clock.now() - t.issuedAt > CARD_TOKEN_TTL_MS || t.uses >= CARD_TOKEN_MAX_USES) {
      return fail(400, FEISHU.CARD_TOKEN_INVALID);
    }
    const problem = validateCard(body.card);
    if (problem) return fail(400, FEISHU.CARD_INVALID, `ext=${problem}`);
    const msg = byId.get(t.messageId);
    if (!msg || msg.deleted) return fail(400, FEISHU.MESSAGE_RECALLED);
    t.uses += 1;
    applyCard(msg, JSON.stringify(body.card), body.card as Record<string, unknown>);
    return ok({});
  }

  function handleGet(messageId: string): RouteResult {
    const msg = byId.get(messageId);
    if (!msg) return fail(400, FEISHU.INVALID_REQUEST, `ext=message_id ${messageId} not found`);
    return ok({ items: [view(msg)] });
  }

  const server = await startLoopbackServer({
    clock,
    maxBodyBytes: FEISHU_FILE_LIMIT_BYTES + 1024 * 1024, // room for the multipart framing; the upload checks the file itself
    defaultFailureBody: (status) => ({ code: status === 429 ? FEISHU.RATE_LIMITED.code : 1500, msg: status === 429 ? FEISHU.RATE_LIMITED.msg : 'internal error (injected by the fake)' }),
    handler: ({ req }) => {
      const path = req.path.replace(/\/+$/, '');
      if (path === '/open-apis/auth/v3/tenant_access_token/internal') {
        return req.method === 'POST' ? handleToken(req) : notFound;
      }
      type Route = { method: string; re: RegExp; api: string; run: (appId: string, m: RegExpExecArray) => RouteResult };
      const routes: Route[] = [
        { method: 'POST', re: /^\/open-apis\/im\/v1\/messages$/, api: 'im.message.create', run: (a) => handleCreate(req, a) },
        { method: 'POST', re: /^\/open-apis\/im\/v1\/messages\/([^/]+)\/reply$/, api: 'im.message.reply', run: (a, m) => handleReply(req, a, decodeURIComponent(m[1]!)) },
        { method: 'PATCH', re: /^\/open-apis\/im\/v1\/messages\/([^/]+)$/, api: 'im.message.patch', run: (a, m) => handlePatch(req, a, decodeURIComponent(m[1]!)) },
        { method: 'GET', re: /^\/open-apis\/im\/v1\/messages\/([^/]+)$/, api: 'im.message.get', run: (_a, m) => handleGet(decodeURIComponent(m[1]!)) },
        { method: 'POST', re: /^\/open-apis\/interactive\/v1\/card\/update$/, api: 'interactive.card.update', run: (a) => handleCardUpdate(req, a) },
        { method: 'POST', re: /^\/open-apis\/im\/v1\/files$/, api: 'im.file.create', run: (a) => handleUpload(req, a) },
      ];
      for (const r of routes) {
        const m = r.re.exec(path);
        if (!m || r.method !== req.method) continue;
        const auth = authenticate(req);
        if (typeof auth !== 'string') return auth;
        const limited = appRateLimit(auth, r.api);
        if (limited) return limited;
        return r.run(auth, m);
      }
      return notFound;
    },
  });

  return {
    url: server.url,
    close: () => server.close(),
    requests: server.requests,
    messages,
    chats,
    message: (id) => byId.get(id),
    messagesIn: (chatId) => chats.get(chatId) ?? [],
    files,
    tokenRequests: (appId) => (appId === undefined ? [...tokenRequestCount.values()].reduce((a, b) => a + b, 0) : tokenRequestCount.get(appId) ?? 0),
    validTokens: (appId) =>
      [...tokens].filter(([, r]) => !r.revoked && r.expiresAt > clock.now() && (appId === undefined || r.appId === appId)).map(([t]) => t),
    expireTokens(appId) {
      for (const rec of tokens.values()) if (appId === undefined || rec.appId === appId) rec.revoked = true;
    },
    advanceTime: (ms) => clock.advance(ms),
    now: () => clock.now(),
    failNext: (count, spec) => server.failNext(count, spec),
    clearFailures: () => server.clearFailures(),
    addUserMessage({ chatId, chatType = 'group', senderOpenId, text, messageId }) {
      const now = String(clock.now());
      const content = JSON.stringify({ text });
      return store({
        message_id: messageId ?? `om_${hex(16)}`,
        chat_id: chatId,
        chat_type: chatType,
        msg_type: 'text',
        content,
        contentHistory: [content],
        sender: { id: senderOpenId, id_type: 'open_id', sender_type: 'user', tenant_key: options.apps[0]!.tenantKey ?? digest(`tenant:${options.apps[0]!.appId}`).slice(0, 16) },
        create_time: now,
        update_time: now,
        updated: false,
        deleted: false,
      });
    },
    issueCardToken(messageId) {
      const msg = byId.get(messageId);
      if (!msg?.appId) throw new Error(`issueCardToken: ${messageId} is not a message an app sent through this fake`);
      const token = `c-${hex(20)}`;
      cardTokens.set(token, { messageId, appId: msg.appId, issuedAt: clock.now(), uses: 0 });
      return token;
    },
    p2pChatId,
    reset() {
      server.requests.length = 0;
      messages.length = 0;
      byId.clear();
      chats.clear();
      tokens.clear();
      tokenRequestCount.clear();
      uuids.clear();
      cardTokens.clear();
      files.clear();
      for (const w of [chatWindow, appSecondWindow, appMinuteWindow, updateWindow]) w?.reset();
      server.clearFailures();
    },
  };
}
