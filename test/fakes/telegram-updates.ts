// Acting as Telegram towards OUR bot: build Update objects the way the Bot API
// delivers them (including the bot_command / mention entities Telegram adds,
// which grammY's bot.command() relies on) and POST them to a webhook with the
// X-Telegram-Bot-Api-Secret-Token header.
import crypto from 'node:crypto';
import type { Chat, Message, MessageEntity, Update, User } from 'grammy/types';

export type { Chat, Message, MessageEntity, Update, User } from 'grammy/types';

/** A human user. */
export function tgUser(id: number, firstName: string, extra: Partial<Omit<User, 'id' | 'first_name' | 'is_bot'>> = {}): User {
  return { id, is_bot: false, first_name: firstName, language_code: 'zh-hans', ...extra };
}

/** The private chat between the bot and `user` (its id is the user's id). */
export function privateChat(user: User): Chat.PrivateChat {
  return {
    id: user.id,
    type: 'private',
    first_name: user.first_name,
    ...(user.last_name ? { last_name: user.last_name } : {}),
    ...(user.username ? { username: user.username } : {}),
  };
}

/** A group: ids are negative; supergroup ids start with -100. */
export function groupChat(id: number, title: string, type: 'group' | 'supergroup' = 'supergroup'): Chat.GroupChat | Chat.SupergroupChat {
  if (id >= 0) throw new Error(`group chat ids are negative, got ${id}`);
  return type === 'group' ? { id, type: 'group', title } : { id, type: 'supergroup', title };
}

/** The entities Telegram itself marks in user text: /commands and @mentions (UTF-16 offsets). */
export function autoEntities(text: string): MessageEntity[] {
  const entities: MessageEntity[] = [];
  for (const m of text.matchAll(/(^|\s)(\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{5,32})?)/g)) {
    entities.push({ type: 'bot_command', offset: m.index + m[1]!.length, length: m[2]!.length });
  }
  for (const m of text.matchAll(/(^|[^A-Za-z0-9_/])(@[A-Za-z0-9_]{5,32})/g)) {
    entities.push({ type: 'mention', offset: m.index + m[1]!.length, length: m[2]!.length });
  }
  return entities.sort((a, b) => a.offset - b.offset);
}

export interface UserMessageInput {
  updateId: number;
  messageId: number;
  chat: Chat;
  from: User;
  text: string;
  /** Seconds since the epoch (default now). */
  date?: number;
  replyTo?: Message;
}

/** A text message a user sent (private chat or group). */
export function messageUpdate(input: UserMessageInput): Update {
  const entities = autoEntities(input.text);
  const message = {
    message_id: input.messageId,
    from: input.from,
    chat: input.chat,
    date: input.date ?? Math.floor(Date.now() / 1000),
    text: input.text,
    ...(entities.length ? { entities } : {}),
    ...(input.replyTo ? { reply_to_message: input.replyTo } : {}),
  } as Message.TextMessage;
  return { update_id: input.updateId, message } as Update;
}

export interface CallbackQueryInput {
  updateId: number;
  /** The callback query id the bot must answer (the fake issues these). */
  id: string;
  from: User;
  /** The bot's message carrying the inline keyboard. */
  message: Message;
  data: string;
  chatInstance?: string;
}

/** A press on an inline keyboard button with callback_data. */
export function callbackQueryUpdate(input: CallbackQueryInput): Update {
  return {
    update_id: input.updateId,
    callback_query: {
      id: input.id,
      from: input.from,
      message: input.message,
      chat_instance: input.chatInstance ?? String(BigInt.asIntN(64, BigInt(`0x${crypto.createHash('sha256').update(String(input.message.chat.id)).digest('hex').slice(0, 16)}`))),
      data: input.data,
    },
  } as Update;
}

export interface PostUpdateOptions {
  /** Sent as X-Telegram-Bot-Api-Secret-Token (omitted when undefined). */
  secretToken?: string;
  headers?: Record<string, string>;
  /** Send this exact body instead of JSON.stringify(update) (for malformed-body tests). */
  rawBody?: string;
  timeoutMs?: number;
}

export interface PostUpdateResult {
  status: number;
  body: string;
  json?: unknown;
}

/** POSTs an update to a webhook as Telegram does. */
export async function postUpdate(webhookUrl: string, update: Update, opts: PostUpdateOptions = {}): Promise<PostUpdateResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
  if (opts.secretToken !== undefined) headers['x-telegram-bot-api-secret-token'] = opts.secretToken;
  const res = await fetch(webhookUrl, {
    method: 'POST',
    headers,
    body: opts.rawBody ?? JSON.stringify(update),
    signal: AbortSignal.timeout(opts.timeoutMs ?? 40_000),
  });
  const body = await res.text();
  let json: unknown;
  try {
    json = body === '' ? undefined : (JSON.parse(body) as unknown);
  } catch {
    json = undefined;
  }
  return { status: res.status, body, json };
}
