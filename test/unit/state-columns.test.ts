/**
 * The JSON columns of the bot's state tables (issue 16): a chat form's answers and a console
 * message are read and written through zod (domain/columns.ts); a malformed row fails naming the
 * column, the row and the field.
 */
import { describe, expect, it } from 'vitest';

import { botMessageSchema, chatFormDataSchema, columnValue, JsonColumnError, parseColumn } from '../../domain/columns.js';

describe('ChatFormState.data and ConsoleMessage.message through zod', () => {
  it('reads a card with fields, buttons and a form as written', () => {
    const card = {
      title: '核查',
      text: '请填写',
      fields: [{ label: '姓名', value: '李四' }],
      buttons: [{ label: '确认', payload: { action: 'confirm', caseRef: 'death' }, style: 'primary' as const }],
      form: { ref: { action: 'st', caseRef: 'rc.confirm' }, inputs: [{ key: 'note', label: '说明', kind: 'textarea' as const, required: false, options: [{ value: 'a', label: '甲' }] }], submitLabel: '提交' },
    };
    expect(parseColumn(botMessageSchema, 'ConsoleMessage.message', card, 'm-1')).toEqual(card);
    expect(columnValue(chatFormDataSchema, 'ChatFormState.data', { name: '李四', __step: 'rc.confirm' })).toEqual({ name: '李四', __step: 'rc.confirm' });
  });

  it('names the column, the row and the field of a malformed value', () => {
    expect(() => parseColumn(botMessageSchema, 'ConsoleMessage.message', { text: '好', buttons: [{ label: '确认' }] }, 'm-2')).toThrow(JsonColumnError);
    expect(() => parseColumn(botMessageSchema, 'ConsoleMessage.message', { text: '好', buttons: [{ label: '确认' }] }, 'm-2')).toThrow(/ConsoleMessage\.message（m-2）.*buttons\.0\.payload/);
    expect(() => parseColumn(botMessageSchema, 'ConsoleMessage.message', { title: '无正文' }, 'm-3')).toThrow(/（m-3）.*text/);
    expect(() => parseColumn(chatFormDataSchema, 'ChatFormState.data', { name: 3 }, 'feishu:oc_1:ou_1')).toThrow(/ChatFormState\.data（feishu:oc_1:ou_1）.*name/);
  });
});
