// Taking one step, the same on every front: who may (role, region, the
// contract's own refusal), whether the case is at that step (its workflow's
// status query), the values (the contract's zod schema, Chinese messages naming
// the field), then the Update through the typed gateway. Nothing is written
// unless the workflow accepts the step.
import { mustStandAsideFromCase } from '../../../readmodels/complaints.js';
import { endedDelegationsTo, leadersActingFor } from '../../../readmodels/delegation.js';
import { actingForLine } from '../../../domain/cases/delegation.js';
import type { StepActor, StepFormValues } from '../../../domain/steps/contract.js';
import { toChinaDate } from '../../../domain/time/instants.js';
import { zhParseOptions } from '../../../domain/zod-zh.js';
import type { BotContext } from '../context.js';
import { formatChinaDateTime } from '../../../domain/time/instants.js';
import { regionCovers } from '../permissions.js';
import type { BotMessage } from '../types.js';
import { stepById, type RegisteredStep } from './registry.js';
import { carriedValues, resolveTarget, type StepTarget } from './target.js';

export interface ReadyStep {
  reg: RegisteredStep;
  target: StepTarget;
  /** The case's status as its workflow's query returned it. */
  view: unknown;
  actor: StepActor;
}

export function actorOf(ctx: BotContext): StepActor {
  const s = ctx.staff!;
  return { staffId: s.id, role: s.role, name: s.name, regionId: s.regionId };
}

/**
 * Who may take this step, without asking the workflow (role and region only): the person
 * themself when their role may, then — 代理审批 — each leader they stand in for today whose
 * role may (the one rule "who may act as the leader now": the leader and the deputies of the
 * delegations in force, readmodels/delegation.ts). A Chinese refusal when nobody.
 */
export async function stepActors(ctx: BotContext, reg: RegisteredStep, target: StepTarget): Promise<StepActor[] | string> {
  const staff = ctx.staff!;
  const covers = async (regionId: number) => target.regionId === null || (await regionCovers(ctx.prisma, regionId, target.regionId));
  const actors: StepActor[] = [];
  let outside = false;
  if (reg.step.roles.includes(staff.role)) {
    if (await covers(staff.regionId)) actors.push(actorOf(ctx));
    else outside = true;
  }
  for (const d of await leadersActingFor(ctx.prisma, staff.id, toChinaDate(ctx.deps.now()))) {
    if (!reg.step.roles.includes(d.leader.role) || !(await covers(d.leader.regionId))) continue;
    actors.push({ staffId: staff.id, name: staff.name, role: d.leader.role, regionId: d.leader.regionId, onBehalfOf: { staffId: d.leader.id, name: d.leader.name } });
  }
  // An accusation: the accused and their unit stand aside, as themselves and as anyone's deputy (代理审批).
  if (actors.length > 0 && target.caseId !== null && (await mustStandAsideFromCase(ctx.prisma, staff.id, target.caseId))) {
    return '您属于被举报单位或为被举报人，须回避，不能办理本事项。';
  }
  if (actors.length > 0) return actors;
  if (outside) return '该事项不在您的辖区，不能办理。';
  // A deputy whose leader ended the delegation early is told so, not just "not your role".
  const ended = (await endedDelegationsTo(ctx.prisma, staff.id, toChinaDate(ctx.deps.now()))).find((d) => reg.step.roles.includes(d.leader.role));
  if (ended) return `${ended.leader.name}已于 ${toChinaDate(ended.endedAt)} 结束您的代理审批，您不能再代${ended.leader.name}办理“${reg.step.title}”。`;
  return `您的岗位不能办理“${reg.step.title}”。`;
}

/**
 * The actor who takes this step of this case: the first of `stepActors` the contract's own
 * rule lets act (the person themself first, then as a deputy), or the first refusal.
 */
export async function stepActor(ctx: BotContext, reg: RegisteredStep, target: StepTarget, view: unknown): Promise<StepActor | string> {
  const actors = await stepActors(ctx, reg, target);
  if (typeof actors === 'string') return actors;
  let first: string | null = null;
  for (const actor of actors) {
    const refused = reg.step.refuse?.(actor, view) ?? null;
    if (refused === null) return actor;
    first ??= refused;
  }
  return first!;
}

