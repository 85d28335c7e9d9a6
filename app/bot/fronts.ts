// The chat fronts of one server process: the platform-neutral core with its
// Temporal ports, the Feishu and Telegram adapters the configuration enables
// (webhook routes on the HTTP server, or long connection / long polling), and
// the loop that delivers pending alerts to people's private chats.
import * as lark from '@larksuiteoapi/node-sdk';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';

import { startDeliveryLoop, type DeliveryLoop } from '../../bot/core/alerts.js';
import { createInboxProcessor } from '../../bot/core/inbox-processor.js';
import { createBotCore, type BotCore } from '../../bot/core/bot-core.js';
import { createConsoleStore, registerConsole } from '../../bot/console/index.js';
import type { CaseStarter } from '../../bot/core/case-starter.js';
import type { OutboundPort, Platform } from '../../bot/core/types.js';
import { createFeishuSender, registerFeishuWebhook, startFeishuLongConnection } from '../../bot/lark/index.js';
import { createTelegramBot, registerTelegramWebhook, startTelegramPolling } from '../../bot/telegram/index.js';
import type { CountyPolicy } from '../../domain/policy/schema.js';
import type { WorkCalendar } from '../../domain/time/work-calendar.js';
import type { PrismaClient } from '../../prisma/generated/client.js';
import type { FeishuConfig, TelegramConfig } from '../../infra/config.js';
import { registerDashboard } from '../../dashboard/index.js';
import { createTemporalCaseStarter } from './case-starter.js';
import { createTemporalGateway } from '../../bot/temporal-gateway.js';

export interface BotFrontsOptions {
  app: FastifyInstance;
  prisma: PrismaClient;
  client: Client;
  taskQueue: string;
  policy: CountyPolicy;
  /** Working days (complaint deadlines). */
  calendar?: WorkCalendar;
  feishu?: FeishuConfig;
  telegram?: TelegramConfig;
  deliveryIntervalMs: number;
  /** Web console (/console): demo mode lets anyone act as any staff member (JIUZHU_DEMO=1). */
  demo?: boolean;
  /** The data folder (attachments of notifications are read from it; default JIUZHU_DATA_DIR, else ./.data). */
  dataDir?: string;
  /** Clock of the bot core (tests follow the workflow clock). */
  now?: () => Date;
  /** Replaces the Temporal case starter (tests). */
  caseStarter?: CaseStarter;
  log: (line: string) => void;
  /**
   * Errors of the loops and callbacks pass here first: true when handled (the database being
   * unreachable, said once by the database watch), so the line is not printed on every pass.
   */
  absorbError?: (err: unknown) => boolean;
}

