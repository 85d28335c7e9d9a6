// The inbox processor: takes recorded events from the inbox (bot/core/inbox.ts)
// one at a time, in the order they came, and runs the bot core on each with
// replies going to the outbox (bot/core/outbox.ts), or straight to a local port
// (the web console, whose "sending" is a database write). A pass runs on every
// `kick` (a webhook recorded something) and every `intervalMs` (back-offs run
// out, a crashed process's events are taken up). After a pass that did work,
// `afterPass` runs (the delivery loop's kick, so replies go out at once).
//
// Answers come first: while a webhook is answering (`answering()` … its release), the processor
// waits before each event it would take, but a pass waits `yieldMs` in all at most (default 1 s):
// then it works through what is due without waiting again, so processing always starts within
// that bound after a kick and can never be starved by a stream of requests.
//
// A processor takes the events it recorded itself at once; events recorded by
// another process (replica) are left to it unless they are still pending after
// `takeOverAfterMs` (that process died or is stuck): then any processor takes
// them. Replies follow the same rule in the delivery loop (`owns`).
import { appendAudit } from '../../infra/audit-chain.js';
import type { PrismaClient } from '../../prisma/generated/client.js';
import type { BotCore } from './bot-core.js';
import { cleanInboundEvent } from './clean-event.js';
import { claimInboxEvent, dueInboxIds, inboxAttemptFailed, inboxId, recordEvents, staleInboxIds, type RecordOutcome } from './inbox.js';
import { outboxPort } from './outbox.js';
import { SenderRateLimit } from './sender-limit.js';
import { T } from './texts.js';
import type { InboundEvent, OutboundPort, Platform } from './types.js';
import { log } from '../../infra/logger.js';

export interface InboxProcessorOptions {
  prisma: PrismaClient;
  core: BotCore;
  /** Platforms whose port is local and used directly (the console); the others reply through the outbox. */
  direct?: Partial<Record<Platform, OutboundPort>>;
  /** Pass interval (default 1 s). */
  intervalMs?: number;
  /** Runs after a pass that processed something (e.g. the delivery loop's kick); awaited by `settle`. */
  afterPass?: () => Promise<unknown>;
  /** Per-sender limit of recorded events (default 30 a minute). */
  senderLimit?: { limit: number; windowMs: number };
  /** Events of other processes still pending after this long are taken over (default 15 s). */
  takeOverAfterMs?: number;
  /** The most a pass waits for webhook answers in flight before it processes anyway (default 1 s; 0: never waits). */
  yieldMs?: number;
  onError?: (err: unknown) => void;
}

export interface InboxProcessor {
  /** Records an event and starts a pass; 'limited' when its sender sent too much (nothing recorded). */
  record(event: InboundEvent): Promise<RecordOutcome | 'limited'>;
  /** Runs a pass now (after the one in progress). Resolves with how many events were processed. */
  kick(): Promise<number>;
  /** Waits up to `budgetMs` for the pending work and its replies (card actions, tests). */
  settle(budgetMs?: number): Promise<void>;
  stop(): Promise<void>;
  /** True when a reply's dedupe key belongs to an event this processor recorded or took over (its delivery is ours). */
  owns(dedupeKey: string): boolean;
  /**
   * A webhook request is being answered: processing waits (at most `yieldMs` a pass) until every
   * such request has called the returned release (once; later calls do nothing).
   */
  answering(): () => void;
}

/** How long an event stays "ours" for the delivery of its replies. */
const OWN_MS = 30 * 60_000;

