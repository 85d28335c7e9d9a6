// The id of the Update being handled: the caller's idempotence key (the bot
// passes the platform's event id). Activities store it, so a retried Update
// writes once. Workflow code (deterministic).
import { ApplicationFailure, currentUpdateInfo } from '@temporalio/workflow';

export function updateIdOrFail(): string {
  const id = currentUpdateInfo()?.id;
  if (!id) throw ApplicationFailure.nonRetryable('missing update id');
  return id;
}
