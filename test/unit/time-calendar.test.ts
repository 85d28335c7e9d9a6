import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import chineseDays from 'chinese-days';
import {
  CalendarCoverageError,
  HolidayOverridesError,
  addWorkingDays,
  chineseDaysCoversYear,
  chineseDaysCalendarData,
  chineseDaysCalendarDataByProbe,
  createCalendar,
  createCalendarFromData,
  daysLeft,
  parseHolidayOverrides,
  parseHolidayOverridesYaml,
  workingDaysLeft,
} from '../../domain/time/index.js';
import { uncoveredYearsAhead } from '../../domain/time/work-calendar.js';

const calendar = createCalendar();

/** A fictional 2027 arrangement, shaped like a State Council notice. */
const overrides2027 = {
  years: {
    2027: {
      source: '测试用虚构安排',
      holidays: [
        { name: '元旦', from: '2027-01-01', to: '2027-01-03' },
        { name: '春节', from: '2027-02-06', to: '2027-02-13' },
        { name: '国庆节', from: '2027-10-01', to: '2027-10-07' },
      ],
      workdays: [
        { name: '春节', date: '2027-02-14' },
        { name: '国庆节', date: '2027-10-09' },
      ],
    },
  },
};

describe('chinese-days as the base data', () => {
  it('the package silently calls 2027-01-01 a workday (why coverage must be detected)', () => {
    expect(chineseDays.getDayDetail('2027-01-01')).toEqual({ date: '2027-01-01', work: true, name: 'Friday' });
    expect(chineseDaysCoversYear(2027)).toBe(false);
    expect(chineseDaysCoversYear(2026)).toBe(true);
    expect(chineseDaysCoversYear(2024)).toBe(true);
  });

  it('the data read from the package tables equals asking getDayDetail day by day (the fast start-up path)', () => {
    const fast = chineseDaysCalendarData();
    const probe = chineseDaysCalendarDataByProbe();
    expect(Object.keys(fast.years).length).toBeGreaterThan(20);
    expect(fast).toEqual(probe);
    expect(Object.keys(fast.holidays)).toEqual(Object.keys(probe.holidays));
    expect(Object.keys(fast.workdays)).toEqual(Object.keys(probe.workdays));
  });

  it('covers 2024–2026 but not 2027', () => {
    expect(calendar.covers(2024)).toBe(true);
    expect(calendar.covers(2026)).toBe(true);
    expect(calendar.covers(2027)).toBe(false);
  });
});

describe('working days with statutory holidays and 调休 (2024)', () => {
  it('classifies National Day 2024 days', () => {
    expect(calendar.dayInfo('2024-10-01')).toMatchObject({ working: false, kind: 'holiday', name: '国庆节' });
    expect(calendar.dayInfo('2024-10-07')).toMatchObject({ working: false, kind: 'holiday' });
    expect(calendar.dayInfo('2024-10-05')).toMatchObject({ working: false, kind: 'holiday' });
    expect(calendar.dayInfo('2024-10-08')).toMatchObject({ working: true, kind: 'workday' });
    expect(calendar.dayInfo('2024-10-19')).toMatchObject({ working: false, kind: 'weekend' });
  });

  it('Sunday 2024-09-29 and Saturday 2024-10-12 were make-up workdays', () => {
    expect(calendar.isMakeUpWorkday('2024-09-29')).toBe(true);
    expect(calendar.isWorkingDay('2024-09-29')).toBe(true);
    expect(calendar.isMakeUpWorkday('2024-10-12')).toBe(true);
    expect(calendar.isWorkingDay('2024-10-12')).toBe(true);
    expect(calendar.isWorkingDay('2024-09-28')).toBe(false); // an ordinary Saturday
  });

  it('a make-up Saturday counts as a working day', () => {
    expect(addWorkingDays('2024-10-11', 1, calendar)).toBe('2024-10-12');
    expect(addWorkingDays('2024-09-13', 1, calendar)).toBe('2024-09-14'); // 中秋 make-up Saturday
    expect(addWorkingDays('2024-09-13', 2, calendar)).toBe('2024-09-18'); // 15–17 Sep off
    expect(addWorkingDays('2024-02-08', 2, calendar)).toBe('2024-02-18'); // 春节 make-up Sunday
  });

  it('2024-09-28 + 10 working days = 2024-10-16 (anchor not counted)', () => {
    // 09-29(1) 09-30(2) | 10-01..10-07 off | 10-08(3) 09(4) 10(5) 11(6) 12 Sat(7) 14(8) 15(9) 16(10)
    expect(addWorkingDays('2024-09-28', 10, calendar)).toBe('2024-10-16');
    expect(addWorkingDays('2024-09-27', 1, calendar)).toBe('2024-09-29');
    expect(addWorkingDays('2024-09-30', 1, calendar)).toBe('2024-10-08');
    expect(addWorkingDays('2024-09-28', 30, calendar)).toBe('2024-11-13');
    expect(addWorkingDays('2024-09-28', 45, calendar)).toBe('2024-12-04');
  });

  it('the anchor day itself does not count: accepted Monday → 3 working days = Thursday', () => {
    expect(addWorkingDays('2024-09-02', 3, calendar)).toBe('2024-09-05');
    expect(addWorkingDays('2024-09-02', 0, calendar)).toBe('2024-09-02');
    expect(addWorkingDays('2024-10-08', -1, calendar)).toBe('2024-09-30');
  });

  it('counts working days in (from, to]', () => {
    expect(calendar.countWorkingDays('2024-09-28', '2024-10-16')).toBe(10);
    expect(calendar.countWorkingDays('2024-10-16', '2024-09-28')).toBe(-10);
    expect(calendar.countWorkingDays('2024-10-01', '2024-10-07')).toBe(0);
    expect(calendar.nextWorkingDayOnOrAfter('2024-10-03')).toBe('2024-10-08');
    expect(calendar.previousWorkingDayOnOrBefore('2024-10-03')).toBe('2024-09-30');
  });

  it('daysLeft / workingDaysLeft from an instant (Beijing date)', () => {
    const now = new Date('2024-10-07T17:00:00Z'); // 2024-10-08 01:00 in Beijing
    expect(daysLeft('2024-10-16', now)).toBe(8);
    expect(workingDaysLeft('2024-10-16', now, calendar)).toBe(7); // 09 10 11 12 14 15 16
    const later = new Date('2024-10-18T02:00:00Z'); // 2024-10-18 10:00
    expect(daysLeft('2024-10-16', later)).toBe(-2);
    expect(workingDaysLeft('2024-10-16', later, calendar)).toBe(-2); // 17, 18
  });
});

