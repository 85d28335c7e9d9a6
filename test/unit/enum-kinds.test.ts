/**
 * Notification.kind and ReportCycle.kind are enums whose stored values are
 * hyphenated ('approval-request'): schema.prisma names them with identifiers
 * and `@map`, the domain speaks the stored values, infra/db/kinds.ts converts.
 * Read from the sources: each pair of the conversion tables is the schema's
 * @map, the domain lists are the schema's values, and the migration creates
 * exactly those values (so the stored values did not change).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { REPORT_CYCLE_KINDS } from '../../domain/cycles/ids.js';
import { NOTIFICATION_KINDS } from '../../domain/notification-kinds.js';
import { dbNotificationKind, dbReportCycleKind, KIND_TABLES, notificationKindOf, reportCycleKindOf, type DbNotificationKind } from '../../infra/db/kinds.js';
import { NOTIFICATION_TITLES } from '../../bot/core/notification-buttons.js';

/** Member name → stored value of an enum of schema.prisma. */
function schemaEnum(name: string): Map<string, string> {
  const schema = readFileSync('prisma/schema.prisma', 'utf8');
  const body = new RegExp(`^enum ${name} \\{([^}]*)\\}`, 'm').exec(schema)?.[1];
  if (body === undefined) throw new Error(`enum ${name} not in schema.prisma`);
  const out = new Map<string, string>();
  for (const line of body.split('\n')) {
    const m = /^\s*([A-Za-z]\w*)(?:\s+@map\("([^"]+)"\))?/.exec(line.replace(/\/\/.*$/, ''));
    if (m) out.set(m[1]!, m[2] ?? m[1]!);
  }
  return out;
}

/** The values of `CREATE TYPE "<name>" AS ENUM (…)` in the migrations. */
function migrationEnum(name: string): string[] {
  for (const dir of readdirSync('prisma/migrations').sort()) {
    if (!dir.match(/^\d/)) continue;
    const sql = readFileSync(join('prisma/migrations', dir, 'migration.sql'), 'utf8');
    const m = new RegExp(`CREATE TYPE "${name}" AS ENUM \\(([^)]*)\\)`).exec(sql);
    if (m) return [...m[1]!.matchAll(/'([^']+)'/g)].map((v) => v[1]!);
  }
  throw new Error(`no migration creates ${name}`);
}

describe.each([
  { name: 'NotificationKind', domain: NOTIFICATION_KINDS as readonly string[] },
  { name: 'ReportCycleKind', domain: REPORT_CYCLE_KINDS as readonly string[] },
] as const)('$name', ({ name, domain }) => {
  const table: Readonly<Record<string, string>> = KIND_TABLES[name];
  const members = schemaEnum(name);

  it('converts each domain kind to the member whose @map is that kind', () => {
    expect(members.size).toBeGreaterThan(2);
    for (const [kind, member] of Object.entries(table)) expect(members.get(member), `${kind} → ${member}`).toBe(kind);
  });

  it('lists in the domain exactly the stored values of the schema and of the migration', () => {
    expect([...domain].sort()).toEqual([...members.values()].sort());
    expect(Object.keys(table).sort()).toEqual([...domain].sort());
    expect(migrationEnum(name)).toEqual([...members.values()]);
  });
});

describe('kind conversion', () => {
  it('goes both ways', () => {
    for (const k of NOTIFICATION_KINDS) expect(notificationKindOf(dbNotificationKind(k))).toBe(k);
    for (const k of REPORT_CYCLE_KINDS) expect(reportCycleKindOf(dbReportCycleKind(k))).toBe(k);
    expect(dbNotificationKind('approval-request')).toBe('approvalRequest');
    expect(reportCycleKindOf('phaseSummary')).toBe('phase-summary');
  });

  it('fails on a value outside the set (a kind sent by a workflow the enum does not know)', () => {
    expect(() => dbNotificationKind('approvalRequest' as never)).toThrow(/unknown notification kind: approvalRequest/);
    expect(() => notificationKindOf('toString' as DbNotificationKind)).toThrow(/unknown NotificationKind/);
  });

  it('titles every notification kind', () => {
    expect(NOTIFICATION_KINDS.filter((k) => !NOTIFICATION_TITLES[k])).toEqual([]);
  });
});
