import path from 'node:path';
import { z } from 'zod';

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
  logLevel: z.infer<typeof envSchema>['JIUZHU_LOG_LEVEL'];
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(`配置有误（环境变量）：\n${z.prettifyError(parsed.error)}`);
  }
  const e = parsed.data;
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
    logLevel: e.JIUZHU_LOG_LEVEL,
  };
}