describe('a year missing from the data', () => {
  it('gives a clear Chinese error, never a guess', () => {
    expect(() => calendar.isWorkingDay('2027-01-04')).toThrow(CalendarCoverageError);
    expect(() => calendar.isWorkingDay('2027-01-04')).toThrow(/2027年的法定节假日安排尚未录入/);
    // 2026-12-30 is a Wednesday: 12-31 counts, then 2027 is unknown.
    expect(() => addWorkingDays('2026-12-30', 3, calendar)).toThrow(/2027年的法定节假日安排尚未录入/);
    try {
      calendar.isWorkingDay('2027-06-01');
    } catch (e) {
      expect(e).toBeInstanceOf(CalendarCoverageError);
      expect((e as CalendarCoverageError).year).toBe(2027);
      expect((e as CalendarCoverageError).message).toContain('2004–2026');
    }
  });

  it('years before the package data are refused too', () => {
    expect(() => calendar.isWorkingDay('2003-05-06')).toThrow(/2003年的法定节假日安排尚未录入/);
  });
});

describe('estimating a missing year (running cases only, said out loud elsewhere)', () => {
  it('counts Monday–Friday in the missing year and records it; covered years keep their holidays', () => {
    const estimating = createCalendarFromData(calendar.sliceData(2026, 2026), { estimateUncovered: true });
    expect(estimating.estimatedYears).toEqual([]);
    // 2026-09-30 (Wed) + 3 working days: 国庆 1–7 October and the make-up Sunday 2026-10-10 hold.
    expect(estimating.addWorkingDays('2026-09-30', 3)).toBe(calendar.addWorkingDays('2026-09-30', 3));
    expect(estimating.estimatedYears).toEqual([]);
    // 2026-12-30 (Wed) + 3: 12-31, then 2027-01-01 (a Friday, 元旦 in reality) counts as a working day, then Monday.
    expect(estimating.addWorkingDays('2026-12-30', 3)).toBe('2027-01-04');
    expect(estimating.estimatedYears).toEqual([2027]);
    expect(estimating.dayInfo('2027-01-02')).toMatchObject({ working: false, kind: 'weekend' });
    expect(estimating.covers(2027)).toBe(false);
    // With the real 2027 notice loaded the same clock ends later: the estimate errs early.
    const withNotice = createCalendar({ overrides: overrides2027 });
    expect(withNotice.addWorkingDays('2026-12-30', 3) > '2027-01-04').toBe(true);
    // The strict calendar still refuses.
    expect(() => createCalendarFromData(calendar.sliceData(2026, 2026)).addWorkingDays('2026-12-30', 3)).toThrow(CalendarCoverageError);
  });

  it('uncoveredYearsAhead names the years a clock started today could reach', () => {
    const only2026 = createCalendarFromData(calendar.sliceData(2026, 2026));
    expect(uncoveredYearsAhead(only2026, '2026-06-01', 90)).toEqual([]);
    expect(uncoveredYearsAhead(only2026, '2026-11-22', 90)).toEqual([2027]);
    expect(uncoveredYearsAhead(createCalendar({ overrides: overrides2027 }), '2026-11-22', 90)).toEqual([]);
    expect(uncoveredYearsAhead(only2026, '2026-12-31', 400)).toEqual([2027, 2028]);
  });
});