/** Resolves the step and its case, and checks who and when; a Chinese refusal otherwise. */
export async function readyStep(ctx: BotContext, stepId: string, targetRef: string): Promise<ReadyStep | string> {
  const reg = stepById(stepId);
  const target = reg ? await resolveTarget(ctx.prisma, targetRef) : null;
  if (!reg || !target) return '该办理入口已失效，请发送 /我的待办 查看当前事项。';
  const may = await stepActors(ctx, reg, target);
  if (typeof may === 'string') return may;
  const gateway = ctx.deps.workflows;
  if (!gateway) return '办理服务暂不可用，请稍后再试。';
  const view = await gateway.query(reg.kind.status, target.workflowId);
  if (view === null) return '该事项已办结或不存在。';
  if (!reg.step.open(view)) return `${target.label}当前不在“${reg.step.title}”环节${target.caseId !== null ? `，发送 /案件 ${target.caseId} 查看可办理的环节` : ''}。`;
  const actor = await stepActor(ctx, reg, target, view);
  if (typeof actor === 'string') return actor;
  return { reg, target, view, actor };
}

/** Chinese messages of a failed parse, each naming its field. */
export function fieldMessages(reg: RegisteredStep, issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return issues
    .map((i) => {
      const label = reg.step.fields.find((f) => f.key === i.path[0])?.label;
      return label && !i.message.includes(label) ? `“${label}”：${i.message}` : i.message;
    })
    .join('；');
}

/** `invalid`: the values failed the contract's schema (nothing was sent to the workflow). */
export type StepResult = { ok: true; message: BotMessage } | { ok: false; message: string; invalid?: boolean };

/**
 * Validates and sends the step. `updateId` comes from the platform (the card's
 * message id or the event id), so a double tap or a redelivery decides once.
 */
export async function submitStep(ctx: BotContext, stepId: string, targetRef: string, raw: StepFormValues, updateId: string): Promise<StepResult> {
  const ready = await readyStep(ctx, stepId, targetRef);
  if (typeof ready === 'string') return { ok: false, message: ready };
  const { reg, target, actor } = ready;
  const step = reg.step;
  const carried = await carriedValues(ctx.prisma, step.carried, step.id, target.workflowId, actor.staffId);
  if (typeof carried === 'string') return { ok: false, message: carried };
  const values: StepFormValues = {};
  for (const f of step.fields) {
    const v = raw[f.key]?.trim();
    if (v) values[f.key] = v;
  }
  // Carried keys a chat form filled in (never typed on a card) pass; the front's own win.
  for (const k of step.carried ?? []) if (raw[k] !== undefined) values[k] = raw[k]!;
  Object.assign(values, carried);
  const parsed = step.schema.safeParse(values, zhParseOptions);
  if (!parsed.success) {
    ctx.auditNotes.outcome = 'invalid';
    return { ok: false, invalid: true, message: `填写有误：${fieldMessages(reg, parsed.error.issues)}` };
  }
  const outcome = await ctx.deps.workflows!.execute(step.update, { workflowId: target.workflowId, args: step.toArgs(parsed.data, actor), updateId });
  if (!outcome.ok) {
    ctx.auditNotes.outcome = 'refused';
    return { ok: false, message: `未能办理：${outcome.message}` };
  }
  ctx.auditNotes.outcome = 'done';
  if (actor.onBehalfOf) ctx.auditNotes.onBehalfOfStaffId = actor.onBehalfOf.staffId;
  const comment = values.note ?? values.reason;
  return {
    ok: true,
    message: {
      title: `${target.label}：${step.title}（已办理）`,
      text: step.done(outcome.result, parsed.data),
      fields: [
        { label: '办理人', value: actor.onBehalfOf ? actingForLine(actor.name, actor.onBehalfOf.name) : actor.name },
        { label: '时间', value: formatChinaDateTime(ctx.deps.now()) },
        ...(comment && !step.fields.find((f) => f.key === 'note' || f.key === 'reason')?.personal ? [{ label: '意见', value: comment }] : []),
      ],
      buttons: [],
    },
  };
}
