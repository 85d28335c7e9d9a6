import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import {
  PolicyValidationError,
  REQUIRED_RULE_IDS,
  UnknownRuleError,
  complaintCloseDeadline,
  computeDeadline,
  durationZh,
  escalationSchedule,
  getPreset,
  isWithinCampaign,
  loadPolicy,
  loadPolicyYaml,
  paymentDeadline,
  paymentDeadlines,
  phaseSummaryDeadlines,
  phasesOn,
  presetInputs,
  presets,
  progressReportDueDates,
  movedDueText,
  reminderSchedule,
  ruleIds,
  villageChainDueDates,
  type CountyPolicyInput,
} from '../../domain/policy/index.js';
import { compareLocalDates } from '../../domain/time/local-date.js';
import { createCalendar } from '../../domain/time/index.js';

const calendar = createCalendar();
const { wenshui, zhangzi } = presets;

function editable(code: 'wenshui' | 'zhangzi'): CountyPolicyInput {
  return structuredClone(presetInputs[code]) as CountyPolicyInput;
}

function errorOf(fn: () => unknown): PolicyValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PolicyValidationError) return e;
    throw e;
  }
  throw new Error('expected a PolicyValidationError');
}

describe('presets', () => {
  it('both presets validate and carry the county differences of domain.md §1.10', () => {
    expect(wenshui.county.name).toBe('文水县');
    expect(zhangzi.county.name).toBe('长子县');
    expect(wenshui.campaign.window).toEqual({ start: '2024-04-01', end: '2024-10-31' });
    expect(wenshui.progressReport).toMatchObject({ cadence: 'weekly', weekday: 4, cutoffTime: '12:00', reportingUnits: 'section' });
    expect(zhangzi.progressReport).toMatchObject({ cadence: 'monthlyDays', daysOfMonth: [14, 29], firstDue: '2024-05-14', reportingUnits: 'township' });
    expect(wenshui.villageMonthlyChain.enabled).toBe(false);
    expect(zhangzi.villageMonthlyChain).toMatchObject({ enabled: true, villageDay: 20, townshipDay: 25 });
    expect(wenshui.phaseSummaries.map((s) => s.due)).toEqual(['2024-07-10', '2024-10-10']);
    expect(zhangzi.phaseSummaries.map((s) => s.due)).toEqual(['2024-07-14', '2024-10-14']);
    expect(wenshui.focusItems.map((f) => f.code)).toEqual(['W1', 'W2', 'W3', 'W4']);
    expect(zhangzi.focusItems.map((f) => f.code)).toEqual(['Z1', 'Z2', 'Z3', 'Z4', 'Z5']);
    expect(wenshui.specialGroups.groups).toEqual(['deceased', 'prisoner']);
    expect(zhangzi.specialGroups.groups).toEqual(['deceased', 'prisoner', 'newSeverelyDisabled', 'newMonitored']);
    expect(wenshui.specialGroups.legalBasis).toContain('吕民发〔2023〕50号');
    expect(zhangzi.specialGroups.legalBasis).toContain('晋民发〔2023〕31号');
    expect(wenshui.nearRelatives).toMatchObject({ enabled: true, explicitInSeed: false });
    expect(zhangzi.nearRelatives).toMatchObject({ enabled: true, explicitInSeed: true });
    expect(wenshui.nearRelatives.relations).toHaveLength(8);
    expect(wenshui.reminders.daysBefore).toEqual([7, 3, 1]);
    expect(wenshui.escalation.map((s) => s.level)).toEqual(['assignee', 'unitHead', 'taskForceLeader']);
  });

  it('every required rule states unit, amount, anchor and inclusive', () => {
    for (const p of [wenshui, zhangzi]) {
      for (const id of REQUIRED_RULE_IDS) {
        const r = p.deadlines[id]!;
        expect(r, id).toBeDefined();
        expect(['calendarDays', 'workingDays', 'months']).toContain(r.unit);
        expect(typeof r.amount).toBe('number');
        expect(typeof r.anchor).toBe('string');
        expect(typeof r.inclusive).toBe('boolean');
      }
    }
    expect(wenshui.deadlines['death-review']).toMatchObject({ unit: 'months', amount: 3, anchor: 'eventDate' });
    expect(wenshui.deadlines['dibao-decision']).toMatchObject({ unit: 'workingDays', amount: 10, anchor: 'receiptDate' });
    expect(wenshui.deadlines['dibao-overall-extended']).toMatchObject({ amount: 45, extends: 'dibao-overall' });
    expect(wenshui.deadlines['complaint-handling']).toMatchObject({ unit: 'calendarDays', amount: 60 });
    expect(wenshui.deadlines['complaint-handling-extended']).toMatchObject({ unit: 'calendarDays', amount: 90 });
    expect(wenshui.deadlines['clue-transfer']!.origin).toBe('county');
  });

  it('presets are frozen and survive a YAML round trip', () => {
    expect(Object.isFrozen(wenshui.deadlines['death-review'])).toBe(true);
    const yaml = stringifyYaml(presetInputs.zhangzi);
    expect(loadPolicyYaml(yaml)).toEqual(zhangzi);
    expect(getPreset('wenshui')).toBe(wenshui);
    expect(() => getPreset('taiyuan')).toThrow(/未知的县代码“taiyuan”/);
  });
});

