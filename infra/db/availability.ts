// The database going away under a running service (PostgreSQL restarted, network cut) and coming back:
// said once in Chinese each way instead of a driver error on every pass of every loop. The loops keep
// running and retry on their own (the delivery loop, the inbox, Temporal's activity retries); this
// watcher only probes the database and tells the operator what is happening.
import type { PrismaClient } from './client.js';

const UNREACHABLE_CODES = new Set([
  'P1001', // Can't reach database server
  'P1002', // timed out
  'P1017', // Server has closed the connection
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  '57P01', // admin_shutdown: terminating connection due to administrator command
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: the database system is starting up / shutting down
]);

const UNREACHABLE_TEXT =
  /Can't reach database server|Server has closed the connection|Connection terminated|connection (?:is )?(?:closed|terminated)|ECONNREFUSED|ECONNRESET|terminating connection due to administrator command|the database system is (?:starting up|shutting down|in recovery mode)|DatabaseNotReachable|ConnectionClosed/i;

/** Whether `err` (or an error it wraps) says the database cannot be reached right now. */
export function isDatabaseUnreachable(err: unknown, depth = 0): boolean {
  if (depth > 5 || err === null || typeof err !== 'object') return false;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown; kind?: unknown; originalCode?: unknown };
  for (const c of [e.code, e.originalCode, e.kind]) if (typeof c === 'string' && (UNREACHABLE_CODES.has(c) || UNREACHABLE_TEXT.test(c))) return true;
  if (typeof e.message === 'string' && UNREACHABLE_TEXT.test(e.message)) return true;
  return isDatabaseUnreachable(e.cause, depth + 1);
}

export interface DatabaseWatch {
  /** True while the database is known to be unreachable. */
  down(): boolean;
  /**
   * For a loop's error handler: true when `err` is the database being unreachable (the watcher says so
   * once; the caller prints nothing), false for any other error (the caller reports it as before).
   */
  absorb(err: unknown): boolean;
  stop(): void;
}

/** Probes the database every `intervalMs` (SELECT 1) and says in Chinese when it goes away and when it is back. */
export function watchDatabase(prisma: PrismaClient, say: (line: string) => void, opts: { intervalMs?: number; now?: () => number } = {}): DatabaseWatch {
  const now = opts.now ?? Date.now;
  let downSince: number | undefined;
  let probing = false;
  const wentDown = () => {
    if (downSince !== undefined) return;
    downSince = now();
    say('数据库连接中断（无法连接数据库）：服务继续运行并自动重试，恢复后到期的提醒和消息会补发，无需重启。若长时间未恢复，请检查数据库服务是否在运行。');
  };
  const probe = async () => {
    if (probing) return;
    probing = true;
    try {
      await prisma.$queryRawUnsafe('SELECT 1');
      if (downSince !== undefined) {
        const seconds = Math.max(1, Math.round((now() - downSince) / 1000));
        downSince = undefined;
        say(`数据库已恢复（中断约 ${seconds} 秒），服务继续运行，中断期间到期的提醒和消息正在补发。`);
      }
    } catch (err) {
      if (isDatabaseUnreachable(err)) wentDown();
    } finally {
      probing = false;
    }
  };
  const timer = setInterval(() => void probe(), opts.intervalMs ?? 2000);
  timer.unref();
  return {
    down: () => downSince !== undefined,
    absorb(err) {
      if (!isDatabaseUnreachable(err)) return false;
      wentDown();
      return true;
    },
    stop: () => clearInterval(timer),
  };
}
