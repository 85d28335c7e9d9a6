/**
 * docs/processes.md from the step contracts: per process, a Mermaid picture of its workflow and the
 * human steps (Updates) people take on it, with who may take each and what it asks. Generated, so
 * it cannot go stale: `test/unit/process-diagrams.test.ts` fails when the file differs, and
 * `npm run docs:processes` rewrites it.
 */
import { STAFF_ROLE_SHORT_LABELS } from '../roles.js';
import type { AnyCaseSteps } from './all.js';

const esc = (s: string) => s.replace(/"/g, '#quot;');
const nodeId = (id: string) => id.replace(/[^A-Za-z0-9]/g, '_');

/** The Mermaid flowchart of one process. */
export function processDiagram(kind: AnyCaseSteps): string {
  const lines = ['flowchart LR', `  wf(["${esc(kind.label)}<br/><code>${kind.workflowType}</code>"])`];
  for (const step of kind.steps) {
    const roles = step.roles.map((r: string) => STAFF_ROLE_SHORT_LABELS[r] ?? r).join('、');
    const asks = step.fields.length ? step.fields.map((f: { label: string }) => f.label).join('、') : '一键办理';
    const privateOnly = step.fields.some((f: { personal?: boolean }) => f.personal) ? '<br/>仅私聊' : '';
    lines.push(`  ${nodeId(step.id)}["<b>${esc(step.title)}</b><br/>${esc(roles)}<br/><i>${esc(asks)}</i>${privateOnly}"]`);
    lines.push(`  ${nodeId(step.id)} -- "${step.update.name}" --> wf`);
  }
  return lines.join('\n');
}

/** The whole docs/processes.md. */
export function processesDocument(kinds: readonly AnyCaseSteps[]): string {
  const parts = [
    '# Processes and their human steps',
    '',
    '<!-- Generated from the step contracts in domain/steps/ by `npm run docs:processes`; do not edit. -->',
    '',
    'Each picture shows one workflow (rounded) and the human steps people take on it: an arrow is the',
    'Update the step sends, through any front (Feishu card, Telegram form, web console). A step box names',
    'the step, the roles that may take it (the workflow\'s validator may narrow it further: the assignee,',
    'the region, recusal) and what it asks; 「一键办理」 is a button without a form, 「仅私聊」 a form',
    'with personal data that is asked only in private chat. Timers and escalation ladders are in',
    '`docs/architecture.md`.',
  ];
  for (const kind of kinds) {
    parts.push('', `## ${kind.label} (\`${kind.workflowType}\`)`, '');
    if (kind.idPrefix) parts.push(`Workflow ids begin \`${kind.idPrefix}\`; status query \`${kind.status.name}\`.`, '');
    parts.push('```mermaid', processDiagram(kind), '```', '');
    parts.push('| step | id | Update | roles |', '|---|---|---|---|');
    for (const s of kind.steps) {
      parts.push(`| ${s.title} | \`${s.id}\` | \`${s.update.name}\` | ${s.roles.map((r: string) => STAFF_ROLE_SHORT_LABELS[r] ?? r).join('、')} |`);
    }
  }
  return parts.join('\n') + '\n';
}
