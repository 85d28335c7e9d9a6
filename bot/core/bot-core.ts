// The bot core: one pipeline of small middleware for every platform.
//
//   (inbox: record → claim) → audit (+ mark done) → parse command → /绑定 → identity → role check → alert/approval buttons
//     → step front door
//     → /取消 → /帮助 → /我的待办 → start forms → form answers → fallback
import { compose, type Middleware } from './middleware.js';
import { auditActions } from './audit.js';
import type { CaseStarter } from './case-starter.js';
import { parseCommand } from './commands.js';
import { BotContext, type BotDeps, type BotMiddleware } from './context.js';
import { cleanInboundEvent } from './clean-event.js';
import { claimInboxEvent, inboxAttemptFailed, inboxId, recordEvent } from './inbox.js';
import { complaintForm } from './forms/complaint.js';
import { complaintIntakeForm } from './forms/complaint-intake.js';
import { deathReportForm } from './forms/death-report.js';
import { imprisonmentReportForm } from './forms/imprisonment-report.js';
import { nearRelativeForm } from './forms/near-relative.js';
import { applicationForm } from './forms/application.js';
import { rectificationForm } from './forms/rectification.js';
import { openProgressCycleFor, progressReportForm } from './forms/progress-report.js';
import { openVillageCycleFor, townshipSubmitCommand, villageReportForm } from './forms/village-report.js';
import type { CountyPolicy } from '../../domain/policy/schema.js';
import { caseStatusCommand } from './case-status.js';
import { caseTransfer } from './case-transfer.js';
import { delegateCommand } from './delegation.js';
import { rectificationCommands } from './rectification-commands.js';
import { FormRunner } from './forms/engine.js';
import { bindCommand, resolveIdentity } from './identity.js';
import { myItemsCommand } from './my-items.js';
import { formatChinaDateTime } from '../../domain/time/instants.js';
import { timeLeftText } from '../../domain/time/time-left.js';
import { notificationButtonPress } from './notification-buttons.js';
import { stepFrontDoor } from './steps/front-door.js';
import { CASE_STEPS } from './steps/registry.js';
import { stepForms } from './steps/telegram-form.js';
import type { WorkflowGateway } from './workflow-gateway.js';
import { checkRole } from './permissions.js';
import { T } from './texts.js';
import { checkTextLength, MAX_MESSAGE_CHARS } from '../../domain/text.js';
import type { InboundEvent, OutboundPort } from './types.js';
import type { PrismaClient } from '../../prisma/generated/client.js';

export interface BotCoreOptions {
  prisma: PrismaClient;
  caseStarter: CaseStarter;
  workflows?: WorkflowGateway;
  /** The county policy: its focus items shape the progress report form (absent: no progress form). */
  policy?: CountyPolicy;
  now?: () => Date;
  formTtlMs?: number;
}

export interface BotCore {
  readonly prisma: PrismaClient;
  /**
   * Records one inbound event in the inbox and handles it now, talking back through `out`
   * (long connection, direct callers). A replay of a done event does nothing. Throws when it
   * should be retried (the event stays pending).
   */
  handle(event: InboundEvent, out: OutboundPort): Promise<void>;
  /** One attempt at an inbox event claimed by the caller; marks it done with its audit entry. */
  process(event: InboundEvent, out: OutboundPort, inboxId: string): Promise<void>;
}

const parseCommands: BotMiddleware = (ctx, next) => {
  if (ctx.event.type === 'text') ctx.command = parseCommand(ctx.event.text);
  if (ctx.command) ctx.auditNotes.command = ctx.command.name;
  return next();
};

/**
 * An overlong message is refused, never cut: in private chat, or when it is a command. Overlong group
 * chatter goes on (a form answer is refused by its field's own limit; other chatter is ignored).
 */
const refuseOverlong: BotMiddleware = async (ctx, next) => {
  if (ctx.event.type !== 'text' || (ctx.isGroup && !ctx.command)) return next();
  const refusal = checkTextLength('消息', ctx.event.text, MAX_MESSAGE_CHARS);
  if (!refusal) return next();
  ctx.auditNotes.outcome = 'too-long';
  await ctx.reply(refusal);
};

const helpCommand: BotMiddleware = async (ctx, next) => {
  if (ctx.command?.name !== 'help') return next();
  await ctx.reply(T.help);
};

function cancelCommand(forms: FormRunner): BotMiddleware {
  return async (ctx, next) => {
    if (ctx.command?.name !== 'cancel') return next();
    const had = await forms.cancel(ctx);
    ctx.auditNotes.outcome = had ? 'cancelled' : 'nothing';
    await ctx.reply(had ? T.cancelled : T.nothingToCancel);
  };
}

