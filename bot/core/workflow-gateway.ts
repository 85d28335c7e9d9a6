// The port through which a button press reaches a running workflow: a
// Temporal Update whose id is the platform's event id, so a redelivered
// webhook or callback gets the first outcome back and decides nothing twice.

export interface WorkflowUpdateRequest {
  workflowId: string;
  /** Update name, e.g. 'decide'. */
  update: string;
  /** The button's fixed arguments plus `byStaffId` (from the bound identity). */
  args: Record<string, unknown>;
  /** The platform's event or callback id. */
  updateId: string;
}

export type WorkflowUpdateOutcome =
  | { ok: true; result: unknown }
  /** Refused by the workflow's validator or handler: `message` is Chinese and meant for the presser. */
  | { ok: false; message: string };

export interface WorkflowGateway {
  update(request: WorkflowUpdateRequest): Promise<WorkflowUpdateOutcome>;
}
