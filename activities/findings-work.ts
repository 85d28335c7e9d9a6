/**
 * Data becomes work (issue 13): after an import or a match, every finding and imported record that
 * the policy maps to work gets a WorkOrder row (natural key: the target workflow id, so a second
 * import or match records nothing twice); the findings-to-work workflow then opens each order
 * through the same client paths the bot uses (services/cases/*) and marks it opened. A finding that a
 * later match clears tells the assignee of its open work 「线索已消除」 once.
 *
 * `recordPendingWork` is also called by the CLI right after an import or a match, so work found while
 * Temporal is down waits in the database and is opened when the service runs.
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';

import { openApplicationReview } from '../services/cases/application-review.js';
import { openDeathReview } from '../services/cases/death-review.js';
import { openPrisonExit } from '../services/cases/prison-exit.js';
import { openRectificationItem } from '../services/cases/rectification-item.js';
import { loadCalendar } from '../services/county.js';
import { clearedNoticeKey, clearedWork } from '../readmodels/cleared-work.js';
import type { Prisma } from '../infra/db/client.js';
import {
  findingClearedText,
  findingsToWorkWorkflowId,
  WORK_ORDER_LABELS,
  type WorkOrderKind,
} from '../domain/cases/index.js';
import { describeFinding, parseYuan } from '../domain/matching/index.js';
import { describableFinding, workOrderInput } from '../domain/columns.js';
import type { CountyPolicy } from '../domain/policy/schema.js';
import { toChinaDate } from '../domain/time/instants.js';
import type { Database } from './deps.js';
import { isUniqueViolation } from './rows.js';

export { recordPendingWork, type FindingScope, type RecordWorkResult } from './findings-work-record.js';
import { recordPendingWork, type FindingScope, type RecordWorkResult } from './findings-work-record.js';

/**
 * From inside another activity (the payment watch's comparison): start (or join) the county's
 * findings-to-work run for this trigger on the worker's own task queue, through the worker's client.
 */
