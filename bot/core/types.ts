// The platform-neutral vocabulary of the chat bot: what comes in (an event),
// what goes out (a message), and the port an adapter implements to send it.

/** A chat platform the bot speaks on. 'console' is a local, test or CLI front. */
export type Platform = 'feishu' | 'telegram' | 'console';

/** Where a message lives: a group chat or the private chat with one person. */
export interface ChatRef {
  platform: Platform;
  /** Feishu chat_id (oc_…), Telegram chat id as text. */
  id: string;
  kind: 'group' | 'private';
}

/**
 * What a button carries back when pressed. Kept small on purpose: Telegram
 * allows 64 bytes of callback data.
 */
export interface ButtonAction {
  /** A short verb, e.g. 'confirm', 'cancel'. */
  action: string;
  /** The case (or form) the action is about, if any. */
  caseRef?: string;
  /** A further small value (a choice). */
  value?: string;
}

/** A message the bot sent, as the platform knows it (so it can be edited). */
export interface MessageRef {
  chat: ChatRef;
  /** Feishu message_id (om_…), Telegram message id as text. */
  messageId: string;
}

interface InboundBase {
  platform: Platform;
  /** The platform's id of this delivery: the same id on every retry of it. */
  eventId: string;
  chat: ChatRef;
  /** Who acted: Feishu open_id, Telegram user id as text. */
  senderId: string;
}

/** A text message someone sent to the bot (privately, or in a group it is in). */
export interface InboundText extends InboundBase {
  type: 'text';
  text: string;
}

/** A button pressed on a message the bot sent. */
export interface InboundButton extends InboundBase {
  type: 'button';
  button: ButtonAction;
  /** The message that carried the button, when the platform says. */
  source?: MessageRef;
}

/**
 * A form submitted in one go (a Feishu form container's `form_value`, the web
 * console's card inputs): the step reference its submit button carried and the raw values.
 */
export interface InboundForm extends InboundBase {
  type: 'form';
  /** The step reference (see MessageForm.ref). */
  form: ButtonAction;
  /** Raw values keyed by field key (empty fields may be absent). */
  values: Record<string, string>;
  /** The card that carried the form, when the platform says. */
  source?: MessageRef;
}

export type InboundEvent = InboundText | InboundButton | InboundForm;

export interface Button {
  /** Chinese label shown on the button. */
  label: string;
  payload: ButtonAction;
  /** Visual hint; platforms that cannot show it ignore it. */
  style?: 'primary' | 'danger' | 'default';
}

/** A labelled value shown on a card (Feishu) or as a line (Telegram). */
export interface CardField {
  label: string;
  value: string;
}

/** One input of a card form (a step field as the platform draws it). */
export interface FormInput {
  /** ASCII key: the name of the input in the submitted values. */
  key: string;
  label: string;
  kind: 'text' | 'textarea' | 'date' | 'select' | 'money' | 'number';
  required: boolean;
  options?: ReadonlyArray<{ value: string; label: string }>;
  placeholder?: string;
  /** The value the input starts with. */
  initial?: string;
}

/**
 * A form on a card: the inputs, the submit label, and the step reference the
 * submission carries back (small: it rides in Telegram's 64-byte callback data
 * and in a Feishu component name).
 */
export interface MessageForm {
  ref: ButtonAction;
  inputs: FormInput[];
  submitLabel: string;
}

/** What the bot says: Chinese text, optionally a title, fields, buttons and a form. */
export interface BotMessage {
  text: string;
  title?: string;
  fields?: CardField[];
  buttons?: Button[];
  form?: MessageForm;
}

export interface SendOptions {
  /**
   * Deterministic key of this send (e.g. `${eventId}:reply:0`): sending twice
   * with the same key posts one message.
   */
  dedupeKey: string;
}

/** A file to send (an attachment of a notification, e.g. a statutory table). */
export interface OutboundFile {
  /** Absolute path on this machine. */
  path: string;
  /** Name shown to the recipient. */
  fileName: string;
  mime: string;
  /** The notification and attachment index it belongs to (the web console links to it). */
  source?: { notificationId: number; index: number };
}

/** What an adapter gives the core to talk back. */
export interface OutboundPort {
  send(chat: ChatRef, message: BotMessage, options: SendOptions): Promise<MessageRef>;
  /** Sends a file as its own message; once per dedupe key, like `send`. */
  sendFile(chat: ChatRef, file: OutboundFile, options: SendOptions): Promise<MessageRef>;
  edit(ref: MessageRef, message: BotMessage): Promise<void>;
}
