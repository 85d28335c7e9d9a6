// The migration that makes Notification.kind and ReportCycle.kind enums (issue 16): existing rows keep
// their stored (hyphenated) values and read as the Prisma members; a row with a value outside the set
// makes the migration fail, naming the value, and leaves the rows as they were. On PostgreSQL and PGlite.
import fs from 'node:fs';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { createPrismaClient } from '../../infra/db/client.js';
import { createScratchDatabase, withClient, type ScratchDatabase } from './scratch-database.js';
import { testDatabaseUrl } from '../support/database.js';

const TARGET = '20261207213000_enums_notification_cycle_kinds';
const migrationsDir = path.resolve(import.meta.dirname, '../../prisma/migrations');
const sqlOf = (name: string) => fs.readFileSync(path.join(migrationsDir, name, 'migration.sql'), 'utf8');
const before = fs
  .readdirSync(migrationsDir)
  .filter((n) => fs.existsSync(path.join(migrationsDir, n, 'migration.sql')) && n < TARGET)
  .sort();

let scratch: ScratchDatabase | undefined;
afterEach(async () => {
  await scratch?.drop();
  scratch = undefined;
});

/** A scratch database with every migration before the enum one, and these kinds in its rows. */
async function databaseWith(notificationKinds: string[], cycleKinds: string[]): Promise<string> {
  scratch = await createScratchDatabase(testDatabaseUrl());
  const url = scratch.url;
  await withClient(url, async (c) => {
    for (const name of before) await c.query(sqlOf(name));
    for (const [i, kind] of notificationKinds.entries()) {
      await c.query(`INSERT INTO "Notification" ("dedupeKey", "recipientStaffId", kind, text, "sentAt") VALUES ($1, 1, $2, '提醒', now())`, [`k${i}`, kind]);
    }
    for (const [i, kind] of cycleKinds.entries()) {
      await c.query(`INSERT INTO "ReportCycle" ("countyRegionId", kind, period, "workflowId", "dueAt", "openedAt") VALUES (1, $1, 'p', $2, now(), now())`, [kind, `wf${i}`]);
    }
  });
  return url;
}

/** Runs the enum migration in one transaction, as `migrate deploy` does. */
const migrate = (url: string) =>
  withClient(url, async (c) => {
    await c.query('BEGIN');
    try {
      await c.query(sqlOf(TARGET));
      await c.query('COMMIT');
    } catch (error) {
      await c.query('ROLLBACK');
      throw error;
    }
  });

const columnType = (url: string, table: string) =>
  withClient(url, async (c) => (await c.query<{ t: string }>(`SELECT udt_name AS t FROM information_schema.columns WHERE table_name = $1 AND column_name = 'kind'`, [table])).rows[0]?.t);

describe('migration to the Notification and ReportCycle kind enums', () => {
  it('keeps the stored values; Prisma reads them as the mapped members', async () => {
    const url = await databaseWith(['approval-request', 'reminder', 'calendar-gap'], ['phase-summary', 'village-chain', 'progress']);
    await migrate(url);
    expect(await columnType(url, 'Notification')).toBe('NotificationKind');
    expect(await columnType(url, 'ReportCycle')).toBe('ReportCycleKind');
    const stored = await withClient(url, async (c) => (await c.query<{ kind: string }>(`SELECT kind::text AS kind FROM "Notification" ORDER BY id`)).rows.map((r) => r.kind));
    expect(stored).toEqual(['approval-request', 'reminder', 'calendar-gap']);
    const prisma = createPrismaClient(url);
    try {
      expect((await prisma.notification.findMany({ orderBy: { id: 'asc' } })).map((n) => n.kind)).toEqual(['approvalRequest', 'reminder', 'calendarGap']);
      expect((await prisma.reportCycle.findMany({ orderBy: { id: 'asc' } })).map((c) => c.kind)).toEqual(['phaseSummary', 'villageChain', 'progress']);
      // Written through Prisma, stored hyphenated as before.
      await prisma.notification.create({ data: { dedupeKey: 'new', recipientStaffId: 1, kind: 'refusalNotice', text: '告知书', sentAt: new Date() } });
      const written = await withClient(url, async (c) => (await c.query<{ kind: string }>(`SELECT kind::text AS kind FROM "Notification" WHERE "dedupeKey" = 'new'`)).rows[0]?.kind);
      expect(written).toBe('refusal-notice');
    } finally {
      await prisma.$disconnect();
    }
  });

  it('fails on a value outside the set, naming it, and leaves the rows as they were', async () => {
    const url = await databaseWith(['reminder', 'approval_request'], ['progress']);
    await expect(migrate(url)).rejects.toThrow(/invalid input value for enum "NotificationKind": "approval_request"/);
    expect(await columnType(url, 'Notification')).toBe('text');
    const rows = await withClient(url, async (c) => (await c.query<{ kind: string }>(`SELECT kind FROM "Notification" ORDER BY id`)).rows.map((r) => r.kind));
    expect(rows).toEqual(['reminder', 'approval_request']);
  });

  it('fails on a cycle kind outside the set', async () => {
    const url = await databaseWith(['reminder'], ['weekly']);
    await expect(migrate(url)).rejects.toThrow(/invalid input value for enum "ReportCycleKind": "weekly"/);
    expect(await columnType(url, 'ReportCycle')).toBe('text');
  });
});
