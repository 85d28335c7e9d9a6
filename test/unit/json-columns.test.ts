/**
 * JSON columns are read through zod (domain/columns.ts): a malformed row fails
 * with a Chinese error naming the column, the row and the field, instead of a
 * silent cast.
 */
import { describe, expect, it } from 'vitest';

import { JsonColumnError, notificationActionsSchema, parseColumn, submissionItems, workOrderInput } from '../../domain/columns.js';

const item = { found: 1, households: 1, amount: 300, rectified: 0, recovered: 0, cluesTransferred: 0, heldAccountable: 0 };

describe('JSON columns through zod', () => {
  it('reads a well-formed work order input, typed by kind', () => {
    expect(workOrderInput('askFiling', { staffId: 7, text: '请备案' })).toEqual({ staffId: 7, text: '请备案' });
  });

  it('names the column, the row and the field of a malformed work order input', () => {
    expect(() => workOrderInput('deathReview', { memberId: '12', deathDate: '2026-11-02', source: '民政' }, '#5')).toThrow(JsonColumnError);
    expect(() => workOrderInput('deathReview', { memberId: '12', deathDate: '2026-11-02', source: '民政' }, '#5')).toThrow(/WorkOrder\.input（#5）.*memberId/);
  });

  it('rejects a button without a label and a style outside the set', () => {
    expect(() => parseColumn(notificationActionsSchema, 'Notification.actions', [{ step: 'rc.confirm' }])).toThrow(/Notification\.actions.*0\.label/);
    expect(() => parseColumn(notificationActionsSchema, 'Notification.actions', [{ label: '同意', style: 'blue' }])).toThrow(/0\.style/);
    expect(parseColumn(notificationActionsSchema, 'Notification.actions', [{ label: '同意', step: 'rc.confirm', values: { verdict: '同意销号' } }])).toHaveLength(1);
  });

  it('reads the figures of a progress submission, none for a submission without them, and rejects a negative count', () => {
    expect(submissionItems({ items: { Z1: item } })).toEqual({ Z1: item });
    expect(submissionItems({ nothingToReport: true, events: [] })).toEqual({});
    expect(submissionItems(null)).toEqual({});
    expect(() => submissionItems({ items: { Z1: { ...item, found: -1 } } }, '#3')).toThrow(/ReportSubmission\.data（#3）.*items\.Z1\.found/);
  });
});