describe('a bad policy gives Chinese errors', () => {
  it('lists missing sections', () => {
    const e = errorOf(() => loadPolicy({}));
    expect(e.message).toContain('县级政策配置无效');
    expect(e.message).toContain('缺少必填项');
    expect(e.issues.map((i) => i.path)).toContain('deadlines');
  });

  it('names the wrong field with its path', () => {
    const bad = editable('wenshui');
    (bad.deadlines['death-review'] as { unit: string }).unit = 'years';
    bad.deadlines['dibao-publicity']!.amount = -7;
    const e = errorOf(() => loadPolicy(bad));
    expect(e.message).toMatch(/deadlines\.death-review\.unit：期限单位 unit 只能是/);
    expect(e.message).toMatch(/deadlines\.dibao-publicity\.amount：期限数量 amount 不能为负数/);
  });

  it('requires every rule id the workflows use', () => {
    const bad = editable('zhangzi');
    delete bad.deadlines['clue-transfer'];
    expect(() => loadPolicy(bad)).toThrow(/缺少必需的期限规则 clue-transfer/);
  });

  it('checks cross-field rules', () => {
    const chain = editable('zhangzi');
    chain.villageMonthlyChain = { enabled: true, villageDay: 25, townshipDay: 20 };
    expect(() => loadPolicy(chain)).toThrow(/乡镇上报日必须晚于村（居）委会报告日/);

    const summary = editable('wenshui');
    summary.phaseSummaries![0]!.due = '2024-12-10';
    expect(() => loadPolicy(summary)).toThrow(/不在专项行动期间/);

    const date = editable('wenshui');
    date.campaign.window.end = '2024-02-30';
    expect(() => loadPolicy(date)).toThrow(/日期无效：“2024-02-30”/);

    const ext = editable('wenshui');
    ext.deadlines['dibao-overall-extended']!.amount = 20;
    expect(() => loadPolicy(ext)).toThrow(/延长后的期限不能短于 dibao-overall 的 30/);

    const unknownKey = editable('wenshui') as Record<string, unknown>;
    unknownKey.colour = 'red';
    expect(() => loadPolicy(unknownKey)).toThrow(/colour/);
  });

  it('does not switch zod to Chinese globally', () => {
    errorOf(() => loadPolicy({}));
    const r = z.string().safeParse(1);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toMatch(/expected string/);
  });

  it('reports invalid YAML', () => {
    expect(() => loadPolicyYaml('version: [1')).toThrow(/YAML 语法错误/);
  });
});

