/**
 * The JSON columns read with casts until issue 16 (typed state): the inbox
 * event, the outbox message, the data of a complaint case and a finding's
 * evidence. A malformed stored row fails with a Chinese error naming the
 * column, the row and the field; a well-formed one reads as written.
 */
import { describe, expect, it } from 'vitest';

import { botMessageColumn, inboundEventColumn, storedBotMessage, storedInboundEvent } from '../../bot/core/columns.js';
import type { BotMessage, InboundEvent } from '../../bot/core/types.js';
import { caseDataSchemas, describableFinding, findingEvidence, JsonColumnError, parseColumn } from '../../domain/columns.js';
import { describeFinding } from '../../domain/matching/text.js';

const chat = { platform: 'feishu', id: 'oc_1', kind: 'group' } as const;

describe('ProcessedEvent.event', () => {
  const form: InboundEvent = { type: 'form', platform: 'feishu', eventId: 'e1', chat, senderId: 'ou_1', form: { action: 's', caseRef: 'c12' }, values: { note: '已核实' }, source: { chat, messageId: 'om_1' } };

  it('reads each kind of event as written', () => {
    const text: InboundEvent = { type: 'text', platform: 'telegram', eventId: '7', chat: { platform: 'telegram', id: '42', kind: 'private' }, senderId: '42', text: '/待办' };
    const button: InboundEvent = { type: 'button', platform: 'console', eventId: 'b', chat, senderId: 'u', button: { action: 'n', caseRef: '3', value: '0' } };
    for (const e of [text, button, form]) expect(storedInboundEvent(JSON.parse(JSON.stringify(inboundEventColumn(e))), 'x')).toEqual(e);
  });

  it('names the row and the field of a malformed event', () => {
    const bad = { ...form, chat: { ...chat, kind: 'channel' } };
    expect(() => storedInboundEvent(bad, 'feishu:e1')).toThrow(JsonColumnError);
    expect(() => storedInboundEvent(bad, 'feishu:e1')).toThrow(/数据库字段 ProcessedEvent\.event（feishu:e1） 的内容不符合格式：chat\.kind/);
    expect(() => storedInboundEvent({ ...form, values: { note: 3 } }, 'feishu:e1')).toThrow(/ProcessedEvent\.event（feishu:e1）.*values\.note/);
    expect(() => storedInboundEvent({ ...form, type: 'sticker' }, 'feishu:e1')).toThrow(/ProcessedEvent\.event（feishu:e1）.*type/);
  });
});

describe('OutboxReply.message', () => {
  const message: BotMessage = {
    title: '待您审批',
    text: '请确认',
    fields: [{ label: '案件', value: '死亡核查 #12' }],
    buttons: [{ label: '同意', payload: { action: 'n', caseRef: '5', value: '0' }, style: 'primary' }],
    form: { ref: { action: 's', caseRef: 'c12' }, inputs: [{ key: 'verdict', label: '意见', kind: 'select', required: true, options: [{ value: 'a', label: '同意' }] }], submitLabel: '提交' },
  };

  it('reads a message as written', () => {
    expect(storedBotMessage(JSON.parse(JSON.stringify(botMessageColumn(message))), 9)).toEqual(message);
  });

  it('names the row and the field of a malformed message', () => {
    expect(() => storedBotMessage({ ...message, buttons: [{ label: '同意', payload: {} }] }, 9)).toThrow(/数据库字段 OutboxReply\.message（#9） 的内容不符合格式：buttons\.0\.payload\.action/);
    expect(() => storedBotMessage({ title: '无正文' }, 9)).toThrow(/OutboxReply\.message（#9）.*text/);
  });
});

describe('Case.data of a complaint', () => {
  const accepted = {
    countyRegionId: 1,
    complaintId: 4,
    ledgerNo: '2026-0001',
    accusation: false,
    stage: 'handling',
    acceptance: { updateId: 'u1', decision: '受理', noticeOn: '2026-11-02', acceptedOn: '2026-11-02', method: '当面告知', byStaffId: 3, handlingDueAt: '2026-12-01T16:00:00.000Z' },
  };

  it('reads what the steps write, not accepted (closing, no acceptedOn) included, keeping fields it does not know', () => {
    expect(parseColumn(caseDataSchemas.complaint, 'Case.data', accepted, '#7')).toEqual(accepted);
    const notAccepted = { ...accepted, stage: 'closing', acceptance: { updateId: 'u1', decision: '不予受理', reason: '不属于受理范围', noticeOn: '2026-11-02', method: '书面', byStaffId: 3, handlingDueAt: null }, later: { x: 1 } };
    expect(parseColumn(caseDataSchemas.complaint, 'Case.data', notAccepted, '#7')).toEqual(notAccepted);
  });

  it('names the row and the field of a malformed complaint case', () => {
    expect(() => parseColumn(caseDataSchemas.complaint, 'Case.data', { ...accepted, stage: 'done' }, '#7')).toThrow(/数据库字段 Case\.data（#7） 的内容不符合格式：stage/);
    expect(() => parseColumn(caseDataSchemas.complaint, 'Case.data', { ...accepted, verification: { updateId: 'v', finding: '查无实据', byStaffId: 3, recordedAt: 'x' } }, '#7')).toThrow(/Case\.data（#7）.*verification\.finding/);
  });
});

describe('Finding.evidence', () => {
  const evidence = { name: '张三', deathDate: '2026-03-01', deathSource: '公安', deadline: '2026-03-20', assistanceKinds: ['RURAL_DIBAO'], review: null };

  it('reads the evidence of its kind and describes the finding', () => {
    expect(findingEvidence('death_review_overdue', evidence, '#12')).toEqual(evidence);
    expect(describeFinding(describableFinding({ kind: 'death_review_overdue', evidence, period: null, amount: null }, '#12'))).toContain('张三');
  });

  it('names the row and the field of malformed evidence, and an unknown kind', () => {
    expect(() => findingEvidence('death_review_overdue', { ...evidence, deathDate: '2026-3-1' }, '#12')).toThrow(/数据库字段 Finding\.evidence（#12） 的内容不符合格式：deathDate/);
    expect(() => describableFinding({ kind: 'paid_twice', evidence, period: null, amount: null }, '#12')).toThrow(/Finding\.kind（#12）.*paid_twice/);
  });
});
