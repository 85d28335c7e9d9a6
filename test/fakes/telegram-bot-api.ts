// A fake of the Telegram Bot API on loopback HTTP, for the methods this product
// uses. Point grammY at it with `new Bot(token, { client: { apiRoot: fake.url } })`.
// Requests: POST (or GET) /bot<token>/<method>, JSON, form-urlencoded or query
// parameters. Answers: {ok:true, result[, description]} or
// {ok:false, error_code, description[, parameters]}, with the HTTP status equal
// to error_code, and the Bot API's own wording for the errors it checks.
// Uploads: multipart/form-data (sendDocument with the file as the `document`
// part or as `attach://<part>`, ≤ 50 MB, not empty); the bytes are kept.
import crypto from 'node:crypto';
import type { Chat, Document, InlineKeyboardMarkup, Message, MessageEntity, Update, User, UserFromGetMe } from 'grammy/types';
import {
  FakeClock,
  parseMultipart,
  SlidingWindow,
  TokenBucket,
  send,
  startLoopbackServer,
  type FailureSpec,
  type RecordedRequest,
  type RouteResult,
} from './http-kit.js';
import { PARSE_MODES, parseFormattedText } from './telegram-text.js';
import { callbackQueryUpdate, messageUpdate } from './telegram-updates.js';

export type { FailureSpec, RecordedRequest } from './http-kit.js';

export interface TelegramRateLimit {
  /** Steady rate of messages (sends and edits) to one chat (default 1/s). */
  perChatPerSecond?: number;
  /** Burst allowed to one chat before 429 (default 3). */
  perChatBurst?: number;
  /** Messages to one group per minute (default 20). */
  groupPerMinute?: number;
  /** Messages overall per second (default 30). */
  globalPerSecond?: number;
}

export interface FakeTelegramOptions {
  /** The bot token, "<bot id>:<secret>". */
  token: string;
  botUsername: string;
  botFirstName?: string;
  /** Chats the bot can already write to (others answer "chat not found" until a user writes first). */
  chats?: Chat[];
  rateLimit?: TelegramRateLimit | false;
  /** How long a callback query can be answered (default 10 s; Telegram does not document it). */
  callbackQueryTtlMs?: number;
  /** Longest a getUpdates call is held, in real seconds, whatever its timeout (default 50, like the Bot API). */
  maxLongPollSeconds?: number;
  /** Base clock for message dates, callback query age and rate windows. */
  now?: () => number;
}

export interface TelegramRecordedRequest extends RecordedRequest {
  /** The Bot API method as called (original case). */
  apiMethod?: string;
  /** Parameters after merging query + body and decoding form values. */
  params?: Record<string, unknown>;
}

/** A document the bot sent, with the bytes as uploaded. */
export interface FakeTelegramDocument {
  chatId: number;
  messageId: number;
  document: Document;
  bytes: Buffer;
}

export interface WebhookState {
  url: string;
  secret_token?: string;
  max_connections: number;
  allowed_updates?: string[];
  ip_address?: string;
}

export interface CallbackAnswer {
  callback_query_id: string;
  text?: string;
  show_alert?: boolean;
  url?: string;
  cache_time?: number;
  at: number;
}

export interface FakeTelegram {
  /** Use as grammY's `client.apiRoot`. */
  url: string;
  token: string;
  /** What getMe answers. */
  bot: UserFromGetMe;
  close(): Promise<void>;
  requests: TelegramRecordedRequest[];
  /** Recorded requests of one Bot API method (case-insensitive), or all. */
  calls(method?: string): TelegramRecordedRequest[];
  /** Chats the fake knows, by id. */
  chats: Map<number, Chat>;
  addChat(chat: Chat): void;
  /** Current messages of a chat (after edits and deletes), in id order. */
  messages(chatId: number): Message[];
  message(chatId: number, messageId: number): Message | undefined;
  /** A text message from a user: recorded in the chat (registering it) and returned as an Update; not queued. */
  userMessage(input: { chat: Chat; from: User; text: string; replyToMessageId?: number }): Update;
  /** A button press on a bot message: issues a callback query id and returns the Update; not queued. */
  callbackQuery(input: { from: User; chatId: number; messageId: number; data: string }): Update;
  /** Queues an update for getUpdates (assigning update_id when missing) and wakes a waiting long poll. */
  enqueueUpdate(update: Update | Omit<Update, 'update_id'>): Update;
  /** Updates queued and not yet confirmed. */
  pendingUpdates(): Update[];
  callbackAnswers: CallbackAnswer[];
  /** Documents sent (sendDocument uploads), in order. */
  documents: FakeTelegramDocument[];
  webhook(): WebhookState | undefined;
  advanceTime(ms: number): void;
  now(): number;
  failNext(count: number, spec?: FailureSpec): void;
  clearFailures(): void;
}