export async function startFindingsToWorkFromActivity(input: { countyRegionId: number; trigger: string; policy: CountyPolicy; only?: FindingScope }): Promise<void> {
  const ctx = Context.current();
  await ctx.client.workflow
    .start('findingsToWork', {
      taskQueue: ctx.info.taskQueue,
      workflowId: findingsToWorkWorkflowId(input.countyRegionId, input.trigger),
      args: [{ countyRegionId: input.countyRegionId, policy: input.policy, ...(input.only ? { only: input.only } : {}) }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    })
    .catch((err: unknown) => {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    });
}


export type OpenOutcome = 'opened' | 'existing' | 'notified' | `skipped: ${string}`;

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function createFindingWorkActivities(db: Database) {
  const { prisma } = db;
  const client = (): { client: Client; taskQueue: string } => {
    const ctx = Context.current();
    return { client: ctx.client, taskQueue: ctx.info.taskQueue };
  };

  async function openOne(order: { id: number; countyRegionId: number; workflowId: string; kind: WorkOrderKind; input: Prisma.JsonValue }, policy: CountyPolicy, sentAt: string): Promise<OpenOutcome> {
    const countyRegionId = order.countyRegionId;
    const where = `#${order.id}`;
    if (order.kind === 'askFiling') {
      const input = workOrderInput('askFiling', order.input, where);
      const dedupeKey = order.workflowId;
      const existing = await prisma.notification.findUnique({ where: { dedupeKey } });
      if (!existing) {
        try {
          await prisma.notification.create({ data: { dedupeKey, recipientStaffId: input.staffId, kind: 'prompt', text: input.text, sentAt: new Date(sentAt) } });
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
        }
      }
      return 'notified';
    }
    const { client: c, taskQueue } = client();
    try {
      switch (order.kind) {
        case 'deathReview':
          await openDeathReview(c, { taskQueue, countyRegionId, ...workOrderInput('deathReview', order.input, where), policy });
          break;
        case 'prisonExit':
          await openPrisonExit(c, { taskQueue, countyRegionId, ...workOrderInput('prisonExit', order.input, where), policy });
          break;
        case 'rectification': {
          const input = workOrderInput('rectification', order.input, where);
          await openRectificationItem(c, {
            taskQueue,
            countyRegionId,
            source: '大数据比对',
            problem: input.problem,
            sourceRef: input.sourceRef,
            responsibleRegionId: input.responsibleRegionId,
            responsibleUnit: input.responsibleUnit,
            responsibleStaffId: input.responsibleStaffId,
            measures: input.measures,
            discoveryDate: input.discoveryDate,
            policy,
          });
          break;
        }
        case 'applicationReview':
          await openApplicationReview(c, { taskQueue, countyRegionId, applicationId: workOrderInput('applicationReview', order.input, where).applicationId, policy, calendar: loadCalendar(db.dataDir ?? process.env.JIUZHU_DATA_DIR ?? './.data') });
          break;
        default:
          return `skipped: 未知的工作类型 ${order.kind}`;
      }
    } catch (err) {
      // A closed case under the same natural key is not reopened (REJECT_DUPLICATE).
      if (err instanceof WorkflowExecutionAlreadyStartedError) return 'existing';
      throw err;
    }
    return 'opened';
  }

  return {
    /** Records the county's pending work (see recordPendingWork). */
    async recordFindingWork(input: { countyRegionId: number; policy: CountyPolicy; only?: FindingScope }): Promise<RecordWorkResult> {
      return recordPendingWork(prisma, input);
    },

    /** Ids of orders not opened yet, in id order, after `afterId`. */
    async pendingWorkOrders(input: { countyRegionId: number; afterId: number; limit: number }): Promise<number[]> {
      const rows = await prisma.workOrder.findMany({
        where: { countyRegionId: input.countyRegionId, openedAt: null, id: { gt: input.afterId } },
        orderBy: { id: 'asc' },
        take: input.limit,
        select: { id: true },
      });
      return rows.map((r) => r.id);
    },

    /**
     * Opens these orders (each through its services/cases client path, natural-key workflow ids) and marks
     * each opened. Safe to retry: an order already opened is skipped, a start joins the running one.
     * One order that cannot be opened is recorded with its error and does not stop the others.
     */
    async openWorkOrders(input: { ids: number[]; policy: CountyPolicy; sentAt: string }): Promise<Record<string, number>> {
      const tally: Record<string, number> = {};
      for (const id of input.ids) {
        const order = await prisma.workOrder.findUnique({ where: { id } });
        if (!order || order.openedAt !== null) continue;
        let outcome: OpenOutcome;
        try {
          outcome = await openOne(order, input.policy, input.sentAt);
        } catch (err) {
          // A refusal (DomainInputError, bad input) is final; anything else is retried by the activity.
          if (err instanceof Error && err.name === 'DomainInputError') outcome = `skipped: ${err.message}`;
          else {
            await prisma.workOrder.update({ where: { id }, data: { lastError: errorText(err).slice(0, 500) } });
            throw err;
          }
        }
        await prisma.workOrder.update({ where: { id }, data: { openedAt: new Date(), outcome, lastError: null } });
        const key = outcome.startsWith('skipped') ? 'skipped' : outcome;
        tally[key] = (tally[key] ?? 0) + 1;
        Context.current().heartbeat(id);
      }
      return tally;
    },

    /**
     * 「线索已消除」: for each cleared finding of the county whose work is still open, one notification
     * to the assignee (dedupe key per finding and work), never a closure.
     */
    async notifyClearedFindings(input: { countyRegionId: number; sentAt: string }): Promise<number> {
      const rows = await clearedWork(prisma, input.countyRegionId);
      let sent = 0;
      for (const r of rows) {
        const dedupeKey = clearedNoticeKey(r.findingId, r.workflowId);
        if (await prisma.notification.findUnique({ where: { dedupeKey }, select: { id: true } })) continue;
        const c = await prisma.case.findUnique({ where: { workflowId: r.workflowId } });
        let recipient = c?.status === 'OPEN' ? c.assigneeStaffId : null;
        if (r.workKind === 'rectification') {
          const item = await prisma.rectificationItem.findUnique({ where: { workflowId: r.workflowId } });
          recipient = item && item.status !== 'COMPLETED' ? item.responsibleStaffId : null;
        }
        if (recipient === null || recipient === undefined) continue;
        const description = describeFinding(describableFinding({ kind: r.kind, evidence: r.evidence, period: r.period, amount: parseYuan(r.amount) }, `#${r.findingId}`));
        const what = WORK_ORDER_LABELS[r.workKind as WorkOrderKind] ?? '工作';
        try {
          await prisma.notification.create({
            data: {
              dedupeKey,
              recipientStaffId: recipient,
              kind: 'alert',
              text: findingClearedText(what, r.findingId, description, toChinaDate(r.clearedAt)),
              caseId: c?.id ?? null,
              sentAt: new Date(input.sentAt),
            },
          });
          sent++;
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
        }
      }
      return sent;
    },
  };
}

export type FindingWorkActivities = ReturnType<typeof createFindingWorkActivities>;
