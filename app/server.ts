import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Connection } from '@temporalio/client';
import type { PrismaClient } from '../prisma/generated/client.js';
import { httpLogger } from '../infra/logger.js';
import { chineseFrameworkErrors } from '../bot/console/index.js';

export interface HealthDeps {
  temporal: Connection;
  prisma: PrismaClient;
  databaseKind: 'postgresql' | 'pglite';
  workerState: () => string;
}

export interface ComponentHealth {
  ok: boolean;
  detail: string;
}

/** Checks every component the service depends on, each within a short timeout. */
export async function checkHealth(deps: HealthDeps): Promise<{ ok: boolean; components: Record<string, ComponentHealth> }> {
  const withTimeout = async (p: Promise<string>): Promise<ComponentHealth> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      const detail = await Promise.race([
        p,
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('超时')), 3000); }),
      ]);
      return { ok: true, detail };
    } catch (err) {
      return { ok: false, detail: (err as Error).message };
    } finally {
      clearTimeout(timer);
    }
  };
  const [temporal, database] = await Promise.all([
    withTimeout(deps.temporal.workflowService.getSystemInfo({}).then((r) => `server ${r.serverVersion ?? 'unknown'}`)),
    withTimeout(deps.prisma.$queryRaw<{ v: string }[]>`select version() as v`.then((r) => `${deps.databaseKind}: ${r[0]?.v.split(' ').slice(0, 2).join(' ')}`)),
  ]);
  const state = deps.workerState();
  const worker: ComponentHealth = { ok: state === 'RUNNING' || state === 'NOT_IN_THIS_PROCESS', detail: state };
  return { ok: temporal.ok && database.ok && worker.ok, components: { temporal, database, worker } };
}

/**
 * What /health tells anyone who asks: ok or not, per component, and nothing else (no versions, no
 * error texts: the endpoint is public, and those help an attacker pick an exploit). `jiuzhu doctor`
 * shows the details on the machine itself.
 */
export function publicHealth(health: { ok: boolean; components: Record<string, ComponentHealth> }): { ok: boolean; components: Record<string, { ok: boolean }> } {
  return { ok: health.ok, components: Object.fromEntries(Object.entries(health.components).map(([name, c]) => [name, { ok: c.ok }])) };
}

export function createHttpServer(deps: HealthDeps): FastifyInstance {
  // Request log through the service's logger; paths only (a login link's token is in its query).
  const app = Fastify({ loggerInstance: httpLogger() as FastifyBaseLogger, frameworkErrors: chineseFrameworkErrors });
  app.get('/health', async (_req, reply) => {
    const health = await checkHealth(deps);
    return reply.code(health.ok ? 200 : 503).send(publicHealth(health));
  });
  return app;
}