export interface BotFronts {
  core: BotCore;
  outs: Partial<Record<Platform, OutboundPort>>;
  /** What is listening where (for the start-up banner). */
  describe: string[];
  delivery: DeliveryLoop;
  /** Resolves when work started after a response (card actions) has finished. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

function feishuDomain(domain: string): lark.Domain | string {
  if (domain === 'feishu') return lark.Domain.Feishu;
  if (domain === 'lark') return lark.Domain.Lark;
  return domain;
}

export async function startBotFronts(options: BotFrontsOptions): Promise<BotFronts> {
  const { prisma } = options;
  const onError = (where: string) => (err: unknown) => {
    if (options.absorbError?.(err)) return;
    options.log(`${where}：${err instanceof Error ? err.message : String(err)}`);
  };
  const core = createBotCore({
    prisma,
    caseStarter: options.caseStarter ?? createTemporalCaseStarter({ client: options.client, prisma, taskQueue: options.taskQueue, policy: options.policy, ...(options.calendar ? { calendar: options.calendar } : {}), ...(options.now ? { now: options.now } : {}) }),
    workflows: createTemporalGateway(options.client),
    policy: options.policy,
    ...(options.now ? { now: options.now } : {}),
  });
  const outs: Partial<Record<Platform, OutboundPort>> = {};
  const describe: string[] = [];
  const stops: Array<() => Promise<void> | void> = [];
  const idles: Array<() => Promise<void>> = [];

  // The inbox: every front records its events here; one processor handles them (replies to the outbox,
  // console replies straight into the console's own log), then kicks the delivery loop.
  const consoleStore = createConsoleStore(prisma, options.now);
  outs.console = consoleStore.port;
  // The delivery loop starts below (it needs every platform's sender); the inbox kicks it after each pass.
  const deliveryRef: { loop?: DeliveryLoop } = {};
  const inbox = createInboxProcessor({ prisma, core, direct: { console: consoleStore.port }, afterPass: async () => deliveryRef.loop?.kick(), onError: onError('事件处理') });
  idles.push(() => inbox.settle());
  // The outbox: notifications and queued replies, sent by one loop with each platform's sender.
  const feishuOut = options.feishu ? createFeishuSender({ appId: options.feishu.appId, appSecret: options.feishu.appSecret, domain: feishuDomain(options.feishu.domain), prisma }) : undefined;
  if (feishuOut) outs.feishu = feishuOut;
  const tgBot = options.telegram ? createTelegramBot({ token: options.telegram.token, core, prisma, inbox, ...(options.telegram.apiRoot ? { apiRoot: options.telegram.apiRoot } : {}) }) : undefined;
  if (tgBot) outs.telegram = tgBot.out;
  const delivery = startDeliveryLoop({ prisma, outs, ownsReply: (k) => inbox.owns(k), ...(options.dataDir ? { dataDir: options.dataDir } : {}), intervalMs: options.deliveryIntervalMs, onError: (err) => onError('消息推送')(err) });

  if (options.feishu && feishuOut) {
    const f = options.feishu;
    const out = feishuOut;
    if (f.mode === 'ws') {
      const conn = startFeishuLongConnection({ appId: f.appId, appSecret: f.appSecret, domain: feishuDomain(f.domain), core, out, inbox, onError: onError('飞书长连接') });
      stops.push(() => conn.close());
      describe.push('飞书：长连接模式');
    } else {
      const hook = registerFeishuWebhook(options.app, {
        appId: f.appId,
        encryptKey: f.encryptKey!,
        verificationToken: f.verificationToken!,
        core,
        out,
        inbox,
        onError: onError('飞书事件回调'),
      });
      describe.push(`飞书：事件回调 ${hook.path}`);
    }
  }

  if (options.telegram && tgBot) {
    const t = options.telegram;
    if (t.mode === 'webhook') {
      const hook = registerTelegramWebhook(options.app, { bot: tgBot, secretToken: t.webhookSecret!, onError: onError('Telegram webhook') });
      if (t.webhookUrl) {
        // Not fatal: with the Bot API unreachable the service still starts (the webhook may be set already).
        await tgBot.bot.api.setWebhook(t.webhookUrl, { secret_token: t.webhookSecret!, allowed_updates: ['message', 'callback_query'] }).catch((err: unknown) => onError('Telegram webhook 设置失败（稍后可重启服务再试）')(err));
      }
      describe.push(`Telegram：webhook ${hook.path}`);
    } else {
      await tgBot.bot.api.deleteWebhook();
      const runner = startTelegramPolling(tgBot.bot);
      stops.push(async () => {
        if (runner.isRunning()) await runner.stop();
      });
      describe.push('Telegram：长轮询模式');
    }
  }

  // The web console is always on (the HTTP server listens on loopback by default).
  const county = await prisma.region.findFirst({ where: { level: 'COUNTY', name: options.policy.county.name }, select: { id: true } });
  const consoleRoutes = registerConsole(options.app, { prisma, core, inbox, store: consoleStore, demo: options.demo ?? false, countyRegionId: county?.id, ...(options.dataDir ? { dataDir: options.dataDir } : {}), ...(options.now ? { now: options.now } : {}), onError: onError('控制台') });
  stops.push(() => consoleRoutes.close());
  // The 专班 dashboard (/dashboard): read-only, same access rules as the console.
  registerDashboard(options.app, { prisma, demo: options.demo ?? false, countyRegionId: county?.id, ...(options.now ? { now: options.now } : {}) });
  idles.push(() => consoleRoutes.idle());
  deliveryRef.loop = delivery;
  const loop = delivery;
  idles.push(async () => void (await loop.kick()));
  stops.push(() => loop.stop());
  stops.push(() => inbox.stop());

  return {
    core,
    outs,
    describe,
    delivery: loop,
    async idle() {
      for (const i of idles) await i();
    },
    async stop() {
      for (const s of stops.reverse()) await s();
    },
  };
}