function startForms(forms: FormRunner, progress: boolean): BotMiddleware {
  return async (ctx, next) => {
    const name = ctx.command?.name;
    if (name === 'reportDeath') return forms.start(ctx, 'death');
    if (name === 'reportPrison') return forms.start(ctx, 'prison');
    if (name === 'nearRelative') return forms.start(ctx, 'nearRelative');
    if (name === 'registerApplication') return forms.start(ctx, 'application');
    if (name === 'rectifyOpen') return forms.start(ctx, 'rectify');
    if (name === 'registerComplaint') return forms.start(ctx, 'complaintIntake');
    if (name === 'villageReport') {
      const target = await openVillageCycleFor(ctx.prisma, ctx.staff!.id, 'VILLAGE');
      if (typeof target === 'string') {
        ctx.auditNotes.outcome = 'nothing-due';
        await ctx.reply(target);
        return;
      }
      return forms.start(ctx, 'village');
    }
    if (name === 'progressReport') {
      // Say at once when there is nothing to report, before asking for numbers.
      const target = progress ? await openProgressCycleFor(ctx.prisma, ctx.staff!.id) : '本县未配置工作进展报送。';
      if (typeof target === 'string') {
        ctx.auditNotes.outcome = 'nothing-due';
        await ctx.reply(target);
        return;
      }
      await ctx.reply(`${target.unitName}：本期工作进展截止 ${formatChinaDateTime(target.dueAt)}（${timeLeftText(ctx.deps.now().getTime(), target.dueAt.getTime())}），请逐项填写。`);
      return forms.start(ctx, 'progress');
    }
    if (name === 'complain') return forms.start(ctx, 'complaint');
    return next();
  };
}

const fallback: BotMiddleware = async (ctx) => {
  // In a group, ordinary chatter is none of the bot's business.
  if (ctx.isGroup && !ctx.command && ctx.event.type === 'text') return;
  ctx.auditNotes.outcome = 'unknown';
  await ctx.answer(T.unknown);
};

export function createBotCore(options: BotCoreOptions): BotCore {
  const deps: BotDeps = {
    prisma: options.prisma,
    caseStarter: options.caseStarter,
    ...(options.workflows ? { workflows: options.workflows } : {}),
    now: options.now ?? (() => new Date()),
    formTtlMs: options.formTtlMs ?? 30 * 60 * 1000,
  };
  const forms = new FormRunner([
    deathReportForm(deps.caseStarter, deps.now),
    imprisonmentReportForm(deps.caseStarter, deps.now),
    nearRelativeForm(deps.caseStarter),
    complaintForm(deps.caseStarter),
    complaintIntakeForm(deps.caseStarter),
    villageReportForm(),
    applicationForm(deps.caseStarter, deps.now),
    rectificationForm(deps.caseStarter, deps.now),
    ...(options.policy ? [progressReportForm(options.policy.focusItems)] : []),
    // Every step with fields, as a short chat form (Telegram has no card forms).
    ...CASE_STEPS.flatMap((kind) => kind.steps.filter((s) => s.fields.length > 0).flatMap((step) => stepForms({ kind, step }))),
  ]);
  const pipeline: Middleware<BotContext> = compose<BotContext>(
    auditActions,
    parseCommands,
    refuseOverlong,
    bindCommand,
    resolveIdentity,
    checkRole,
    notificationButtonPress(forms),
    stepFrontDoor(forms),
    cancelCommand(forms),
    helpCommand,
    myItemsCommand,
    caseStatusCommand,
    caseTransfer,
    delegateCommand,
    rectificationCommands,
    townshipSubmitCommand,
    startForms(forms, Boolean(options.policy)),
    forms.middleware,
    fallback,
  );
  const process = async (event: InboundEvent, out: OutboundPort, id: string) => {
    const ctx = new BotContext(event, out, deps);
    ctx.inboxId = id;
    await pipeline(ctx, async () => {});
  };
  return {
    prisma: options.prisma,
    process,
    handle: async (raw, out) => {
      const event = cleanInboundEvent(raw);
      const recorded = await recordEvent(deps.prisma, event);
      if (recorded === 'done' || recorded === 'failed') return;
      const claimed = await claimInboxEvent(deps.prisma, inboxId(event.platform, event.eventId));
      if (!claimed) return; // being handled elsewhere right now
      try {
        await process(claimed.event, out, claimed.id);
      } catch (err) {
        // The caller's retry (the platform's redelivery) may take it up at once.
        await inboxAttemptFailed(deps.prisma, claimed, err, { release: true });
        throw err;
      }
    },
  };
}
