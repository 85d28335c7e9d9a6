// A WorkflowGateway for bot tests without Temporal: records each Update (by its
// definition's name, as Temporal would see it) and answers with what the test says;
// queries answer from a table of workflow id → status.
import type { QueryDefinition, UpdateDefinition } from '@temporalio/common';

import type { WorkflowGateway, WorkflowUpdateOutcome } from '../../bot/core/workflow-gateway.js';

export interface RecordedUpdate {
  workflowId: string;
  update: string;
  args: unknown;
  updateId: string;
}

export class RecordingGateway implements WorkflowGateway {
  readonly calls: RecordedUpdate[] = [];
  /** Status per workflow id, answered to any query. */
  readonly views = new Map<string, unknown>();
  constructor(public respond: (call: RecordedUpdate) => WorkflowUpdateOutcome<unknown> = () => ({ ok: true, result: {} })) {}

  async execute<R, A>(update: UpdateDefinition<R, [A]>, request: { workflowId: string; args: A; updateId: string }): Promise<WorkflowUpdateOutcome<R>> {
    const call = { workflowId: request.workflowId, update: update.name, args: request.args, updateId: request.updateId };
    this.calls.push(call);
    // The test decides the result's shape for the Update it drives.
    return this.respond(call) as WorkflowUpdateOutcome<R>;
  }

  async query<R>(_query: QueryDefinition<R>, workflowId: string): Promise<R | null> {
    return (this.views.get(workflowId) as R | undefined) ?? null;
  }
}
