// Every inbound event's free text, cleaned at the edge (domain/text.ts cleanText): message text,
// form values, button and form references, chat and sender ids. Applied by each front when it
// builds the event and again by the inbox when it records it, so nothing a person typed reaches
// the core or the database with U+0000, lone surrogates, bidi overrides or zero-width characters.
import { cleanText, cleanTextRecord } from '../../domain/text.js';
import type { ButtonAction, ChatRef, InboundEvent, MessageRef } from './types.js';

const cleanButton = (b: ButtonAction): ButtonAction => ({
  action: cleanText(b.action),
  ...(b.caseRef !== undefined ? { caseRef: cleanText(b.caseRef) } : {}),
  ...(b.value !== undefined ? { value: cleanText(b.value) } : {}),
});
const cleanChat = (c: ChatRef): ChatRef => ({ ...c, id: cleanText(c.id) });
const cleanSource = (s: MessageRef | undefined) => (s ? { source: { chat: cleanChat(s.chat), messageId: cleanText(s.messageId) } } : {});

/** The event with its text cleaned (idempotent; lengths are left to the core, which refuses overlong input). */
export function cleanInboundEvent<E extends InboundEvent>(event: E): E {
  const base = { platform: event.platform, eventId: cleanText(event.eventId), chat: cleanChat(event.chat), senderId: cleanText(event.senderId) };
  switch (event.type) {
    case 'text':
      return { ...base, type: 'text', text: cleanText(event.text) } as E;
    case 'button':
      return { ...base, type: 'button', button: cleanButton(event.button), ...cleanSource(event.source) } as E;
    case 'form':
      return { ...base, type: 'form', form: cleanButton(event.form), values: cleanTextRecord(event.values), ...cleanSource(event.source) } as E;
  }
}
