/**
 * The tests' clock and fixture calendar (test/support/clock.ts): the pinned instant and its setting,
 * fixture years only where `chinese-days` ships none, and the same years registered with a service
 * through the holiday override file it reads (services/county.ts loadCalendar).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCalendar } from '../../services/county.js';
import { chineseDaysCalendarData } from '../../domain/time/chinese-days-source.js';
import {
  DEFAULT_TEST_NOW,
  FIXTURE_CALENDAR_SOURCE,
  TEST_NOW_MS,
  TEST_TODAY_ENV,
  createTestClock,
  fixtureYears,
  parseTestToday,
  testCalendar,
  testCalendarYears,
  testToday,
  writeFixtureHolidayOverrides,
} from '../support/clock.js';

describe('the tests\' clock', () => {
  it('is the pinned default unless JIUZHU_TEST_TODAY moves it; a date means 10:00 Beijing time', () => {
    const setting = process.env[TEST_TODAY_ENV];
    expect(TEST_NOW_MS).toBe(parseTestToday(setting || DEFAULT_TEST_NOW));
    expect(parseTestToday(DEFAULT_TEST_NOW)).toBe(Date.parse('2026-12-07T02:00:00Z'));
    expect(parseTestToday('2028-12-30')).toBe(Date.parse('2028-12-30T02:00:00Z'));
    expect(parseTestToday('2027-03-01T00:30:00+08:00')).toBe(Date.parse('2027-02-28T16:30:00Z'));
    expect(() => parseTestToday('2027-02-30')).toThrow(TEST_TODAY_ENV);
    expect(() => parseTestToday('tomorrow')).toThrow(TEST_TODAY_ENV);
    if (!setting) expect(testToday()).toBe('2026-12-07');
  });

  it('moves only when the test moves it', () => {
    const clock = createTestClock(Date.parse('2027-03-01T02:00:00Z'));
    expect(clock.now().toISOString()).toBe('2027-03-01T02:00:00.000Z');
    clock.advance(86_400_000);
    expect(clock.ms()).toBe(Date.parse('2027-03-02T02:00:00Z'));
    clock.set(0);
    expect(clock.now().getTime()).toBe(0);
  });
});

describe('the fixture calendar', () => {
  const shipped = new Set(Object.keys(chineseDaysCalendarData().years).map(Number));

  it('adds weekends-and-元旦 years only where chinese-days ships none, keeping shipped years as published', () => {
    const years = testCalendarYears(2028);
    expect(years).toEqual([2026, 2027, 2028, 2029, 2030, 2031]);
    expect(fixtureYears(years)).toEqual(years.filter((y) => !shipped.has(y)));
    const cal = testCalendar(years);
    for (const y of years) expect(cal.covers(y)).toBe(true);
    const data = cal.toData();
    for (const y of fixtureYears(years)) {
      expect(data.years[String(y)]!.source).toBe(FIXTURE_CALENDAR_SOURCE);
      expect(cal.isWorkingDay(`${y}-01-01`)).toBe(false);
      expect(Object.keys(data.holidays).filter((d) => d.startsWith(`${y}-`))).toEqual([`${y}-01-01`]);
    }
    if (shipped.has(2026)) expect(data.years['2026']!.source).not.toBe(FIXTURE_CALENDAR_SOURCE);
    // A Friday in a fixture year is a working day, the Saturday after it is not.
    expect(cal.isWorkingDay('2029-03-02')).toBe(true);
    expect(cal.isWorkingDay('2029-03-03')).toBe(false);
  });

  it('reaches a service through its holiday override file: loadCalendar sees the same years', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-clock-'));
    try {
      const years = testCalendarYears(2028);
      writeFixtureHolidayOverrides(dir, years);
      const loaded = loadCalendar(dir);
      for (const y of years) expect(loaded.covers(y)).toBe(true);
      const [a, b] = [loaded.sliceData(2026, 2031), testCalendar(years).sliceData(2026, 2031)];
      expect(Object.keys(a.years)).toEqual(Object.keys(b.years));
      expect(a.holidays).toEqual(b.holidays);
      expect(a.workdays).toEqual(b.workdays);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