describe('holiday override file', () => {
  const withOverrides = createCalendar({ overrides: overrides2027 });

  it('supplying 2027 makes working-day arithmetic cross into 2027', () => {
    expect(withOverrides.covers(2027)).toBe(true);
    // 12-31 Thu (1) | 01-01 holiday, 02–03 weekend | 01-04 Mon (2) | 01-05 Tue (3)
    expect(addWorkingDays('2026-12-30', 3, withOverrides)).toBe('2027-01-05');
    expect(withOverrides.isMakeUpWorkday('2027-02-14')).toBe(true);
    expect(addWorkingDays('2027-02-05', 1, withOverrides)).toBe('2027-02-14');
    expect(withOverrides.dayInfo('2027-10-04')).toMatchObject({ working: false, kind: 'holiday', name: '国庆节' });
    // 2024 still comes from chinese-days
    expect(addWorkingDays('2024-09-28', 10, withOverrides)).toBe('2024-10-16');
  });

  it('an override wins over the base data date by date', () => {
    const cal = createCalendar({
      overrides: { years: { 2024: { source: '更正', holidays: [{ name: '元旦', date: '2024-01-01' }, { name: '测试', date: '2024-10-12' }] } } },
    });
    expect(cal.isWorkingDay('2024-10-12')).toBe(false);
    expect(cal.isWorkingDay('2024-09-29')).toBe(true);
  });

  it('the shipped file parses, and its documented example is valid when uncommented', () => {
    const file = path.resolve(import.meta.dirname, '../../domain/time/holiday-overrides.yaml');
    const text = fs.readFileSync(file, 'utf8');
    expect(parseHolidayOverridesYaml(text).years).toEqual({});
    const lines = text.split('\n');
    const start = lines.findIndex((l) => l.startsWith('# years:'));
    const example = lines
      .slice(start)
      .filter((l) => l.startsWith('#'))
      .map((l) => l.replace(/^# ?/, ''))
      .join('\n');
    const parsed = parseHolidayOverridesYaml(example);
    const cal = createCalendar({ overrides: parsed });
    expect(cal.covers(2027)).toBe(true);
    expect(cal.isStatutoryHoliday('2027-10-07')).toBe(true);
  });

  it('rejects bad files with Chinese messages', () => {
    expect(() => parseHolidayOverrides({ years: { 2027: { source: 'x', holidays: [{ name: '春节', date: '2027-02-06' }] } } })).toThrow(
      /未把 2027-01-01（元旦）列为假日/,
    );
    expect(() =>
      parseHolidayOverrides({ years: { 2027: { source: 'x', holidays: [{ name: '元旦', date: '2027-02-30' }] } } }),
    ).toThrow(/日期无效/);
    expect(() =>
      parseHolidayOverrides({
        years: {
          2027: { source: 'x', holidays: [{ name: '元旦', date: '2027-01-01' }], workdays: [{ name: '元旦', date: '2027-01-01' }] },
        },
      }),
    ).toThrow(/同时被列为假日和调休上班日/);
    expect(() => parseHolidayOverrides({ years: { 2027: { holidays: [] } } })).toThrow(HolidayOverridesError);
    expect(() => parseHolidayOverridesYaml('years: [')).toThrow(/不是有效的 YAML/);
  });
});

describe('a calendar is a value (Temporal replay safety)', () => {
  it('round-trips through plain data and keeps its fingerprint', () => {
    const data = JSON.parse(JSON.stringify(calendar.toData()));
    const rebuilt = createCalendarFromData(data);
    expect(rebuilt.fingerprint).toBe(calendar.fingerprint);
    expect(addWorkingDays('2024-09-28', 10, rebuilt)).toBe('2024-10-16');
  });

  it('a slice covers only its years; overrides change the fingerprint', () => {
    const slice = createCalendarFromData(calendar.sliceData(2024, 2024));
    expect(slice.coveredYears).toEqual([2024]);
    expect(slice.isMakeUpWorkday('2024-10-12')).toBe(true);
    expect(() => slice.isWorkingDay('2025-01-02')).toThrow(/2025年的法定节假日安排尚未录入/);
    expect(createCalendar({ overrides: overrides2027 }).fingerprint).not.toBe(calendar.fingerprint);
  });

  it('an explicit base of null uses only the given data', () => {
    const only = createCalendar({ base: null, overrides: overrides2027 });
    expect(only.coveredYears).toEqual([2027]);
    expect(() => only.isWorkingDay('2024-10-08')).toThrow(CalendarCoverageError);
  });
});
