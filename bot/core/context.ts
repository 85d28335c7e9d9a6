// The context each middleware sees for one inbound event.
import type { PrismaClient } from '../../prisma/generated/client.js';
import type { StaffRole } from '../../prisma/generated/enums.js';
import type { CaseStarter } from './case-starter.js';
import type { ParsedCommand } from './commands.js';
import type { WorkflowGateway } from './workflow-gateway.js';
import type { BotMessage, InboundEvent, MessageRef, OutboundPort } from './types.js';

/** The staff member behind a bound chat account. */
export interface StaffIdentity {
  id: number;
  name: string;
  role: StaffRole;
  regionId: number;
}

export interface BotDeps {
  prisma: PrismaClient;
  caseStarter: CaseStarter;
  /** Sends button presses to workflows as Updates (absent: approval buttons answer that the service is unavailable). */
  workflows?: WorkflowGateway;
  /** Clock (tests move it). */
  now: () => Date;
  /** Form lifetime in ms since the last answer (default 30 min). */
  formTtlMs: number;
}

export class BotContext {
  /** Set by the identity middleware. */
  staff?: StaffIdentity;
  /** Set by the command parser (undefined for plain text and buttons). */
  command?: ParsedCommand;
  /** What the audit middleware records about this event (filled in by handlers; masked data only). */
  readonly auditNotes: Record<string, string | number | boolean> = {};
  /** The inbox row of this event: the audit step marks it done in the audit entry's transaction. */
  inboxId?: string;
  private replies = 0;

  constructor(
    readonly event: InboundEvent,
    readonly out: OutboundPort,
    readonly deps: BotDeps,
  ) {}

  get prisma(): PrismaClient {
    return this.deps.prisma;
  }

  get isGroup(): boolean {
    return this.event.chat.kind === 'group';
  }

  /**
   * Sends into the chat the event came from. The n-th reply to an event (or the
   * reply with this tag) has a fixed dedupe key, so a retried event never posts twice.
   */
  reply(message: BotMessage | string, tag?: string): Promise<MessageRef> {
    const msg = typeof message === 'string' ? { text: message } : message;
    const dedupeKey = `${this.event.platform}:${this.event.eventId}:${tag ?? `reply:${this.replies++}`}`;
    return this.out.send(this.event.chat, msg, { dedupeKey });
  }

  /**
   * Shows an outcome on the message whose button was pressed (edit), or
   * replies when there is no such message.
   */
  async answer(message: BotMessage | string): Promise<void> {
    const msg = typeof message === 'string' ? { text: message } : message;
    if ((this.event.type === 'button' || this.event.type === 'form') && this.event.source) {
      await this.out.edit(this.event.source, msg);
      return;
    }
    await this.reply(msg);
  }
}

export type BotMiddleware = import('./middleware.js').Middleware<BotContext>;
