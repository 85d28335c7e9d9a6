/**
 * Client side of "findings to work" (issue 13): after an import or a match, start (or join) the
 * county's findings-to-work run for that trigger. The work is recorded in the database before
 * (activities/findings-work.ts recordPendingWork), so when Temporal cannot be reached the orders
 * wait and the service's start-up sweep opens them.
 */
import { Client, Connection, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { findingsToWorkWorkflowId } from '../../domain/cases/finding-work.js';
import type { CountyPolicy } from '../../domain/policy/schema.js';
import type { PrismaClient } from '../../prisma/generated/client.js';
import { findingsToWork } from '../../workflows/findings-to-work.js';
import { clearedWithoutNotice } from '../../readmodels/cleared-work.js';
import type { AppConfig } from '../../infra/config.js';
import { createDataConverter, loadPayloadKey } from '../../infra/temporal/payload-codec.js';
import { tcpReachable, temporalAddress } from '../../infra/temporal/reachable.js';
import { log } from '../../infra/logger.js';

export async function startFindingsToWork(
  client: Client,
  input: { taskQueue: string; countyRegionId: number; trigger: string; policy: CountyPolicy },
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof findingsToWork>> {
  return client.workflow.start(findingsToWork, {
    taskQueue: input.taskQueue,
    workflowId: findingsToWorkWorkflowId(input.countyRegionId, input.trigger),
    args: [{ countyRegionId: input.countyRegionId, policy: input.policy }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  });
}

/** The start-up sweep: one run for the orders still pending (trigger = the last pending order id). */
export async function sweepPendingWork(client: Client, prisma: PrismaClient, input: { taskQueue: string; countyRegionId: number; policy: CountyPolicy }): Promise<number> {
  const last = await prisma.workOrder.findFirst({ where: { countyRegionId: input.countyRegionId, openedAt: null }, orderBy: { id: 'desc' }, select: { id: true } });
  const pending = await prisma.workOrder.count({ where: { countyRegionId: input.countyRegionId, openedAt: null } });
  const cleared = await clearedWithoutNotice(prisma, input.countyRegionId);
  if (!last && cleared.count === 0) return 0;
  await startFindingsToWork(client, { ...input, trigger: `pending-${last?.id ?? 0}-cleared-${cleared.lastFindingId ?? 0}` }).catch((err: unknown) => {
    if (!(err instanceof Error && err.name === 'WorkflowExecutionAlreadyStartedError')) throw err;
  });
  return pending;
}

/**
 * For the CLI: a client to the configured Temporal server, or undefined when none answers within
 * `timeoutMs` (the work then waits for the service).
 */
export async function tryConnectTemporal(config: AppConfig, timeoutMs = 2000): Promise<{ client: Client; close(): Promise<void> } | undefined> {
  const address = temporalAddress(config);
  // A refused TCP connection answers at once; the gRPC client instead retries until its timeout
  // (2 s added to every `jiuzhu match` and import while the service is down).
  if (!(await tcpReachable(address, timeoutMs))) return undefined;
  try {
    const connection = await Connection.connect({ address, connectTimeout: timeoutMs });
    await connection.workflowService.getSystemInfo({});
    const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: createDataConverter(loadPayloadKey(config.dataDir)) });
    return { client, close: () => connection.close() };
  } catch (err) {
    // The port answers but Temporal does not: the orders stay recorded for the service to open.
    log('findings-to-work').info({ err, address }, 'Temporal 未响应，工作单留待服务开启');
    return undefined;
  }
}

