import { describe, expect, it } from 'vitest';
import { coverageOf, disabilityLabel, isSafeRelativePath, isSevereDisability, notificationAttachments } from '../../domain/tables/index.js';
import { createRowParser, parseDisabilityGrade, parseDisabilityKind } from '../../domain/import/index.js';

describe('重残 (table 4)', () => {
  it('grade 1–2 of any kind, grade 3 only for 智力 and 精神, never grade 4', () => {
    for (const kind of ['肢体', '视力', '听力', '言语', '智力', '精神', '多重']) {
      expect(isSevereDisability(kind, 1), kind).toBe(true);
      expect(isSevereDisability(kind, 2), kind).toBe(true);
      expect(isSevereDisability(kind, 3), kind).toBe(kind === '智力' || kind === '精神');
      expect(isSevereDisability(kind, 4), kind).toBe(false);
    }
    expect(isSevereDisability('智力', 2.5)).toBe(false);
    expect(isSevereDisability('智力', 0)).toBe(false);
  });
  it('labels and parses kind and grade as written in 残联 lists', () => {
    expect(disabilityLabel('智力', 3)).toBe('智力三级');
    expect(parseDisabilityGrade('一级')).toBe(1);
    expect(parseDisabilityGrade('３级')).toBe(3);
    expect(parseDisabilityGrade('4')).toBe(4);
    expect(parseDisabilityGrade('五级')).toBeNull();
    expect(parseDisabilityKind('精神残疾')).toBe('精神');
    expect(parseDisabilityKind('肢体')).toBe('肢体');
    expect(parseDisabilityKind('听说')).toBeNull();
  });
  it('coverage: 特困 first, 低保 of a household of one is 单人保, else 低保, none 未纳入', () => {
    expect(coverageOf([])).toBe('未纳入');
    expect(coverageOf([{ kind: 'RURAL_DIBAO', householdSize: 3 }])).toBe('低保');
    expect(coverageOf([{ kind: 'URBAN_DIBAO', householdSize: 1 }])).toBe('单人保');
    expect(coverageOf([{ kind: 'RURAL_DIBAO', householdSize: 1 }, { kind: 'TEKUN_DISPERSED', householdSize: 1 }])).toBe('特困');
  });
  it('monitored rows: Chinese reasons for every mistake of a row', () => {
    const parse = createRowParser('monitored', { today: '2024-12-31', nearRelations: [] });
    const ok = parse({ township: '丹朱镇', village: '', name: '张三', idNumber: '11010519491231002X', disabilityKind: '智力残疾', disabilityGrade: '三级', identifiedAt: '2024-05-06', source: '', measure: '', measureDate: '', remarks: '' });
    expect(ok).toEqual({ ok: true, value: expect.objectContaining({ disabilityKind: '智力', disabilityGrade: 3, identifiedAt: '2024-05-06', source: '未注明', village: null }) });
    const bad = parse({ township: '', name: '张三', idNumber: '11010519491231002X', disabilityKind: '', disabilityGrade: '五级', identifiedAt: '2025-01-05', measureDate: '2024-01-01' });
    expect(bad.ok).toBe(false);
    const reasons = (bad as { errors: string[] }).errors.join('；');
    expect(reasons).toContain('乡镇不能为空');
    expect(reasons).toContain('残疾类别不能为空');
    expect(reasons).toContain('残疾等级“五级”无法识别');
  });
});

describe('notification attachments', () => {
  it('keeps only safe relative paths', () => {
    expect(isSafeRelativePath('reports/1/progress/2026-11-29/a.xlsx')).toBe(true);
    for (const p of ['/etc/passwd', '../x', 'reports/../../x', 'a//b', 'a\\\\b', 'C:/x', './a', '', 'a/\u0000']) expect(isSafeRelativePath(p), p).toBe(false);
    expect(notificationAttachments([{ path: 'a/b.xlsx', fileName: 'b.xlsx', mime: 'x' }, { path: '../b', fileName: 'b', mime: 'x' }, 'junk', null])).toEqual([{ path: 'a/b.xlsx', fileName: 'b.xlsx', mime: 'x' }]);
    expect(notificationAttachments(null)).toEqual([]);
  });
});