describe('computeDeadline', () => {
  it('death review: 2024-11-30 + 3 months = 2025-02-28, expiring 2025-03-01 00:00 +08:00', () => {
    const d = computeDeadline(wenshui, 'death-review', '2024-11-30', calendar);
    expect(d).toMatchObject({
      ruleId: 'death-review',
      anchor: '2024-11-30',
      due: '2025-02-28',
      unit: 'months',
      amount: 3,
      inclusive: true,
    });
    expect(d.expiresAt.toISOString()).toBe('2025-02-28T16:00:00.000Z');
    expect(computeDeadline(zhangzi, 'death-review', '2024-03-31').due).toBe('2024-06-30');
  });

  it('working-day rules across National Day 2024', () => {
    expect(computeDeadline(wenshui, 'dibao-decision', '2024-09-28', calendar).due).toBe('2024-10-16');
    expect(computeDeadline(wenshui, 'dibao-investigation-start', '2024-09-28', calendar).due).toBe('2024-10-08');
    expect(computeDeadline(wenshui, 'dibao-overall', '2024-09-28', calendar).due).toBe('2024-11-13');
    expect(computeDeadline(wenshui, 'dibao-overall-extended', '2024-09-28', calendar).due).toBe('2024-12-04');
    expect(computeDeadline(zhangzi, 'tekun-investigation', '2024-09-28', calendar).due).toBe('2024-10-23');
    expect(computeDeadline(zhangzi, 'refusal-notice', '2024-09-30', calendar).due).toBe('2024-10-10');
  });

  it('calendar-day rules', () => {
    expect(computeDeadline(wenshui, 'dibao-publicity', '2024-05-01').due).toBe('2024-05-08');
    expect(computeDeadline(wenshui, 'complaint-acceptance-notice', '2024-09-28').due).toBe('2024-10-13');
    expect(computeDeadline(wenshui, 'complaint-handling', '2024-09-28').due).toBe('2024-11-27');
    expect(computeDeadline(wenshui, 'complaint-handling-extended', '2024-09-28').due).toBe('2024-12-27');
  });

  it('a working-day rule without a calendar, or into an unknown year, fails clearly', () => {
    expect(() => computeDeadline(wenshui, 'dibao-decision', '2024-09-28')).toThrow(/需要节假日日历/);
    expect(() => computeDeadline(wenshui, 'dibao-overall', '2026-12-01', calendar)).toThrow(/2027年的法定节假日安排尚未录入/);
  });

  it('the exclusive reading and the next-working-day option', () => {
    const p = editable('wenshui');
    p.deadlines['death-review']!.inclusive = false;
    p.deadlines['dibao-publicity']!.ifNonWorkingDay = 'nextWorkingDay';
    const policy = loadPolicy(p);
    const d = computeDeadline(policy, 'death-review', '2024-11-30');
    expect(d.nominal).toBe('2025-02-28');
    expect(d.due).toBe('2025-02-27');
    expect(d.expiresAt.toISOString()).toBe('2025-02-27T16:00:00.000Z');
    // posted 2024-09-24 → 7 days → 2024-10-01 (holiday) → next working day 2024-10-08
    expect(computeDeadline(policy, 'dibao-publicity', '2024-09-24', calendar).due).toBe('2024-10-08');
  });

  it('unknown rule id lists the valid ids in Chinese', () => {
    expect(() => computeDeadline(wenshui, 'dibao-whatever', '2024-01-01')).toThrow(UnknownRuleError);
    expect(() => computeDeadline(wenshui, 'dibao-whatever', '2024-01-01')).toThrow(/未知的期限规则“dibao-whatever”.*death-review/);
    expect(() => computeDeadline(wenshui, 'toString', '2024-01-01')).toThrow(UnknownRuleError);
  });

  it('every rule id in both presets gives a date on or after the anchor', () => {
    const anchors = ['2024-01-31', '2024-02-29', '2024-09-28', '2024-11-30', '2025-12-20'];
    for (const policy of [wenshui, zhangzi]) {
      expect(ruleIds(policy).length).toBeGreaterThanOrEqual(REQUIRED_RULE_IDS.length);
      for (const id of ruleIds(policy)) {
        for (const anchor of anchors) {
          const d = computeDeadline(policy, id, anchor, calendar);
          expect(compareLocalDates(d.due, anchor), `${policy.county.code} ${id} ${anchor}`).toBeGreaterThanOrEqual(0);
          expect(d.expiresAt.getTime()).toBeGreaterThan(Date.parse(`${anchor}T00:00:00+08:00`));
        }
      }
    }
  });

  it('durations read naturally in Chinese', () => {
    expect(durationZh('months', 3)).toBe('3个月');
    expect(durationZh('workingDays', 10)).toBe('10个工作日');
    expect(durationZh('calendarDays', 7)).toBe('7个自然日');
  });
});

