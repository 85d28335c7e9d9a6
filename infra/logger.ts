/**
 * The one structured logger of the services (pino): levels, JSON lines, the error's stack, and
 * personal data kept out. Fields that may hold personal data are redacted by name; every string
 * message and error text is passed through `maskPersonalText` (ID numbers, bank accounts, mobile
 * numbers), so a value echoed back in an error does not reach the log either.
 *
 * Where the lines go: `jiuzhu start` (one terminal, a human Chinese banner) writes them to
 * `<data folder>/logs/jiuzhu.log`; `jiuzhu worker` and `jiuzhu server` (containers) to stdout.
 * Under vitest the logger is silent unless JIUZHU_LOG_LEVEL is set.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';
import { maskPersonalText } from '../domain/identity/contact.js';

const REDACT = [
  'idNumber', 'bankAccount', 'account', 'phone', 'mobile', 'idCard', 'complainantPhone', 'complainantIdNumber', 'appSecret', 'encryptKey', 'botToken', 'secret', 'token',
].flatMap((k) => [k, `*.${k}`]);

function maskError(err: unknown): unknown {
  const s = stdSerializers.err(err as Error) as unknown as Record<string, unknown>;
  if (typeof s.message === 'string') s.message = maskPersonalText(s.message);
  if (typeof s.stack === 'string') s.stack = maskPersonalText(s.stack);
  return s;
}

const defaultLevel = () => process.env.JIUZHU_LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info');

/** A logger writing JSON lines to `destination` (default stdout; stderr when JIUZHU_LOG_STDERR=1, as one-shot CLI commands set it). */
export function createLogger(opts: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: opts.level ?? defaultLevel(),
      base: { service: 'jiuzhu', pid: process.pid },
      redact: { paths: REDACT, censor: '[已屏蔽]' },
      serializers: { err: maskError, error: maskError },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? maskPersonalText(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    opts.destination ?? (process.env.JIUZHU_LOG_STDERR === '1' ? pino.destination(2) : undefined),
  );
}

/** The process's logger (a live binding: `useLogFile` replaces it for the whole process). */
export let logger: Logger = createLogger();
/** Whether `logger` was made with JIUZHU_LOG_STDERR as it is now, or set by useLogFile (the CLI sets the variable after this module may have loaded). */
let loggerFor: string | 'file' = process.env.JIUZHU_LOG_STDERR ?? '';

/** Sends this process's log to a file under the data folder (`jiuzhu start`); returns its path. */
export function useLogFile(dataDir: string): string {
  const dir = path.join(dataDir, 'logs');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, 'jiuzhu.log');
  logger = createLogger({ destination: pino.destination({ dest: file, mkdir: true, sync: false }) });
  loggerFor = 'file';
  return file;
}

/** The logger of one part of the service: `component` names it in every line. */
export function log(component: string): Logger {
  if (loggerFor !== 'file' && loggerFor !== (process.env.JIUZHU_LOG_STDERR ?? '')) {
    logger = createLogger();
    loggerFor = process.env.JIUZHU_LOG_STDERR ?? '';
  }
  return logger.child({ component });
}

/** Fastify's request log (`loggerInstance`): method, path without the query, status and time. */
export function httpLogger(): Logger {
  return logger.child(
    { component: 'http' },
    {
      serializers: {
        req: (req: { id?: string; method?: string; url?: string }) => ({ id: req.id, method: req.method, path: (req.url ?? '').split('?')[0] }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
    },
  );
}
