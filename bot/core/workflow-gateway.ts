// The port through which a step reaches a running workflow: a Temporal Update
// named by its definition (never by a string), with the platform's event id as
// update id, so a redelivered webhook or callback gets the first outcome back
// and decides nothing twice. Renaming an Update or changing its argument is a
// compile error in every caller.
import type { QueryDefinition, UpdateDefinition } from '@temporalio/common';

export interface WorkflowUpdateRequest<A> {
  workflowId: string;
  /** The Update's argument (the acting person's staff id comes from the bound identity, never from a form). */
  args: A;
  /** Derived from the platform's event or callback id. */
  updateId: string;
}

export type WorkflowUpdateOutcome<R> =
  | { ok: true; result: R }
  /** Refused by the workflow's validator or handler: `message` is Chinese and meant for the presser. */
  | { ok: false; message: string };

export interface WorkflowGateway {
  execute<R, A>(update: UpdateDefinition<R, [A]>, request: WorkflowUpdateRequest<A>): Promise<WorkflowUpdateOutcome<R>>;
  /** The query's answer, or null when the workflow does not exist (or is gone). */
  query<R>(query: QueryDefinition<R>, workflowId: string): Promise<R | null>;
}