describe('payments', () => {
  it('低保: monthly, by the 10th inclusive; overdue from the 11th 00:00', () => {
    const d = paymentDeadline(wenshui, 'dibao', '2024-05');
    expect(d).toMatchObject({ periodMonth: '2024-05', due: '2024-05-10', inclusive: true });
    expect(d.expiresAt.toISOString()).toBe('2024-05-10T16:00:00.000Z');
  });

  it('分散特困: quarterly, 10 Jan/Apr/Jul/Oct', () => {
    expect(paymentDeadline(zhangzi, 'tekunDispersed', '2024-05').due).toBe('2024-04-10');
    expect(paymentDeadline(zhangzi, 'tekunDispersed', '2024-01-15').due).toBe('2024-01-10');
    expect(paymentDeadline(zhangzi, 'tekunDispersed', '2024-12').due).toBe('2024-10-10');
    expect(paymentDeadlines(zhangzi, 'tekunDispersed', '2024-04', '2024-10').map((p) => p.due)).toEqual([
      '2024-04-10',
      '2024-07-10',
      '2024-10-10',
    ]);
    expect(paymentDeadline(zhangzi, 'tekunCentralized', '2024-08').periodMonth).toBe('2024-07');
  });

  it('the strict reading ("before the 10th") is a setting', () => {
    const p = editable('wenshui');
    p.payments.dibao.inclusive = false;
    const d = paymentDeadline(loadPolicy(p), 'dibao', '2024-05');
    expect(d.due).toBe('2024-05-09');
    expect(d.expiresAt.toISOString()).toBe('2024-05-09T16:00:00.000Z');
  });
});

describe('progress-report cadences', () => {
  it('Zhangzi: 14th and 29th from 2024-05-14 to the end of October', () => {
    const dues = progressReportDueDates(zhangzi);
    expect(dues.map((d) => d.due)).toEqual([
      '2024-05-14', '2024-05-29', '2024-06-14', '2024-06-29', '2024-07-14', '2024-07-29',
      '2024-08-14', '2024-08-29', '2024-09-14', '2024-09-29', '2024-10-14', '2024-10-29',
    ]);
    expect(dues[0]!.expiresAt.toISOString()).toBe('2024-05-14T16:00:00.000Z');
    expect(dues[0]).toMatchObject({ seq: 1, periodStart: '2024-04-01', periodEnd: '2024-05-13' });
    expect(dues[1]).toMatchObject({ periodStart: '2024-05-14', periodEnd: '2024-05-28' });
  });

  it('Wenshui: every Thursday, cut-off 12:00, 2024-04-07 … 2024-10-31; the three holiday Thursdays move to the next working day and say so', () => {
    const dues = progressReportDueDates(wenshui, { calendar });
    expect(dues).toHaveLength(31);
    // 2024-04-04 is 清明 (4–6 April); Sunday 7 April is a make-up working day.
    expect(dues[0]).toMatchObject({ due: '2024-04-07', movedFrom: '2024-04-04' });
    expect(dues[0]!.expiresAt.toISOString()).toBe('2024-04-07T04:00:00.000Z');
    expect(dues.at(-1)!.due).toBe('2024-10-31');
    expect(dues.filter((d) => d.movedFrom).map((d) => [d.movedFrom, d.due])).toEqual([
      ['2024-04-04', '2024-04-07'],
      ['2024-05-02', '2024-05-06'],
      ['2024-10-03', '2024-10-08'],
    ]);
    expect(movedDueText(dues.find((d) => d.movedFrom === '2024-10-03')!)).toBe('原定2024年10月3日为法定节假日或休息日，依本县政策顺延至2024年10月8日');
    expect(movedDueText(dues[1]!)).toBe('');
    // Without the holiday data it cannot decide, and says it needs it.
    expect(() => progressReportDueDates(wenshui)).toThrow(/需要节假日日历/);
  });

  it('a policy that keeps the day keeps the holiday Thursday', () => {
    const p = editable('wenshui');
    p.progressReport.ifNonWorkingDay = 'keep';
    const dues = progressReportDueDates(loadPolicy(p), { calendar });
    expect(dues.map((d) => d.due)).toContain('2024-10-03');
    expect(dues.some((d) => d.movedFrom)).toBe(false);
  });

  it('the 29th in a short February becomes the 28th; weekly is expressible for Zhangzi too', () => {
    const p = editable('zhangzi');
    p.campaign.window = { start: '2025-01-01', end: '2025-03-31' };
    p.phaseSummaries = [];
    delete (p.progressReport as { firstDue?: string }).firstDue;
    expect(progressReportDueDates(loadPolicy(p)).map((d) => d.due)).toEqual([
      '2025-01-14', '2025-01-29', '2025-02-14', '2025-02-28', '2025-03-14', '2025-03-29',
    ]);
    const weekly = editable('zhangzi');
    weekly.progressReport = { cadence: 'weekly', weekday: 5, reportingUnits: 'township', recipient: '工作专班办公室', firstDue: '2024-05-10' };
    const dues = progressReportDueDates(loadPolicy(weekly));
    expect(dues.slice(0, 2).map((d) => d.due)).toEqual(['2024-05-10', '2024-05-17']);
  });
});

