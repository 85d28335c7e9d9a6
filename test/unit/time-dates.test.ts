import { describe, expect, it } from 'vitest';
import {
  addCalendarDays,
  addMonthsClamped,
  compareLocalDates,
  diffCalendarDays,
  isValidLocalDate,
  isoWeekday,
  parseLocalDate,
  weekdayNameZh,
} from '../../domain/time/local-date.js';
import {
  chinaInstant,
  deadlineExpiry,
  endOfChinaDay,
  formatChinaDateTime,
  lastOnTimeDay,
  toChinaDate,
} from '../../domain/time/instants.js';
import { DomainInputError } from '../../domain/errors.js';

describe('addMonthsClamped ("3 months from the date of death")', () => {
  it('31 Jan + 1 month is the last day of February', () => {
    expect(addMonthsClamped('2024-01-31', 1)).toBe('2024-02-29'); // leap year
    expect(addMonthsClamped('2023-01-31', 1)).toBe('2023-02-28');
  });

  it('29 Feb 2024 + 3 months / + 12 months / + 48 months', () => {
    expect(addMonthsClamped('2024-02-29', 3)).toBe('2024-05-29');
    expect(addMonthsClamped('2024-02-29', 12)).toBe('2025-02-28');
    expect(addMonthsClamped('2024-02-29', 48)).toBe('2028-02-29');
  });

  it('31 Mar + 3 months = 30 Jun; 30 Nov + 3 months = 28 Feb (year change)', () => {
    expect(addMonthsClamped('2024-03-31', 3)).toBe('2024-06-30');
    expect(addMonthsClamped('2024-11-30', 3)).toBe('2025-02-28');
    expect(addMonthsClamped('2024-12-31', 2)).toBe('2025-02-28');
    expect(addMonthsClamped('2024-08-31', 6)).toBe('2025-02-28');
  });

  it('keeps the day when it exists and supports negative months', () => {
    expect(addMonthsClamped('2024-04-15', 3)).toBe('2024-07-15');
    expect(addMonthsClamped('2024-03-31', -1)).toBe('2024-02-29');
    expect(addMonthsClamped('2024-01-15', -1)).toBe('2023-12-15');
  });
});

describe('calendar-day arithmetic', () => {
  it('adds days across month, leap day and year ends', () => {
    expect(addCalendarDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addCalendarDays('2023-02-28', 1)).toBe('2023-03-01');
    expect(addCalendarDays('2023-12-31', 1)).toBe('2024-01-01');
    expect(addCalendarDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addCalendarDays('2024-09-28', 60)).toBe('2024-11-27');
  });

  it('diffs and compares', () => {
    expect(diffCalendarDays('2024-01-01', '2025-01-01')).toBe(366);
    expect(diffCalendarDays('2025-03-05', '2025-02-28')).toBe(-5);
    expect(compareLocalDates('2024-10-09', '2024-10-10')).toBe(-1);
  });

  it('knows the weekday (ISO, 1 = Monday)', () => {
    expect(isoWeekday('1970-01-01')).toBe(4);
    expect(isoWeekday('2024-10-10')).toBe(4);
    expect(isoWeekday('2024-09-29')).toBe(7);
    expect(isoWeekday('2024-10-12')).toBe(6);
    expect(weekdayNameZh('2025-02-28')).toBe('星期五');
  });

  it('rejects impossible or malformed dates with a Chinese message', () => {
    expect(isValidLocalDate('2023-02-29')).toBe(false);
    expect(isValidLocalDate('2024-02-29')).toBe(true);
    expect(isValidLocalDate('2024-4-1')).toBe(false);
    expect(() => parseLocalDate('2024-13-01')).toThrow(DomainInputError);
    expect(() => addCalendarDays('2024/10/10', 1)).toThrow(/日期格式无效/);
  });
});

describe('instants in Asia/Shanghai', () => {
  it('a deadline day ends at the next day 00:00 +08:00', () => {
    expect(endOfChinaDay('2024-10-10').toISOString()).toBe('2024-10-10T16:00:00.000Z');
    expect(deadlineExpiry('2024-10-10', { inclusive: true }).toISOString()).toBe('2024-10-10T16:00:00.000Z');
  });

  it('the exclusive reading of "10日前" ends at the start of the 10th', () => {
    expect(lastOnTimeDay('2024-10-10', { inclusive: false })).toBe('2024-10-09');
    expect(deadlineExpiry('2024-10-10', { inclusive: false }).toISOString()).toBe('2024-10-09T16:00:00.000Z');
  });

  it('a cut-off time ("星期四上午" → 12:00) expires on the day itself', () => {
    expect(deadlineExpiry('2024-10-10', { inclusive: true, cutoffTime: '12:00' }).toISOString()).toBe(
      '2024-10-10T04:00:00.000Z',
    );
    expect(chinaInstant('2024-10-03', '09:00').toISOString()).toBe('2024-10-03T01:00:00.000Z');
  });

  it('maps instants back to the Beijing civil date', () => {
    expect(toChinaDate(new Date('2024-10-10T15:59:59Z'))).toBe('2024-10-10');
    expect(toChinaDate(new Date('2024-10-10T16:00:00Z'))).toBe('2024-10-11');
    // Before 1991 China had summer time (UTC+9): the library's zone data answers.
    expect(toChinaDate(new Date('1990-07-01T15:30:00Z'))).toBe('1990-07-02');
    expect(toChinaDate(new Date('1990-12-01T15:30:00Z'))).toBe('1990-12-01');
    expect(formatChinaDateTime(new Date('2025-02-28T16:00:00Z'))).toBe('2025-03-01 00:00');
  });
});
