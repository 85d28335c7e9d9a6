// The workflow code as one webpack bundle (what every worker of this process loads).
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { RUNNING_COMPILED } from '../project-root.js';

export const workflowsPath = fileURLToPath(new URL(RUNNING_COMPILED ? '../../workflows/index.js' : '../../workflows/index.ts', import.meta.url));

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** Bundles the workflow code once per process (webpack; a few seconds). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath, logger: quietBundlerLogger });
  return bundle;
}

const quietBundlerLogger = {
  log() {}, trace() {}, debug() {}, info() {},
  warn(message: string, meta?: unknown) { console.warn(message, meta ?? ''); },
  error(message: string, meta?: unknown) { console.error(message, meta ?? ''); },
};