describe('other cycles', () => {
  it('village monthly chain (Zhangzi only)', () => {
    const c = villageChainDueDates(zhangzi, '2024-06')!;
    expect(c.village.due).toBe('2024-06-20');
    expect(c.township.due).toBe('2024-06-25');
    expect(c.township.expiresAt.toISOString()).toBe('2024-06-25T16:00:00.000Z');
    expect(villageChainDueDates(wenshui, '2024-06')).toBeNull();
  });

  it('phase summaries', () => {
    expect(phaseSummaryDeadlines(zhangzi).map((s) => [s.id, s.due, s.expiresAt.toISOString()])).toEqual([
      ['phase', '2024-07-14', '2024-07-14T16:00:00.000Z'],
      ['final', '2024-10-14', '2024-10-14T16:00:00.000Z'],
    ]);
  });

  it('reminders 7, 3 and 1 days before plus the day itself, at 09:00 Beijing', () => {
    const r = reminderSchedule(wenshui, '2024-10-10');
    expect(r.map((x) => x.date)).toEqual(['2024-10-03', '2024-10-07', '2024-10-09', '2024-10-10']);
    expect(r[0]!.at.toISOString()).toBe('2024-10-03T01:00:00.000Z');
    expect(reminderSchedule(wenshui, '2024-10-10', '2024-10-08').map((x) => x.daysBefore)).toEqual([1, 0]);
  });

  it('escalation ladder after expiry', () => {
    const at = new Date('2024-10-10T16:00:00.000Z');
    expect(escalationSchedule(zhangzi, at).map((s) => [s.level, s.at.toISOString()])).toEqual([
      ['assignee', '2024-10-10T16:00:00.000Z'],
      ['unitHead', '2024-10-11T16:00:00.000Z'],
      ['taskForceDeputy', '2024-10-12T16:00:00.000Z'],
      ['taskForceLeader', '2024-10-13T16:00:00.000Z'],
    ]);
  });

  it('campaign window and phases', () => {
    expect(isWithinCampaign(wenshui, '2024-10-31')).toBe(true);
    expect(isWithinCampaign(wenshui, '2024-11-01')).toBe(false);
    expect(phasesOn(wenshui, '2024-05-15')).toEqual(['deployment', 'rectification']);
    expect(phasesOn(zhangzi, '2024-05-15')).toEqual(['rectification']);
    expect(phasesOn(wenshui, '2024-08-15')).toEqual(['rectification']);
    expect(phasesOn(zhangzi, '2024-08-15')).toEqual(['rectification', 'summary']);
  });

  it('a policy in YAML form loads', () => {
    const obj = parseYaml(stringifyYaml(presetInputs.wenshui)) as CountyPolicyInput;
    obj.county.name = '测试县';
    expect(loadPolicy(obj).county.name).toBe('测试县');
  });
});

describe('complaintCloseDeadline (办结 after the feedback)', () => {
  it('is 5 working days from the feedback day in the presets', () => {
    for (const p of [wenshui, zhangzi]) {
      expect(p.deadlines['complaint-close']).toMatchObject({ unit: 'workingDays', amount: 5, anchor: 'feedbackDate', origin: 'county' });
      // Fed back on Monday 2026-06-01: due the next Monday.
      expect(complaintCloseDeadline(p, '2026-06-01', calendar)).toMatchObject({ ruleId: 'complaint-close', anchorLabel: '反馈办理结果之日', due: '2026-06-08' });
    }
  });

  it('follows a county override, and falls back to the preset rule for a policy stored before the rule existed', () => {
    const shorter = editable('wenshui');
    shorter.deadlines['complaint-close'] = { ...shorter.deadlines['complaint-close']!, amount: 3 };
    expect(complaintCloseDeadline(loadPolicy(shorter), '2026-06-01', calendar).due).toBe('2026-06-04');
    const older = editable('wenshui');
    delete older.deadlines['complaint-close'];
    const loaded = loadPolicy(older);
    expect(loaded.deadlines['complaint-close']).toBeUndefined();
    expect(complaintCloseDeadline(loaded, '2026-06-01', calendar).due).toBe('2026-06-08');
  });
});
