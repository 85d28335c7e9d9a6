import { describe, expect, it } from 'vitest';
import { computeTotals, parsePeriod, parseTableId, TABLE_SPECS } from '../../domain/tables/index.js';
import { checkConfirm, checkRectificationInput, checkReportProgress, rectificationWorkflowId, type RectificationContext } from '../../domain/cases/rectification.js';
import { presets } from '../../domain/policy/load.js';

describe('statutory tables (pure)', () => {
  it('parses table ids', () => {
    expect(parseTableId('1')).toBe('zhangzi-1');
    expect(parseTableId('Zhangzi-6')).toBe('zhangzi-6');
    expect(parseTableId('wenshui-weekly')).toBe('wenshui-weekly');
    expect(parseTableId('7')).toBeNull();
    expect(parseTableId('zhangzi-7')).toBeNull();
  });

  it('parses periods: month (with leap February), range, cycle key; Chinese errors', () => {
    expect(parsePeriod('2024-02')).toMatchObject({ kind: 'range', start: '2024-02-01', end: '2024-02-29', label: '2024年2月' });
    expect(parsePeriod('2024-05-01..2024-05-14')).toMatchObject({ kind: 'range', start: '2024-05-01', end: '2024-05-14', label: '2024年5月1日至2024年5月14日' });
    expect(parsePeriod('2024-05-14')).toEqual({ kind: 'cycle', key: '2024-05-14' });
    expect(parsePeriod('phase-1')).toEqual({ kind: 'cycle', key: 'phase-1' });
    expect(parsePeriod('2024-13')).toHaveProperty('error', expect.stringContaining('格式不正确'));
    expect(parsePeriod('2024-02-30..2024-03-01')).toHaveProperty('error', expect.stringContaining('日期无效'));
    expect(parsePeriod('2024-05-14..2024-05-01')).toHaveProperty('error', expect.stringContaining('起始日晚于截止日'));
    expect(parsePeriod('五月')).toHaveProperty('error');
  });

  it('sums amounts in cents (no float drift) and counts', () => {
    const spec = TABLE_SPECS['zhangzi-6'];
    const rows = Array.from({ length: 10 }, (_, i) => ({ seq: i + 1, recovered: 0.1 }));
    expect(computeTotals(spec, rows)).toEqual({ recovered: 1 });
    expect(computeTotals(TABLE_SPECS['zhangzi-3'], [{ households: 2, persons: 3, amountDue: 10.05, amountPaid: 10, onTime: 1, lateOrUnpaid: 0 }, { households: 1, persons: 1, amountDue: 0.01, amountPaid: null, onTime: 0, lateOrUnpaid: 1 }])).toEqual({
      households: 3, persons: 4, amountDue: 10.06, amountPaid: 10, onTime: 1, lateOrUnpaid: 1,
    });
  });
});

describe('rectification item checks (pure)', () => {
  const input = {
    countyRegionId: 1, problem: '问题', focusItem: 'Z1', source: '举报', sourceRef: 'complaint:1', responsibleRegionId: 2,
    responsibleUnit: '某镇', responsibleStaffId: 3, measures: '措施', discoveryDate: '2024-05-01',
  };
  const ctx: RectificationContext = { opened: true, status: 'IN_PROGRESS', busy: false, responsibleStaffId: 3, unitHeadStaffIds: [4], confirmerStaffIds: [5, 6] };

  it('validates the input in Chinese', () => {
    expect(checkRectificationInput(input, presets.zhangzi)).toBeNull();
    expect(checkRectificationInput({ ...input, focusItem: 'W1' }, presets.zhangzi)).toContain('未知的整治重点');
    expect(checkRectificationInput({ ...input, source: '网络' }, presets.zhangzi)).toContain('问题来源只能是');
    expect(checkRectificationInput({ ...input, deadline: '2024-04-30' }, presets.zhangzi)).toContain('早于发现日期');
    expect(checkRectificationInput({ ...input, sourceRef: undefined }, presets.zhangzi)).toContain('来源编号或序号');
    expect(checkRectificationInput({ ...input, sourceRef: 'a/b' }, presets.zhangzi)).toContain('来源编号');
  });

  it('builds workflow ids from the source ref or the 序号', () => {
    expect(rectificationWorkflowId(7, { sourceRef: 'finding:12' })).toBe('rectification:7:finding:12');
    expect(rectificationWorkflowId(7, { seq: 3 })).toBe('rectification:7:seq-3');
  });

  it('lets only the responsible person or unit head report, only the 专班 confirm', () => {
    expect(checkReportProgress({ note: '进展', byStaffId: 3 }, ctx)).toBeNull();
    expect(checkReportProgress({ note: '进展', byStaffId: 4 }, ctx)).toBeNull();
    expect(checkReportProgress({ note: '进展', byStaffId: 5 }, ctx)).toContain('只有该事项的责任人');
    expect(checkConfirm({ accepted: true, byStaffId: 5 }, ctx)).toContain('尚未报告整改完成');
    const waiting = { ...ctx, status: 'AWAITING_CONFIRMATION' as const };
    expect(checkConfirm({ accepted: true, byStaffId: 5 }, waiting)).toBeNull();
    expect(checkConfirm({ accepted: true, byStaffId: 4 }, waiting)).toContain('专班办公室或专班组长');
    expect(checkConfirm({ accepted: false, byStaffId: 6 }, waiting)).toContain('须写明理由');
    expect(checkConfirm({ accepted: true, byStaffId: 3 }, { ...waiting, confirmerStaffIds: [3] })).toContain('不能确认自己');
    expect(checkReportProgress({ note: 'x', byStaffId: 3 }, { ...ctx, status: 'COMPLETED' })).toContain('已完成销号');
  });
});
