import path from 'node:path';
import { z } from 'zod';
import { resolveHashKey } from './hash-key.js';

/**
 * Process configuration, read once from the environment. Every variable is
 * optional: with none set, `jiuzhu start` runs on embedded defaults (PGlite and
 * a Temporal dev server with its SQLite file, both in the data folder).
 */
const envSchema = z.object({
  JIUZHU_DATA_DIR: z.string().min(1).default('./.data'),
  /** A real PostgreSQL. Unset: the embedded PGlite in the data folder. */
  DATABASE_URL: z.string().min(1).optional(),
  /** Port PGlite is served on (loopback) when DATABASE_URL is unset; 0 = any free port. */
  JIUZHU_PGLITE_PORT: z.coerce.number().int().min(0).max(65535).default(55433),
  /** An existing Temporal frontend (host:port). Unset: start the dev server. */
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('jiuzhu'),
  /** An existing Temporal CLI binary; otherwise scripts/temporal-cli.sh provides one. */
  TEMPORAL_CLI_PATH: z.string().min(1).optional(),
  JIUZHU_TEMPORAL_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  JIUZHU_TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  JIUZHU_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  JIUZHU_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Feishu/Lark app (开放平台 → 凭证与基础信息 / 事件与回调). Unset FEISHU_APP_ID: no Feishu front. */
  FEISHU_APP_ID: z.string().min(1).optional(),
  FEISHU_APP_SECRET: z.string().min(1).optional(),
  FEISHU_ENCRYPT_KEY: z.string().min(1).optional(),
  FEISHU_VERIFICATION_TOKEN: z.string().min(1).optional(),
  /** webhook: Feishu posts to /webhooks/feishu; ws: long connection (no public URL needed). */
  FEISHU_MODE: z.enum(['webhook', 'ws']).default('webhook'),
  /** feishu | lark | a base URL (a test fake). */
  FEISHU_DOMAIN: z.string().min(1).default('feishu'),
  /** Telegram bot (@BotFather). Unset: no Telegram front. */
  TELEGRAM_BOT_TOKEN: z.string().min(1).optional(),
  /** webhook: Telegram posts to /webhooks/telegram with this secret; polling: long polling (no public URL). */
  TELEGRAM_MODE: z.enum(['webhook', 'polling']).default('polling'),
  TELEGRAM_WEBHOOK_SECRET: z.string().regex(/^[A-Za-z0-9_-]{1,256}$/).optional(),
  /** Public HTTPS URL of /webhooks/telegram: set, the server calls setWebhook at start. */
  TELEGRAM_WEBHOOK_URL: z.string().url().optional(),
  TELEGRAM_API_ROOT: z.string().url().optional(),
  /** How often pending alerts are delivered to chats (ms). */
  JIUZHU_DELIVERY_INTERVAL_MS: z.coerce.number().int().min(100).default(2000),
  /** 1: the web console lets anyone pick any staff member (demonstrations only). */
  JIUZHU_DEMO: z.enum(['0', '1', 'true', 'false']).default('0'),
  JIUZHU_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

export interface AppConfig {
  dataDir: string;
  databaseUrl: string | undefined;
  pglitePort: number;
  temporal: {
    address: string | undefined;
    namespace: string;
    taskQueue: string;
    cliPath: string | undefined;
    devServerPort: number;
    devServerUiPort: number;
  };
  http: { host: string; port: number };
  feishu?: FeishuConfig;
  telegram?: TelegramConfig;
  deliveryIntervalMs: number;
  /** JIUZHU_DEMO=1: the console's identity picker (never on a real deployment). */
  demo: boolean;
  logLevel: z.infer<typeof envSchema>['JIUZHU_LOG_LEVEL'];
}

export interface FeishuConfig {
  appId: string;
  appSecret: string;
  mode: 'webhook' | 'ws';
  /** Required in webhook mode (the signature and decryption key). */
  encryptKey: string | undefined;
  verificationToken: string | undefined;
  domain: string;
}

export interface TelegramConfig {
  token: string;
  mode: 'webhook' | 'polling';
  webhookSecret: string | undefined;
  webhookUrl: string | undefined;
  apiRoot: string | undefined;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // An empty variable counts as unset (docker compose passes `${FEISHU_APP_ID:-}` as '').
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    throw new ConfigError(`配置有误（环境变量）：\n${z.prettifyError(parsed.error)}`);
  }
  const e = parsed.data;
  const problems: string[] = [];
  let feishu: FeishuConfig | undefined;
  if (e.FEISHU_APP_ID) {
    if (!e.FEISHU_APP_SECRET) problems.push('设置了 FEISHU_APP_ID，还须设置 FEISHU_APP_SECRET');
    if (e.FEISHU_MODE === 'webhook' && !e.FEISHU_ENCRYPT_KEY) problems.push('飞书事件回调模式必须设置 FEISHU_ENCRYPT_KEY（否则无法校验请求签名），或改用 FEISHU_MODE=ws');
    if (e.FEISHU_MODE === 'webhook' && !e.FEISHU_VERIFICATION_TOKEN) problems.push('飞书事件回调模式必须设置 FEISHU_VERIFICATION_TOKEN');
    feishu = { appId: e.FEISHU_APP_ID, appSecret: e.FEISHU_APP_SECRET ?? '', mode: e.FEISHU_MODE, encryptKey: e.FEISHU_ENCRYPT_KEY, verificationToken: e.FEISHU_VERIFICATION_TOKEN, domain: e.FEISHU_DOMAIN };
  }
  let telegram: TelegramConfig | undefined;
  if (e.TELEGRAM_BOT_TOKEN) {
    if (e.TELEGRAM_MODE === 'webhook' && !e.TELEGRAM_WEBHOOK_SECRET) problems.push('Telegram webhook 模式必须设置 TELEGRAM_WEBHOOK_SECRET（1–256 位字母、数字、_ 或 -）');
    telegram = { token: e.TELEGRAM_BOT_TOKEN, mode: e.TELEGRAM_MODE, webhookSecret: e.TELEGRAM_WEBHOOK_SECRET, webhookUrl: e.TELEGRAM_WEBHOOK_URL, apiRoot: e.TELEGRAM_API_ROOT };
  }
  try {
    resolveHashKey(env);
  } catch (err) {
    problems.push(err instanceof Error ? err.message : String(err));
  }
  const demo = e.JIUZHU_DEMO === '1' || e.JIUZHU_DEMO === 'true';
  if (demo && !['127.0.0.1', 'localhost', '::1'].includes(e.JIUZHU_HTTP_HOST)) {
    problems.push('演示模式（JIUZHU_DEMO=1）允许任意切换身份，只能在本机监听：请把 JIUZHU_HTTP_HOST 设为 127.0.0.1');
  }
  if (problems.length) throw new ConfigError(`配置有误（环境变量）：\n${problems.map((p) => `✖ ${p}`).join('\n')}`);
  return {
    dataDir: path.resolve(e.JIUZHU_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    pglitePort: e.JIUZHU_PGLITE_PORT,
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      cliPath: e.TEMPORAL_CLI_PATH,
      devServerPort: e.JIUZHU_TEMPORAL_PORT,
      devServerUiPort: e.JIUZHU_TEMPORAL_UI_PORT,
    },
    http: { host: e.JIUZHU_HTTP_HOST, port: e.JIUZHU_HTTP_PORT },
    ...(feishu ? { feishu } : {}),
    ...(telegram ? { telegram } : {}),
    deliveryIntervalMs: e.JIUZHU_DELIVERY_INTERVAL_MS,
    demo,
    logLevel: e.JIUZHU_LOG_LEVEL,
  };
}
