/**
 * Step contracts and their cards without a server: every field's message is
 * Chinese and names the field; the new death-review checks (入户核查, 核销)
 * refuse what they must; every step's card is a valid Feishu card JSON 2.0
 * form container whose submission round-trips to the step reference.
 */
import { describe, expect, it } from 'vitest';

import { stepCard } from '../../bot/core/steps/card.js';
import { CASE_STEPS } from '../../bot/core/steps/registry.js';
import { fieldMessages } from '../../bot/core/steps/take.js';
import { buildCard, formValues, fromFormButtonName } from '../../bot/lark/cards.js';
import { checkHouseholdCheck, checkWriteOff, computeOverpayment } from '../../domain/cases/index.js';
import { decideStep, recoveryStep, writeOffStep } from '../../domain/steps/death-review.js';
import { prisonDecideStep } from '../../domain/steps/prison-exit.js';
import { rectifyConfirmStep } from '../../domain/steps/rectification-item.js';
import { zhParseOptions } from '../../domain/zod-zh.js';
import { formSubmission, validateCard } from '../fakes/feishu-open-api.js';

const ctx = { deathMonth: '2026-09', currentMonthlyAmount: 500, allowedStaffIds: [7], opened: true, decided: false, closed: false };

function messages<V>(step: { schema: { safeParse(v: unknown, o: unknown): { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } } }; fields: readonly { key: string; label: string }[] } & V, values: Record<string, string>): string {
  const r = step.schema.safeParse(values, zhParseOptions);
  expect(r.success).toBe(false);
  return fieldMessages({ kind: CASE_STEPS[0]!, step: step as never }, r.error!.issues);
}

describe('step contracts', () => {
  it('name the field in every message', () => {
    expect(messages(decideStep, { decision: '取消', effectiveMonth: '2026-10' })).toContain('“决定”只能是：停发、减发、增发、维持');
    expect(messages(decideStep, { decision: '减发', effectiveMonth: '2026-10' })).toContain('“调整后月保障金额（元）”');
    expect(messages(decideStep, { decision: '停发', effectiveMonth: '十月' })).toContain('“生效月份”应为月份');
    expect(messages(decideStep, { decision: '停发' })).toContain('“生效月份”');
    expect(messages(recoveryStep, { amount: '-5', recoveredOn: '2026-12-01', receiptNo: 'A1' })).toContain('“追回金额（元）”');
    expect(messages(recoveryStep, { amount: '5', recoveredOn: '2026-02-30', receiptNo: 'A1' })).toContain('“追回日期”应为日期');
    expect(messages(writeOffStep, {})).toContain('“核销理由”');
    expect(messages(prisonDecideStep, { newMonthlyAmount: '一百', effectiveMonth: '2026-10' })).toContain('“剔除服刑人员后的月保障金额（元）”');
    expect(messages(rectifyConfirmStep, { verdict: '退回整改' })).toContain('“意见”');
  });

  it('turn values into the Update argument with the actor from the bound identity', () => {
    const actor = { staffId: 7, role: 'TOWNSHIP_CASEWORKER' as const, name: '李经办', regionId: 3 };
    const v = decideStep.schema.parse({ decision: '停发', effectiveMonth: '2026年10月', newMonthlyAmount: '100', note: ' 已死亡 ' }, zhParseOptions);
    expect(decideStep.toArgs(v, actor)).toEqual({ decision: '停发', effectiveMonth: '2026-10', note: '已死亡', decidedByStaffId: 7 });
    const r = recoveryStep.schema.parse({ amount: '120.50元', recoveredOn: '2026/12/1', receiptNo: 'SJ-1' }, zhParseOptions);
    expect(recoveryStep.toArgs(r, actor)).toEqual({ amount: 120.5, recoveredOn: '2026-12-01', receiptNo: 'SJ-1', recordedByStaffId: 7 });
  });

  it('入户核查 and 核销 refuse what they must', () => {
    const good = { visitedOn: '2026-10-02', visitors: '李经办', findings: '已火化', byStaffId: 7 };
    expect(checkHouseholdCheck(good, { ...ctx, checked: false, today: '2026-12-07' })).toBeNull();
    expect(checkHouseholdCheck(good, { ...ctx, checked: true, today: '2026-12-07' })).toContain('不能重复登记');
    expect(checkHouseholdCheck({ ...good, visitedOn: '2026-12-08' }, { ...ctx, checked: false, today: '2026-12-07' })).toContain('晚于今天');
    expect(checkHouseholdCheck({ ...good, byStaffId: 8 }, { ...ctx, checked: false, today: '2026-12-07' })).toContain('无权');
    const w = { ...ctx, decided: true, overpaidCents: 1000, recoveredCents: 400, leaderStaffIds: [9], writtenOff: false };
    expect(checkWriteOff({ reason: '无财产可追回', byStaffId: 9 }, w)).toBeNull();
    expect(checkWriteOff({ reason: '无财产可追回', byStaffId: 7 }, w)).toBe('核销须由本县专班组长批准');
    expect(checkWriteOff({ reason: '无财产可追回', byStaffId: 9 }, { ...w, recoveredCents: 1000 })).toContain('无需核销');
    expect(checkWriteOff({ reason: '无财产可追回', byStaffId: 9 }, { ...w, writtenOff: true })).toContain('不能重复核销');
  });

  it('维持 leaves no over-payment', () => {
    const payments = [{ period: '2026-10', monthsCovered: 1, amountPaid: 500 }];
    expect(computeOverpayment({ deathMonth: '2026-09', decision: '维持', payments }).totalCents).toBe(0);
    expect(computeOverpayment({ deathMonth: '2026-09', decision: '停发', payments }).totalCents).toBeGreaterThan(0);
  });
});