export function createInboxProcessor(options: InboxProcessorOptions): InboxProcessor {
  const { prisma, core } = options;
  const onError = options.onError ?? ((err) => log('inbox').error({ err }, '收件箱事件处理出错'));
  const limiter = new SenderRateLimit(options.senderLimit?.limit ?? 30, options.senderLimit?.windowMs ?? 60_000);
  let chain: Promise<number> = Promise.resolve(0);
  let stopped = false;
  const takeOverAfterMs = options.takeOverAfterMs ?? 15_000;
  /** Inbox ids recorded or taken over here, with when (for `owns`: kept 30 minutes). */
  const mine = new Map<string, number>();
  const own = (id: string) => {
    mine.set(id, Date.now());
    if (mine.size > 5000) for (const [k, t] of mine) if (t < Date.now() - OWN_MS) mine.delete(k);
  };
  /** Of those, the ones not yet done or given up here: what a pass looks for (a short list, not every id of the last 30 minutes). */
  const waiting = new Set<string>();
  /** When the last pass looked for other processes' stale events (at most once a second: one query, not one per kick). */
  let staleCheckedAt = 0;

  const portFor = (event: InboundEvent) => options.direct?.[event.platform] ?? outboxPort(prisma, inboxId(event.platform, event.eventId));

  async function giveUp(event: InboundEvent, id: string, err: unknown) {
    await appendAudit(prisma, {
      actor: `${event.platform}:${event.senderId}`,
      action: 'bot.failed',
      subjectType: 'chat',
      subjectId: `${event.platform}:${event.chat.id}`,
      payload: { eventId: event.eventId, chatKind: event.chat.kind, error: err instanceof Error ? err.message.slice(0, 200) : 'error' },
    });
    await portFor(event).send(event.chat, { text: T.processingFailed }, { dedupeKey: `${id}:failed` });
  }

  // Answers in flight, and what waits for them to end (see `answering`).
  const yieldMs = options.yieldMs ?? 1000;
  let inFlight = 0;
  let quiet: Array<() => void> = [];
  /** When the running pass began to wait for answers (undefined: it has not waited yet). */
  let passWaitedFrom: number | undefined;
  /** Before each event: while answers are in flight, wait, but at most `yieldMs` since the pass first waited. */
  async function yieldToAnswers(): Promise<void> {
    if (inFlight === 0 || yieldMs <= 0) return;
    const from = (passWaitedFrom ??= Date.now());
    const left = from + yieldMs - Date.now();
    if (left <= 0) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      quiet.push(resolve);
      timer = setTimeout(resolve, left);
    });
    clearTimeout(timer);
  }

  let more = false;
  async function batch(): Promise<number> {
    let processed = 0;
    await yieldToAnswers();
    const now = new Date();
    const ours = waiting.size > 0 ? await dueInboxIds(prisma, now, 100, [...waiting]) : [];
    // A full batch: more may be due (one kick stands for many events); this pass takes them too.
    if (ours.length === 100) more = true;
    let taken: string[] = [];
    if (now.getTime() - staleCheckedAt >= 1000) {
      staleCheckedAt = now.getTime();
      taken = await staleInboxIds(prisma, new Date(now.getTime() - takeOverAfterMs), now);
    }
    for (const id of [...new Set([...ours, ...taken])]) {
      await yieldToAnswers();
      if (stopped) break;
      const claimed = await claimInboxEvent(prisma, id);
      if (!claimed) {
        // Done, given up or held by another processor: its next attempt is not ours to look for.
        waiting.delete(id);
        continue;
      }
      own(id);
      try {
        await core.process(claimed.event, portFor(claimed.event), claimed.id);
        waiting.delete(id);
        processed++;
      } catch (err) {
        onError(err);
        if (await inboxAttemptFailed(prisma, claimed, err)) {
          waiting.delete(id);
          await giveUp(claimed.event, claimed.id, err).catch(onError);
        } else waiting.add(id);
      }
    }
    return processed;
  }

  async function pass(): Promise<number> {
    let processed = 0;
    passWaitedFrom = undefined;
    do {
      more = false;
      const n = await batch();
      processed += n;
      if (n > 0 && options.afterPass) await options.afterPass().catch(onError);
    } while (more && !stopped);
    return processed;
  }

  // A kick joins a pass that is queued and not started yet (it will see every row recorded before it
  // starts): 16 events recorded at once make one pass, not 16 passes of two queries each.
  let queued: Promise<number> | undefined;
  const kick = () => {
    if (queued) return queued;
    const next = chain
      .catch(() => 0)
      .then(() => {
        queued = undefined;
        return stopped ? 0 : pass();
      });
    queued = next;
    chain = next;
    return next;
  };
  const timer = setInterval(() => {
    staleCheckedAt = 0; // the interval's pass always looks for stale events
    void kick().catch(onError);
  }, options.intervalMs ?? 1000);
  timer.unref();

  // Group commit: the events recorded while one INSERT runs wait for the next, all in one statement.
  // Each caller still answers only after its own row is written (or gets the error).
  let toWrite: Array<{ event: InboundEvent; resolve: (o: RecordOutcome) => void; reject: (err: unknown) => void }> = [];
  let writing = false;
  const flush = () => {
    if (writing || toWrite.length === 0) return;
    writing = true;
    const taken = toWrite;
    toWrite = [];
    recordEvents(
      prisma,
      taken.map((b) => b.event),
    )
      .then(
        (outcomes) => taken.forEach((b, i) => b.resolve(outcomes[i]!)),
        (err: unknown) => taken.forEach((b) => b.reject(err)),
      )
      .finally(() => {
        writing = false;
        flush();
      });
  };
  const write = (event: InboundEvent) =>
    new Promise<RecordOutcome>((resolve, reject) => {
      toWrite.push({ event, resolve, reject });
      if (toWrite.length === 1) setImmediate(flush);
    });

  return {
    async record(raw) {
      const event = cleanInboundEvent(raw);
      if (!limiter.take(`${event.platform}:${event.senderId}`)) return 'limited';
      const outcome = await write(event);
      if (outcome === 'new' || outcome === 'pending') {
        const id = inboxId(event.platform, event.eventId);
        own(id);
        waiting.add(id);
      }
      // After the caller has answered (the next turn of the event loop): the answer never waits on the work.
      if (outcome === 'new') setImmediate(() => void kick().catch(onError));
      return outcome;
    },
    kick,
    async settle(budgetMs = 30_000) {
      let timeout: NodeJS.Timeout | undefined;
      const work = (async () => {
        await kick();
        await options.afterPass?.();
      })();
      await Promise.race([work.catch(onError), new Promise<void>((r) => (timeout = setTimeout(r, budgetMs)))]);
      clearTimeout(timeout);
    },
    owns(dedupeKey) {
      // Reply keys are `<inbox id>:<tag>` with a tag of one or two parts (reply:0, edit:1, failed, submit-failed).
      const a = dedupeKey.lastIndexOf(':');
      const b = a > 0 ? dedupeKey.lastIndexOf(':', a - 1) : -1;
      return (a > 0 && mine.has(dedupeKey.slice(0, a))) || (b > 0 && mine.has(dedupeKey.slice(0, b)));
    },
    answering() {
      inFlight++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        if (--inFlight > 0) return;
        const waiting = quiet;
        quiet = [];
        for (const resolve of waiting) resolve();
      };
    },
    async stop() {
      stopped = true;
      for (const resolve of quiet.splice(0)) resolve();
      clearInterval(timer);
      await chain.catch(() => {});
    },
  };
}
