// The bot's JSON columns through zod (issue 16, typed state; the pattern of domain/columns.ts):
// ProcessedEvent.event holds an InboundEvent (its schema here), OutboxReply.message a BotMessage
// (botMessageSchema of domain/columns.ts, as ConsoleMessage.message). Both are written and read
// through their schemas, and the compiler checks that each schema and the type of types.ts
// describe the same values, so the two cannot drift apart.
import { z } from 'zod';

import { botMessageSchema, buttonActionSchema, parseColumn } from '../../domain/columns.js';
import type { BotMessage, InboundEvent } from './types.js';

const platform = z.enum(['feishu', 'telegram', 'console']);
const chatRef = z.object({ platform, id: z.string(), kind: z.enum(['group', 'private']) });
const messageRef = z.object({ chat: chatRef, messageId: z.string() });
const inboundBase = { platform, eventId: z.string(), chat: chatRef, senderId: z.string() };

/** ProcessedEvent.event: the platform-neutral inbound event (types.ts InboundEvent). */
export const inboundEventSchema = z.discriminatedUnion('type', [
  z.object({ ...inboundBase, type: z.literal('text'), text: z.string() }),
  z.object({ ...inboundBase, type: z.literal('button'), button: buttonActionSchema, source: messageRef.optional() }),
  z.object({ ...inboundBase, type: z.literal('form'), form: buttonActionSchema, values: z.record(z.string(), z.string()), source: messageRef.optional() }),
]);

/** True when A and B are assignable both ways (the schema's values are exactly the type's). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemasMatchTypes: [Same<z.output<typeof inboundEventSchema>, InboundEvent>, Same<z.output<typeof botMessageSchema>, BotMessage>] = [true, true];
void schemasMatchTypes;

/** The event of an inbox row, checked; `id` names the row in the error. */
export function storedInboundEvent(value: unknown, id: string): InboundEvent {
  return parseColumn(inboundEventSchema, 'ProcessedEvent.event', value, id);
}

/** An event as written into ProcessedEvent.event (checked: a bug fails before the write). */
export function inboundEventColumn(event: InboundEvent) {
  return parseColumn(inboundEventSchema, 'ProcessedEvent.event', event);
}

/** The message of an outbox row, checked; `id` names the row in the error. */
export function storedBotMessage(value: unknown, id: number): BotMessage {
  return parseColumn(botMessageSchema, 'OutboxReply.message', value, `#${id}`);
}

/** A message as written into OutboxReply.message (checked: a bug fails before the write). */
export function botMessageColumn(message: BotMessage) {
  return parseColumn(botMessageSchema, 'OutboxReply.message', message);
}