describe('step cards on Feishu', () => {
  it('every step with fields is a valid form container whose submission names its step', () => {
    const chat = { platform: 'feishu' as const, id: 'oc_x', kind: 'private' as const };
    for (const kind of CASE_STEPS) {
      for (const step of kind.steps.filter((s) => s.fields.length > 0)) {
        const card = buildCard(stepCard({ kind, step }, { ref: 'c123', workflowId: 'w', label: `${kind.label} #123`, regionId: 1, caseId: 123 }, {}), chat);
        expect(validateCard(card), step.id).toBeUndefined();
        const values = Object.fromEntries(step.fields.map((f) => [f.key, f.kind === 'date' ? '2026-12-01' : f.options ? f.options[0]!.value : 'x']));
        const sent = formSubmission(card, values)!;
        expect(fromFormButtonName(sent.name)).toEqual({ ref: { action: 'sf', caseRef: 'c123', value: step.id }, kind: 'private' });
        const back = formValues(sent.formValue);
        for (const f of step.fields) expect(back[f.key]).toBe(values[f.key]);
      }
    }
  });

  it('the fake refuses what Feishu refuses', () => {
    const form = (elements: unknown[]) => ({ schema: '2.0', body: { elements: [{ tag: 'form', name: 'f', elements }] } });
    const input = { tag: 'input', name: 'a' };
    expect(validateCard(form([input]))).toContain('submit');
    expect(validateCard(form([input, { tag: 'input', name: 'a' }, { tag: 'button', name: 's', form_action_type: 'submit' }]))).toContain('not unique');
    expect(validateCard(form([{ tag: 'input' }, { tag: 'button', name: 's', form_action_type: 'submit' }]))).toContain('needs a name');
    expect(validateCard({ schema: '2.0', body: { elements: [{ tag: 'button', name: 's', form_action_type: 'submit' }] } })).toContain('only allowed inside a form');
    expect(validateCard({ schema: '2.0', body: { elements: [{ tag: 'column_set', columns: [{ tag: 'column', elements: [{ tag: 'form', name: 'f', elements: [] }] }] }] } })).toContain('root');
    // A required input left empty is stopped in the client: no callback.
    const card = form([{ tag: 'input', name: 'a', required: true }, { tag: 'button', name: 's', form_action_type: 'submit' }]);
    expect(formSubmission(card, {})).toBeNull();
  });
});