const BAD = {
  unauthorized: [401, 'Unauthorized'],
  notFound: [404, 'Not Found'],
  chatNotFound: [400, 'Bad Request: chat not found'],
  chatIdEmpty: [400, 'Bad Request: chat_id is empty'],
  textEmpty: [400, 'Bad Request: message text is empty'],
  tooLong: [400, 'Bad Request: message is too long'],
  parseMode: [400, 'Bad Request: unsupported parse_mode'],
  buttonData: [400, 'Bad Request: BUTTON_DATA_INVALID'],
  textButtons: [400, "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"],
  keyboardShape: [400, 'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'],
  replyMarkupJson: [400, "Bad Request: can't parse reply keyboard markup JSON object"],
  replyNotFound: [400, 'Bad Request: message to be replied not found'],
  editNotFound: [400, 'Bad Request: message to edit not found'],
  cantEdit: [400, "Bad Request: message can't be edited"],
  notModified: [400, 'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message'],
  deleteNotFound: [400, 'Bad Request: message to delete not found'],
  queryTooOld: [400, 'Bad Request: query is too old and response timeout expired or query ID is invalid'],
  httpsOnly: [400, 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook'],
  badPort: [400, 'Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443'],
  badUrl: [400, 'Bad Request: bad webhook: Failed to resolve host: Name or service not known'],
  secretChars: [400, 'Bad Request: secret token contains unallowed characters'],
  secretLength: [400, 'Bad Request: secret token is too long'], // [approx] wording not confirmed
  webhookActive: [409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"],
  otherGetUpdates: [409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running'],
  multipart: [400, 'Bad Request: the fake Bot API accepts multipart uploads only for sendDocument'],
  documentMissing: [400, 'Bad Request: there is no document in the request'],
  fileEmpty: [400, 'Bad Request: file must be non-empty'],
  fileTooBig: [413, 'Request Entity Too Large'],
  wrongFileId: [400, 'Bad Request: wrong file identifier/HTTP URL specified'],
} as const satisfies Record<string, readonly [number, string]>;

const BUTTON_ACTIONS = ['url', 'callback_data', 'web_app', 'login_url', 'switch_inline_query', 'switch_inline_query_current_chat', 'switch_inline_query_chosen_chat', 'copy_text', 'callback_game', 'pay'];
const JSON_PARAMS = new Set(['reply_markup', 'allowed_updates', 'reply_parameters', 'entities', 'link_preview_options']);
const INT_PARAMS = new Set(['chat_id', 'message_id', 'offset', 'limit', 'timeout', 'cache_time', 'max_connections', 'reply_to_message_id', 'message_thread_id']);
const BOOL_PARAMS = new Set(['show_alert', 'drop_pending_updates', 'disable_notification', 'allow_sending_without_reply', 'protect_content']);
const WEBHOOK_PORTS = new Set([443, 80, 88, 8443]);
/** Largest file a bot may upload (50 MB). */
export const TELEGRAM_UPLOAD_LIMIT_BYTES = 50 * 1024 * 1024;
const DEFAULT_ALLOWED_EXCLUDES = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);

/** Turns query/form strings into the JSON types the Bot API would decode. */
function normalizeParams(raw: Record<string, unknown>): Record<string, unknown> | string {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === null || v === undefined) continue;
    if (typeof v !== 'string') {
      out[k] = v;
      continue;
    }
    if (JSON_PARAMS.has(k)) {
      try {
        out[k] = JSON.parse(v);
      } catch {
        return k === 'reply_markup' ? BAD.replyMarkupJson[1] : `Bad Request: can't parse ${k} JSON object`;
      }
    } else if (INT_PARAMS.has(k) && /^-?\d+$/.test(v)) out[k] = Number(v);
    else if (BOOL_PARAMS.has(k)) out[k] = v === 'true' || v === '1';
    else out[k] = v;
  }
  return out;
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function updateType(update: Update): string {
  return Object.keys(update).find((k) => k !== 'update_id') ?? 'unknown';
}

export async function startFakeTelegram(options: FakeTelegramOptions): Promise<FakeTelegram> {
  const botId = Number(options.token.split(':')[0]);
  if (!/^\d+:[A-Za-z0-9_-]+$/.test(options.token) || !Number.isSafeInteger(botId)) {
    throw new Error(`startFakeTelegram: token must look like "<bot id>:<secret>", got ${options.token}`);
  }
  const clock = new FakeClock(options.now);
  const bot: UserFromGetMe = {
    id: botId,
    is_bot: true,
    first_name: options.botFirstName ?? options.botUsername,
    username: options.botUsername,
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
    can_manage_bots: false,
    supports_join_request_queries: false,
  };
  const botUser: User = { id: bot.id, is_bot: true, first_name: bot.first_name, username: bot.username };
  const ttl = options.callbackQueryTtlMs ?? 10_000;
  const maxPollMs = (options.maxLongPollSeconds ?? 50) * 1000;
  const limits = options.rateLimit === false ? undefined : { perChatPerSecond: 1, perChatBurst: 3, groupPerMinute: 20, globalPerSecond: 30, ...options.rateLimit };
  const chatBucket = limits && new TokenBucket(limits.perChatBurst, limits.perChatPerSecond);
  const groupWindow = limits && new SlidingWindow(limits.groupPerMinute, 60_000);
  const globalWindow = limits && new SlidingWindow(limits.globalPerSecond, 1000);

  const chats = new Map<number, Chat>();
  const chatMessages = new Map<number, Map<number, { message: Message; fromBot: boolean }>>();
  const nextMessageId = new Map<number, number>();
  const queue: Update[] = [];
  let nextUpdateId = 100_000_001;
  let allowedUpdates: string[] | undefined;
  let webhook: WebhookState | undefined;
  const callbackQueries = new Map<string, { issuedAt: number; answered: boolean }>();
  const callbackAnswers: CallbackAnswer[] = [];
  const documents: FakeTelegramDocument[] = [];
  const filesById = new Map<string, { document: Document; bytes: Buffer }>();
  let poller: { res: import('node:http').ServerResponse; rec: RecordedRequest; timer: NodeJS.Timeout; limit: number } | undefined;

  for (const chat of options.chats ?? []) addChat(chat);

  function addChat(chat: Chat): void {
    chats.set(chat.id, chat);
    if (!chatMessages.has(chat.id)) chatMessages.set(chat.id, new Map());
  }

  const nowSeconds = () => Math.floor(clock.now() / 1000);
  const okResult = (result: unknown, description?: string): RouteResult => ({ status: 200, body: description ? { ok: true, result, description } : { ok: true, result } });
  const error = ([code, description]: readonly [number, string], parameters?: Record<string, unknown>): RouteResult => ({
    status: code,
    body: { ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) },
  });
  const errorText = (code: number, description: string) => error([code, description]);

  function findChat(chatId: unknown): Chat | RouteResult {
    if (chatId === undefined || chatId === '') return error(BAD.chatIdEmpty);
    if (typeof chatId === 'string' && chatId.startsWith('@')) {
      const name = chatId.slice(1).toLowerCase();
      const found = [...chats.values()].find((c) => 'username' in c && c.username?.toLowerCase() === name);
      return found ?? error(BAD.chatNotFound);
    }
    const id = typeof chatId === 'number' ? chatId : Number(chatId);
    return chats.get(id) ?? error(BAD.chatNotFound);
  }

  const isResult = (x: unknown): x is RouteResult => typeof x === 'object' && x !== null && 'status' in x && 'body' in x && !('id' in x);

  function rateLimit(chat: Chat): RouteResult | undefined {
    if (!chatBucket || !groupWindow || !globalWindow) return undefined;
    const now = clock.now();
    const waits = [
      globalWindow.hit('all', now),
      chatBucket.take(String(chat.id), now),
      chat.type === 'private' ? 0 : groupWindow.hit(String(chat.id), now),
    ];
    const wait = Math.max(...waits);
    if (!wait) return undefined;
    const retryAfter = Math.max(1, Math.ceil(wait / 1000));
    return error([429, `Too Many Requests: retry after ${retryAfter}`], { retry_after: retryAfter });
  }

  /** Validates reply_markup; returns the inline keyboard to store (if any) or an error. */
  function checkMarkup(markup: unknown): { inline?: InlineKeyboardMarkup } | RouteResult {
    if (markup === undefined) return {};
    if (typeof markup !== 'object' || markup === null || Array.isArray(markup)) return error(BAD.replyMarkupJson);
    const m = markup as Record<string, unknown>;
    if (!('inline_keyboard' in m)) return {}; // reply keyboard, remove_keyboard, force_reply: not stored on the message
    const rows = m.inline_keyboard;
    if (!Array.isArray(rows) || rows.some((r) => !Array.isArray(r))) return error(BAD.keyboardShape);
    for (const row of rows as unknown[][]) {
      for (const button of row) {
        if (typeof button !== 'object' || button === null) return error(BAD.keyboardShape);
        const b = button as Record<string, unknown>;
        if (typeof b.text !== 'string') return errorText(400, "Bad Request: can't parse inline keyboard button: Field \"text\" must be of type String");
        const actions = BUTTON_ACTIONS.filter((a) => b[a] !== undefined);
        if (actions.length === 0) return error(BAD.textButtons);
        if (b.callback_data !== undefined) {
          const data = b.callback_data;
          if (typeof data !== 'string' || byteLength(data) < 1 || byteLength(data) > 64) return error(BAD.buttonData);
        }
      }
    }
    return { inline: { inline_keyboard: rows as InlineKeyboardMarkup['inline_keyboard'] } };
  }

  /** text + parse_mode/entities → stored text and entities, or an error. */
  function checkText(text: unknown, parseMode: unknown, entities: unknown): { text: string; entities: MessageEntity[] } | RouteResult {
    if (text === undefined || text === null || (typeof text === 'string' && text.trim() === '')) return error(BAD.textEmpty);
    const raw = String(text);
    if (parseMode !== undefined && (typeof parseMode !== 'string' || (parseMode !== '' && !PARSE_MODES.some((p) => p.toLowerCase() === parseMode.toLowerCase())))) {
      return error(BAD.parseMode);
    }
    const parsed = Array.isArray(entities) ? { text: raw, entities: entities as MessageEntity[] } : parseFormattedText(raw, parseMode as string | undefined);
    if ('error' in parsed) return errorText(400, `Bad Request: can't parse entities: ${parsed.error}`);
    if (parsed.text.trim() === '') return error(BAD.textEmpty);
    if (parsed.text.length > 4096) return error(BAD.tooLong);
    return parsed;
  }

  function storeMessage(chat: Chat, message: Message, fromBot: boolean): Message {
    addChat(chat);
    chatMessages.get(chat.id)!.set(message.message_id, { message, fromBot });
    nextMessageId.set(chat.id, Math.max(nextMessageId.get(chat.id) ?? 1, message.message_id + 1));
    return message;
  }

  function newMessageId(chatId: number): number {
    const id = nextMessageId.get(chatId) ?? 1;
    nextMessageId.set(chatId, id + 1);
    return id;
  }

  function sendMessage(p: Record<string, unknown>): RouteResult {
    const chat = findChat(p.chat_id);
    if (isResult(chat)) return chat;
    const text = checkText(p.text, p.parse_mode, p.entities);
    if (isResult(text)) return text;
    const markup = checkMarkup(p.reply_markup);
    if (isResult(markup)) return markup;
    const params = (p.reply_parameters ?? {}) as { message_id?: number; allow_sending_without_reply?: boolean };
    const replyId = params.message_id ?? (p.reply_to_message_id as number | undefined);
    let replyTo: Message | undefined;
    if (replyId !== undefined) {
      replyTo = chatMessages.get(chat.id)?.get(replyId)?.message;
      const allow = params.allow_sending_without_reply ?? p.allow_sending_without_reply;
      if (!replyTo && !allow) return error(BAD.replyNotFound);
    }
    const limited = rateLimit(chat);
    if (limited) return limited;
    const message = {
      message_id: newMessageId(chat.id),
      from: botUser,
      chat,
      date: nowSeconds(),
      text: text.text,
      ...(text.entities.length ? { entities: text.entities } : {}),
      ...(replyTo ? { reply_to_message: replyTo } : {}),
      ...(markup.inline ? { reply_markup: markup.inline } : {}),
    } as Message.TextMessage;
    return okResult(storeMessage(chat, message, true));
  }

  /** sendDocument: `document` is an uploaded part (directly or by attach://), or a file_id sent before. */
  function sendDocument(p: Record<string, unknown>, uploads: Map<string, { filename?: string; data: Buffer }>): RouteResult {
    const chat = findChat(p.chat_id);
    if (isResult(chat)) return chat;
    const ref = p.document;
    let document: Document;
    let bytes: Buffer;
    const upload = uploads.get('document') ?? (typeof ref === 'string' && ref.startsWith('attach://') ? uploads.get(ref.slice('attach://'.length)) : undefined);
    if (upload) {
      if (upload.data.length === 0) return error(BAD.fileEmpty);
      if (upload.data.length > TELEGRAM_UPLOAD_LIMIT_BYTES) return error(BAD.fileTooBig);
      const fileId = `BQACAgUAAx${crypto.randomBytes(24).toString('base64url')}`;
      document = { file_id: fileId, file_unique_id: `AgAD${crypto.randomBytes(6).toString('base64url')}`, file_name: upload.filename ?? 'document', mime_type: 'application/octet-stream', file_size: upload.data.length };
      bytes = Buffer.from(upload.data);
      filesById.set(fileId, { document, bytes });
    } else if (typeof ref === 'string' && ref !== '' && !ref.startsWith('attach://')) {
      const known = filesById.get(ref);
      if (!known) return error(BAD.wrongFileId);
      ({ document, bytes } = known);
    } else return error(BAD.documentMissing);
    const limited = rateLimit(chat);
    if (limited) return limited;
    const caption = typeof p.caption === 'string' && p.caption !== '' ? { caption: p.caption } : {};
    const message = { message_id: newMessageId(chat.id), from: botUser, chat, date: nowSeconds(), document, ...caption } as Message.DocumentMessage;
    storeMessage(chat, message, true);
    documents.push({ chatId: chat.id, messageId: message.message_id, document, bytes });
    return okResult(message);
  }

  function findEditable(p: Record<string, unknown>): { chat: Chat; entry: { message: Message; fromBot: boolean } } | RouteResult {
    if (p.inline_message_id !== undefined) return error(BAD.editNotFound); // inline messages are not modelled
    const chat = findChat(p.chat_id);
    if (isResult(chat)) return chat;
    const entry = typeof p.message_id === 'number' ? chatMessages.get(chat.id)?.get(p.message_id) : undefined;
    if (!entry) return error(BAD.editNotFound);
    if (!entry.fromBot) return error(BAD.cantEdit);
    return { chat, entry };
  }

  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

  function editMessageText(p: Record<string, unknown>): RouteResult {
    const found = findEditable(p);
    if (isResult(found)) return found;
    const text = checkText(p.text, p.parse_mode, p.entities);
    if (isResult(text)) return text;
    const markup = checkMarkup(p.reply_markup);
    if (isResult(markup)) return markup;
    const old = found.entry.message as Message.TextMessage;
    // Omitting reply_markup removes the inline keyboard, as on Telegram.
    if (old.text === text.text && same(old.entities ?? [], text.entities) && same(old.reply_markup, markup.inline)) return error(BAD.notModified);
    const limited = rateLimit(found.chat);
    if (limited) return limited;
    const { entities: _e, reply_markup: _r, ...rest } = old;
    const edited = {
      ...rest,
      text: text.text,
      ...(text.entities.length ? { entities: text.entities } : {}),
      ...(markup.inline ? { reply_markup: markup.inline } : {}),
      edit_date: nowSeconds(),
    } as Message.TextMessage;
    found.entry.message = edited;
    return okResult(edited);
  }

  function editMessageReplyMarkup(p: Record<string, unknown>): RouteResult {
    const found = findEditable(p);
    if (isResult(found)) return found;
    const markup = checkMarkup(p.reply_markup);
    if (isResult(markup)) return markup;
    const old = found.entry.message;
    if (same(old.reply_markup, markup.inline)) return error(BAD.notModified);
    const limited = rateLimit(found.chat);
    if (limited) return limited;
    const { reply_markup: _r, ...rest } = old;
    const edited = { ...rest, ...(markup.inline ? { reply_markup: markup.inline } : {}), edit_date: nowSeconds() } as Message;
    found.entry.message = edited;
    return okResult(edited);
  }

  function deleteMessage(p: Record<string, unknown>): RouteResult {
    const chat = findChat(p.chat_id);
    if (isResult(chat)) return chat;
    const messages = chatMessages.get(chat.id)!;
    if (typeof p.message_id !== 'number' || !messages.has(p.message_id)) return error(BAD.deleteNotFound);
    const entry = messages.get(p.message_id)!;
    if (!entry.fromBot && chat.type === 'private') return errorText(400, "Bad Request: message can't be deleted");
    messages.delete(p.message_id);
    return okResult(true);
  }

  function answerCallbackQuery(p: Record<string, unknown>): RouteResult {
    const id = p.callback_query_id;
    const q = typeof id === 'string' ? callbackQueries.get(id) : undefined;
    if (!q || q.answered || clock.now() - q.issuedAt > ttl) return error(BAD.queryTooOld);
    q.answered = true;
    callbackAnswers.push({
      callback_query_id: id as string,
      ...(typeof p.text === 'string' ? { text: p.text } : {}),
      ...(typeof p.show_alert === 'boolean' ? { show_alert: p.show_alert } : {}),
      ...(typeof p.url === 'string' ? { url: p.url } : {}),
      ...(typeof p.cache_time === 'number' ? { cache_time: p.cache_time } : {}),
      at: clock.now(),
    });
    return okResult(true);
  }

  function setWebhook(p: Record<string, unknown>): RouteResult {
    const url = typeof p.url === 'string' ? p.url : '';
    if (url === '') return deleteWebhook(p);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return error(BAD.badUrl);
    }
    if (parsed.protocol !== 'https:') return error(BAD.httpsOnly);
    const port = parsed.port === '' ? 443 : Number(parsed.port);
    if (!WEBHOOK_PORTS.has(port)) return error(BAD.badPort);
    const secret = p.secret_token;
    if (secret !== undefined && secret !== '') {
      if (typeof secret !== 'string' || !/^[A-Za-z0-9_-]+$/.test(secret)) return error(BAD.secretChars);
      if (secret.length > 256) return error(BAD.secretLength);
    }
    const maxConnections = typeof p.max_connections === 'number' ? Math.min(100, Math.max(1, p.max_connections)) : 40;
    const allowed = Array.isArray(p.allowed_updates) ? (p.allowed_updates as string[]) : webhook?.allowed_updates;
    const next: WebhookState = {
      url,
      ...(typeof secret === 'string' && secret !== '' ? { secret_token: secret } : {}),
      max_connections: maxConnections,
      ...(allowed ? { allowed_updates: allowed } : {}),
      ip_address: '127.0.0.1',
    };
    if (p.drop_pending_updates === true) queue.length = 0;
    const unchanged = webhook && same(webhook, next);
    webhook = next;
    if (allowed) allowedUpdates = allowed;
    return okResult(true, unchanged ? 'Webhook is already set' : 'Webhook was set');
  }

  function deleteWebhook(p: Record<string, unknown>): RouteResult {
    if (p.drop_pending_updates === true) queue.length = 0;
    const had = webhook !== undefined;
    webhook = undefined;
    return okResult(true, had ? 'Webhook was deleted' : 'Webhook is already deleted');
  }

  function getWebhookInfo(): RouteResult {
    return okResult({
      url: webhook?.url ?? '',
      has_custom_certificate: false,
      pending_update_count: queue.length,
      ...(webhook ? { max_connections: webhook.max_connections, ip_address: webhook.ip_address } : {}),
      ...(webhook?.allowed_updates ? { allowed_updates: webhook.allowed_updates } : {}),
    });
  }

  const allowed = (u: Update) => {
    const type = updateType(u);
    return allowedUpdates && allowedUpdates.length > 0 ? allowedUpdates.includes(type) : !DEFAULT_ALLOWED_EXCLUDES.has(type);
  };

  /** Drops confirmed and filtered updates; returns up to `limit` deliverable ones. */
  function takeUpdates(offset: number | undefined, limit: number): Update[] {
    if (offset !== undefined && offset < 0) {
      const keep = queue.slice(offset);
      queue.length = 0;
      queue.push(...keep);
    } else if (offset !== undefined && offset > 0) {
      while (queue.length && queue[0]!.update_id < offset) queue.shift();
    }
    for (let i = queue.length - 1; i >= 0; i--) if (!allowed(queue[i]!)) queue.splice(i, 1);
    return queue.slice(0, limit);
  }

  function endPoll(result: RouteResult): void {
    if (!poller) return;
    const p = poller;
    poller = undefined;
    clearTimeout(p.timer);
    send(p.res, result, p.rec);
  }

  function getUpdates(p: Record<string, unknown>, rec: RecordedRequest, res: import('node:http').ServerResponse): RouteResult | undefined {
    if (webhook) return error(BAD.webhookActive);
    if (poller) endPoll(error(BAD.otherGetUpdates));
    if (Array.isArray(p.allowed_updates)) allowedUpdates = p.allowed_updates as string[];
    const limit = typeof p.limit === 'number' ? Math.min(100, Math.max(1, p.limit)) : 100;
    const updates = takeUpdates(typeof p.offset === 'number' ? p.offset : undefined, limit);
    const timeoutMs = typeof p.timeout === 'number' && p.timeout > 0 ? Math.min(p.timeout * 1000, maxPollMs) : 0;
    if (updates.length > 0 || timeoutMs === 0) return okResult(updates);
    const timer = setTimeout(() => endPoll(okResult([])), timeoutMs);
    poller = { res, rec, timer, limit };
    res.on('close', () => {
      if (poller?.res === res) {
        clearTimeout(poller.timer);
        poller = undefined;
      }
    });
    return undefined;
  }

  function enqueueUpdate(update: Update | Omit<Update, 'update_id'>): Update {
    const u = ('update_id' in update && typeof update.update_id === 'number' ? update : { ...update, update_id: nextUpdateId }) as Update;
    nextUpdateId = Math.max(nextUpdateId, u.update_id + 1);
    queue.push(u);
    queue.sort((a, b) => a.update_id - b.update_id);
    if (poller) {
      const ready = takeUpdates(undefined, poller.limit);
      if (ready.length) endPoll(okResult(ready));
    }
    return u;
  }

  const server = await startLoopbackServer({
    clock,
    maxBodyBytes: TELEGRAM_UPLOAD_LIMIT_BYTES + 1024 * 1024, // room for the multipart framing; sendDocument checks the file itself
    defaultFailureBody: (status) => ({ ok: false, error_code: status, description: status === 429 ? 'Too Many Requests: retry after 1' : 'Internal Server Error', ...(status === 429 ? { parameters: { retry_after: 1 } } : {}) }),
    handler: ({ req, res, raw }) => {
      const m = /^\/bot([^/]+)\/(?:test\/)?([A-Za-z]+)$/.exec(req.path);
      if (!m) return error(BAD.notFound);
      if (m[1] !== options.token) return error(BAD.unauthorized);
      const method = m[2]!;
      const rec = req as TelegramRecordedRequest;
      rec.apiMethod = method;
      const uploads = new Map<string, { filename?: string; data: Buffer }>();
      const form: Record<string, string> = {};
      if ((raw.headers['content-type'] ?? '').includes('multipart/form-data')) {
        if (method.toLowerCase() !== 'senddocument') return error(BAD.multipart);
        const parts = parseMultipart(req.rawBytes, raw.headers['content-type']);
        if (!parts) return errorText(400, 'Bad Request: invalid multipart/form-data'); // [approx]
        for (const part of parts) {
          if (part.filename !== undefined) uploads.set(part.name, { filename: part.filename, data: part.data });
          else form[part.name] = part.data.toString('utf8');
        }
      }
      const merged = { ...req.query, ...(typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>) : {}), ...form };
      const params = normalizeParams(merged);
      if (typeof params === 'string') return errorText(400, params);
      rec.params = params;
      switch (method.toLowerCase()) {
        case 'getme':
          return okResult(bot);
        case 'sendmessage':
          return sendMessage(params);
        case 'senddocument':
          return sendDocument(params, uploads);
        case 'editmessagetext':
          return editMessageText(params);
        case 'editmessagereplymarkup':
          return editMessageReplyMarkup(params);
        case 'deletemessage':
          return deleteMessage(params);
        case 'answercallbackquery':
          return answerCallbackQuery(params);
        case 'sendchataction': {
          const chat = findChat(params.chat_id);
          return isResult(chat) ? chat : okResult(true);
        }
        case 'setwebhook':
          return setWebhook(params);
        case 'deletewebhook':
          return deleteWebhook(params);
        case 'getwebhookinfo':
          return getWebhookInfo();
        case 'getupdates':
          return getUpdates(params, req, res);
        default:
          return error(BAD.notFound);
      }
    },
  });

  return {
    url: server.url,
    token: options.token,
    bot,
    async close() {
      if (poller) endPoll(okResult([]));
      await server.close();
    },
    requests: server.requests as TelegramRecordedRequest[],
    calls: (method) =>
      (server.requests as TelegramRecordedRequest[]).filter((r) => r.apiMethod !== undefined && (method === undefined || r.apiMethod.toLowerCase() === method.toLowerCase())),
    chats,
    addChat,
    messages: (chatId) => [...(chatMessages.get(chatId)?.values() ?? [])].map((e) => e.message).sort((a, b) => a.message_id - b.message_id),
    message: (chatId, messageId) => chatMessages.get(chatId)?.get(messageId)?.message,
    userMessage({ chat, from, text, replyToMessageId }) {
      addChat(chat);
      const replyTo = replyToMessageId === undefined ? undefined : chatMessages.get(chat.id)?.get(replyToMessageId)?.message;
      const update = messageUpdate({ updateId: nextUpdateId++, messageId: newMessageId(chat.id), chat, from, text, date: nowSeconds(), replyTo });
      storeMessage(chat, update.message!, false);
      return update;
    },
    callbackQuery({ from, chatId, messageId, data }) {
      const message = chatMessages.get(chatId)?.get(messageId)?.message;
      if (!message) throw new Error(`callbackQuery: no message ${messageId} in chat ${chatId}`);
      const id = (BigInt(`0x${crypto.randomBytes(8).toString('hex')}`) >> 1n).toString();
      callbackQueries.set(id, { issuedAt: clock.now(), answered: false });
      return callbackQueryUpdate({ updateId: nextUpdateId++, id, from, message, data });
    },
    enqueueUpdate,
    pendingUpdates: () => [...queue],
    callbackAnswers,
    documents,
    webhook: () => webhook,
    advanceTime: (ms) => clock.advance(ms),
    now: () => clock.now(),
    failNext: (count, spec) => server.failNext(count, spec),
    clearFailures: () => server.clearFailures(),
  };
}
