// The bot's WorkflowGateway on a Temporal client: a step becomes an Update
// (named by its definition) with the platform's event id as update id. Temporal
// answers a repeated update id with the first outcome, so a redelivered press
// decides nothing twice.
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { WorkflowGateway, WorkflowUpdateOutcome } from './core/workflow-gateway.js';

function refusal(error: unknown): string | undefined {
  if (error instanceof WorkflowUpdateFailedError) return error.cause?.message ?? '该操作未被接受';
  if (error instanceof WorkflowNotFoundError) return '该事项已办结或不存在';
  return undefined;
}

export function createTemporalGateway(client: Client): WorkflowGateway {
  return {
    async execute(update, { workflowId, args, updateId }) {
      try {
        const result = await client.workflow.getHandle(workflowId).executeUpdate(update, { args: [args], updateId });
        return { ok: true, result } satisfies WorkflowUpdateOutcome<typeof result>;
      } catch (error) {
        const message = refusal(error);
        if (message === undefined) throw error;
        return { ok: false, message };
      }
    },
    async query(query, workflowId) {
      try {
        return await client.workflow.getHandle(workflowId).query(query);
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return null;
        throw error;
      }
    },
  };
}
