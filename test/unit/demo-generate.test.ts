/**
 * The demo county as data (demo/generate.ts), before anything is written: deterministic for a
 * seed, valid and distinct ID numbers, every staff role, a complete ledger; the ID generator in
 * domain/identity; when the console's demo mode switches on.
 */
import { describe, expect, it } from 'vitest';

import { demoModeFor } from '../../demo/load.js';
import { generateDemoCounty, PLANTED_KINDS } from '../../demo/generate.js';
import { IdNumberAllocator, isValidIdNumber, makeIdNumber, parseIdNumber } from '../../domain/identity/index.js';

describe('makeIdNumber / IdNumberAllocator', () => {
  it('builds the GB 11643 number with its check character', () => {
    expect(makeIdNumber('110105', '1949-12-31', 2)).toBe('11010519491231002X');
    expect(isValidIdNumber(makeIdNumber('141121', '19800101', 123))).toBe(true);
    expect(() => makeIdNumber('1411', '19800101', 1)).toThrow();
  });

  it('hands out distinct numbers of the requested sex, skipping taken ones', () => {
    const taken = new Set([makeIdNumber('141121', '19800101', 1)]);
    const a = new IdNumberAllocator('141121', taken);
    const got = Array.from({ length: 300 }, (_, i) => a.allocate('1980-01-01', i % 2 === 0, 0));
    expect(new Set(got).size).toBe(300);
    expect(got).not.toContain(makeIdNumber('141121', '19800101', 1));
    got.forEach((id, i) => expect(parseIdNumber(id).sex).toBe(i % 2 === 0 ? 'female' : 'male'));
  });
});

describe('generateDemoCounty', () => {
  const opts = { preset: 'wenshui' as const, seed: 5, scale: 0.05, today: '2026-11-22' };

  it('is deterministic for a seed, and differs for another seed', () => {
    const a = generateDemoCounty(opts);
    const b = generateDemoCounty(opts);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    const c = generateDemoCounty({ ...opts, seed: 6 });
    expect(c.households.map((h) => h.members[0]!.idNumber)).not.toEqual(a.households.map((h) => h.members[0]!.idNumber));
  });

  it('gives every person a valid ID number of the preset area, none twice', () => {
    const g = generateDemoCounty(opts);
    const people = [
      ...g.staff.map((s) => s.idNumber),
      ...g.households.flatMap((h) => h.members.map((m) => m.idNumber)),
      ...g.deaths.filter((d) => !g.households.some((h) => h.members.some((m) => m.idNumber === d.idNumber))).map((d) => d.idNumber),
      ...g.applications.map((a) => a.idNumber),
    ];
    expect(g.applications.length).toBe(5);
    for (const id of people) {
      expect(isValidIdNumber(id, '2026-11-22')).toBe(true);
      expect(id.slice(0, 6)).toBe('141121');
    }
    expect(new Set(people).size).toBe(people.length);
  });

  it('has staff in every role and a 24-period ledger ending with the last period due before today', () => {
    const g = generateDemoCounty(opts);
    expect(new Set(g.staff.map((s) => s.role))).toEqual(
      new Set(['VILLAGE_COMMITTEE', 'TOWNSHIP_CASEWORKER', 'TOWNSHIP_HEAD', 'SECTION_CASEWORKER', 'SECTION_HEAD', 'TASKFORCE_OFFICE', 'TASKFORCE_LEADER', 'DISCIPLINE_LIAISON', 'ADMIN']),
    );
    expect(g.ledger).toEqual({ firstPeriod: '2024-12', lastPeriod: '2026-11' });
    // On the 5th the month's 低保 (due the 10th) is not due yet: the ledger ends the month before.
    expect(generateDemoCounty({ ...opts, today: '2026-11-05' }).ledger).toEqual({ firstPeriod: '2024-11', lastPeriod: '2026-10' });
    for (const h of g.households) for (const p of h.payments) expect(p.period >= g.ledger.firstPeriod && p.period <= g.ledger.lastPeriod).toBe(true);
    expect(g.households.some((h) => h.enrolment.kind === 'TEKUN_CENTRALIZED' && h.enrolment.institution !== null)).toBe(true);
  });

  it('plants at least one finding of every planted kind', () => {
    const g = generateDemoCounty(opts);
    for (const k of PLANTED_KINDS) expect(g.expected[k].length, k).toBeGreaterThan(0);
  });

  it('under another county name, uses an area code of that name (two counties never share an ID number)', () => {
    const a = generateDemoCounty({ ...opts, countyName: '演示一县' });
    const b = generateDemoCounty({ ...opts, countyName: '演示二县' });
    const area = (g: typeof a) => new Set(g.households.map((h) => h.members[0]!.idNumber.slice(0, 6)));
    expect(area(a).size).toBe(1);
    expect([...area(a)][0]).not.toBe('141121');
    expect([...area(a)][0]).not.toBe([...area(b)][0]);
    expect(a.institutions[0]!.name).toBe('演示一县社会福利院');
  });

  it('scales the number of households', () => {
    expect(generateDemoCounty({ ...opts, scale: 0.2 }).households.length).toBeGreaterThan(3 * generateDemoCounty(opts).households.length);
  });
});

describe('demoModeFor', () => {
  const demoCounty = { county: '文水县' };
  it('switches on for the demo county on loopback only', () => {
    expect(demoModeFor({ envDemo: false, host: '127.0.0.1', countyInForce: '文水县', demoCounty }).on).toBe(true);
    expect(demoModeFor({ envDemo: false, host: '0.0.0.0', countyInForce: '文水县', demoCounty })).toMatchObject({ on: false, note: expect.stringContaining('非本机地址') });
    expect(demoModeFor({ envDemo: false, host: '127.0.0.1', countyInForce: '长子县', demoCounty })).toEqual({ on: false, note: undefined });
    expect(demoModeFor({ envDemo: false, host: '127.0.0.1', countyInForce: '文水县', demoCounty: undefined })).toEqual({ on: false, note: undefined });
    expect(demoModeFor({ envDemo: true, host: '::1', countyInForce: '长子县', demoCounty: undefined }).on).toBe(true);
  });
});
