/**
 * The holiday-data watch (services/calendar-watch.ts): when a working-day clock
 * started today could reach a year without the State Council notice, the
 * 专班 office is told once per year, in Chinese, how to load it; nothing is
 * sent when the data covers the clocks, and a second check adds nothing.
 */
import { afterAll, describe, expect, it } from 'vitest';

import { calendarGapText, checkCalendarCoverage } from '../../services/calendar-watch.js';
import { createPrismaClient } from '../../infra/db/client.js';
import { createCalendar, createCalendarFromData } from '../../domain/time/index.js';
import { createTestCounty } from '../support/county.js';
import { freshIdNumber } from '../support/ids.js';
import { testDatabaseUrl } from '../support/database.js';

const prisma = createPrismaClient(testDatabaseUrl());
afterAll(() => prisma.$disconnect());

const with2027 = createCalendar({ overrides: { years: { 2027: { source: '测试用虚构安排', holidays: [{ name: '元旦', date: '2027-01-01' }], workdays: [] } } } });
const only2026 = createCalendarFromData(with2027.sliceData(2026, 2026));

describe('holiday data ahead of the clocks', () => {
  it('tells each 专班 office member once per missing year; nothing when covered', async () => {
    const county = await createTestCounty(prisma, { townships: 1, villagesPerTownship: 1 });
    const staff = (name: string, role: 'TASKFORCE_OFFICE' | 'TASKFORCE_LEADER', active = true) =>
      prisma.staff.create({ data: { name, idNumber: freshIdNumber(), role, unit: '专班', regionId: county.countyId, active } });
    const [a, b] = [await staff('吴专班', 'TASKFORCE_OFFICE'), await staff('周专班', 'TASKFORCE_OFFICE')];
    await staff('离职专班', 'TASKFORCE_OFFICE', false);
    await staff('赵组长', 'TASKFORCE_LEADER');
    const lines: string[] = [];
    const check = (calendar: typeof only2026, at: string) => checkCalendarCoverage({ prisma, calendar, countyRegionId: county.countyId, now: () => new Date(at), log: (l) => lines.push(l) });
    const sent = () => prisma.notification.findMany({ where: { dedupeKey: { startsWith: `calendar-gap:${county.countyId}:` } }, orderBy: { recipientStaffId: 'asc' } });

    // Mid-year: the next 90 days stay in 2026.
    expect(await check(only2026, '2026-06-01T01:00:00Z')).toEqual([]);
    expect(await sent()).toEqual([]);
    // Late November: a clock started today can reach 2027.
    expect(await check(only2026, '2026-11-22T01:00:00Z')).toEqual([2027]);
    const rows = await sent();
    expect(rows.map((r) => r.recipientStaffId)).toEqual([a.id, b.id]);
    expect(rows.every((r) => r.kind === 'calendarGap' && r.text === calendarGapText(2027, [2026]))).toBe(true);
    expect(rows[0]!.text).toContain('2027年的法定节假日安排尚未录入');
    expect(rows[0]!.text).toContain('holiday-overrides.yaml');
    expect(lines.some((l) => l.includes('2027年'))).toBe(true);
    // Checked again (twice a day): nothing new.
    expect(await check(only2026, '2026-11-22T13:00:00Z')).toEqual([2027]);
    expect(await sent()).toHaveLength(2);
    // The notice loaded: nothing to say.
    expect(await check(with2027, '2026-12-01T01:00:00Z')).toEqual([]);
    expect(await sent()).toHaveLength(2);
  });
});
