// The migration that splits "BotFormState" (issue 16, typed state): rows of each sort, written as the
// code before it wrote them, land in their own tables, and the code after it reads them as before.
// Applies the migrations up to the one before it with the real Prisma CLI, on a scratch database.
import crypto from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { redeemLoginToken, sessionInfo } from '../../bot/console/auth.js';
import { createConsoleStore } from '../../bot/console/outbound.js';
import { createPrismaClient } from '../../infra/db/client.js';
import { runPrismaCli } from '../../infra/db/migrate.js';
import { createStaff, createTestCounty } from '../bot/support.js';
import { testNow } from '../support/clock.js';
import { testDatabaseUrl } from '../support/database.js';
import { copyProject, type MigrationProject } from './migration-project.js';
import { createScratchDatabase, withClient, type ScratchDatabase } from './scratch-database.js';

const MIGRATION = '20261207204500_split_bot_form_state';
/** Several Prisma CLI runs (each takes 2-4 s on an idle 2-core machine). */
const CLI_TIMEOUT = 240_000;

const sha256 = (token: string) => crypto.createHash('sha256').update(token).digest('hex');
const minutes = (n: number) => new Date(testNow().getTime() + n * 60_000);

describe(`migration ${MIGRATION}`, () => {
  let scratch: ScratchDatabase;
  let project: MigrationProject;

  beforeAll(async () => {
    scratch = await createScratchDatabase(testDatabaseUrl());
    project = copyProject({ before: MIGRATION });
  });

  afterAll(async () => {
    await scratch?.drop();
    project?.remove();
  });

  it('moves chat forms, console sessions, login tokens and console messages out of BotFormState into their own tables', async () => {
    const cli = (args: string[]) => runPrismaCli(args, { databaseUrl: scratch.url, configFile: project.configFile });
    const before = await cli(['migrate', 'deploy']);
    expect(before.exitCode, before.output).toBe(0);

    // A staff member, so that a moved login token can be redeemed.
    const setup = createPrismaClient(scratch.url);
    const county = await createTestCounty(setup, { townships: 1, villagesPerTownship: 1 });
    const staff = await createStaff(setup, county, { name: '迁移村干' });
    await setup.$disconnect();

    const sessionToken = 'S'.repeat(43);
    const loginToken = 'L'.repeat(43);
    const [botCard, typedLine, fileLine] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    const card = {
      title: '死亡核查：请确认',
      text: '请核对以下内容。',
      fields: [{ label: '姓名', value: '李四' }],
      buttons: [{ label: '确认提交', payload: { action: 'confirm', caseRef: 'death' }, style: 'primary' }],
    };
    const at = (n: number) => minutes(-n).toISOString();
    // Rows as bot/core/forms/engine.ts, bot/console/auth.ts and bot/console/outbound.ts wrote them.
    const rows: Array<[key: string, form: string, step: number, data: unknown, expiresAt: Date, updatedAt: Date]> = [
      ['feishu:oc_chat1:ou_sender1', 'death', 1, { deceasedName: '李四', __event: 'ev-feishu-1' }, minutes(20), minutes(-10)],
      ['telegram:-1001234:5678', 'complaint', 0, {}, minutes(25), minutes(-5)],
      ['console:private:9:staff:9', 'filing', 2, { relative: '王五', __caseRef: 'c-1', __event: 'ev-console-1' }, minutes(30), minutes(-1)],
      // Expired: it still moves (the sender is then told the form expired).
      ['console:group:7:staff:9', 'death', 0, {}, minutes(-5), minutes(-35)],
      [`console-session:${sha256(sessionToken)}`, 'console-session', 0, { staffId: staff.id }, minutes(8 * 60), minutes(-2)],
      [`console-login:${sha256(loginToken)}`, 'console-login', 0, { staffId: staff.id }, minutes(15), minutes(-3)],
      [`console-msg:${botCard}`, 'console-message', 0, { chatId: 'group:7', message: card, at: at(40) }, minutes(30 * 24 * 60), minutes(-40)],
      [`console-msg:${typedLine}`, 'console-message', 0, { chatId: 'private:9', from: '迁移村干', fromId: 9, message: { text: '/帮助' }, at: at(30) }, minutes(30 * 24 * 60), minutes(-30)],
      [
        `console-msg:${fileLine}`,
        'console-message',
        0,
        { chatId: 'private:9', message: { text: '附件：核查表.xlsx' }, file: { fileName: '核查表.xlsx', notificationId: 55, index: 1 }, at: at(20) },
        minutes(30 * 24 * 60),
        minutes(-20),
      ],
    ];
    await withClient(scratch.url, async (c) => {
      for (const [key, form, step, data, expiresAt, updatedAt] of rows) {
        await c.query(`INSERT INTO "BotFormState" (key, form, step, data, "expiresAt", "updatedAt") VALUES ($1, $2, $3, $4, $5, $6)`, [key, form, step, JSON.stringify(data), expiresAt, updatedAt]);
      }
      const sends: Array<[string, string]> = [
        ['group:7', botCard],
        ['private:9', typedLine],
        ['private:9', fileLine],
      ];
      for (const [chatId, id] of sends) {
        await c.query(`INSERT INTO "OutboundMessage" ("dedupeKey", platform, "chatId", "platformMessageId") VALUES ($1, 'console', $2, $3)`, [`k:${id}`, chatId, id]);
      }
      // A row of no known sort.
      await c.query(`INSERT INTO "BotFormState" (key, form, step, data, "expiresAt", "updatedAt") VALUES ('stray-row', 'x', 0, '{}', $1, $1)`, [minutes(1)]);
    });

    // A row of no known sort stops the migration, named, and nothing changes.
    project.addMigration(MIGRATION);
    const refused = await cli(['migrate', 'deploy']);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.output).toContain('BotFormState row "stray-row"');
    expect(await withClient(scratch.url, async (c) => (await c.query(`SELECT count(*)::int AS n FROM "BotFormState"`)).rows[0].n)).toBe(rows.length + 1);
    expect(await withClient(scratch.url, async (c) => (await c.query(`SELECT to_regclass('"ChatFormState"') AS t`)).rows[0].t)).toBeNull();
    expect((await cli(['migrate', 'resolve', '--rolled-back', MIGRATION])).exitCode).toBe(0);
    await withClient(scratch.url, (c) => c.query(`DELETE FROM "BotFormState" WHERE key = 'stray-row'`));

    const applied = await cli(['migrate', 'deploy']);
    expect(applied.exitCode, applied.output).toBe(0);
    expect(await withClient(scratch.url, async (c) => (await c.query(`SELECT to_regclass('"BotFormState"') AS t`)).rows[0].t)).toBeNull();

    const prisma = createPrismaClient(scratch.url);
    try {
      expect(await prisma.chatFormState.findMany({ orderBy: [{ platform: 'asc' }, { chatId: 'asc' }] })).toEqual([
        { platform: 'feishu', chatId: 'oc_chat1', senderId: 'ou_sender1', form: 'death', step: 1, data: { deceasedName: '李四' }, lastEventId: 'ev-feishu-1', expiresAt: minutes(20), updatedAt: minutes(-10) },
        { platform: 'telegram', chatId: '-1001234', senderId: '5678', form: 'complaint', step: 0, data: {}, lastEventId: null, expiresAt: minutes(25), updatedAt: minutes(-5) },
        { platform: 'console', chatId: 'group:7', senderId: 'staff:9', form: 'death', step: 0, data: {}, lastEventId: null, expiresAt: minutes(-5), updatedAt: minutes(-35) },
        { platform: 'console', chatId: 'private:9', senderId: 'staff:9', form: 'filing', step: 2, data: { relative: '王五', __caseRef: 'c-1' }, lastEventId: 'ev-console-1', expiresAt: minutes(30), updatedAt: minutes(-1) },
      ]);
      expect(await prisma.consoleSession.findMany()).toEqual([{ tokenHash: sha256(sessionToken), staffId: staff.id, expiresAt: minutes(8 * 60), createdAt: minutes(-2) }]);
      expect(await prisma.consoleLoginToken.findMany()).toEqual([{ tokenHash: sha256(loginToken), staffId: staff.id, expiresAt: minutes(15), createdAt: minutes(-3) }]);
      const kept = minutes(30 * 24 * 60);
      expect(await prisma.consoleMessage.findMany({ orderBy: { at: 'asc' } })).toEqual([
        { id: botCard, chatId: 'group:7', fromName: null, fromStaffId: null, message: card, fileName: null, fileNotificationId: null, fileIndex: null, at: minutes(-40), expiresAt: kept },
        { id: typedLine, chatId: 'private:9', fromName: '迁移村干', fromStaffId: 9, message: { text: '/帮助' }, fileName: null, fileNotificationId: null, fileIndex: null, at: minutes(-30), expiresAt: kept },
        { id: fileLine, chatId: 'private:9', fromName: null, fromStaffId: null, message: { text: '附件：核查表.xlsx' }, fileName: '核查表.xlsx', fileNotificationId: 55, fileIndex: 1, at: minutes(-20), expiresAt: kept },
      ]);

      // The code reads them as it read the old rows.
      expect(await sessionInfo(prisma, sessionToken, testNow())).toEqual({ staffId: staff.id, expiresAt: minutes(8 * 60) });
      const store = createConsoleStore(prisma, testNow);
      expect(await store.history(['group:7', 'private:9'])).toEqual([
        { id: botCard, chatId: 'group:7', message: card, at: at(40) },
        { id: typedLine, chatId: 'private:9', from: '迁移村干', fromId: 9, message: { text: '/帮助' }, at: at(30) },
        { id: fileLine, chatId: 'private:9', message: { text: '附件：核查表.xlsx' }, file: { fileName: '核查表.xlsx', notificationId: 55, index: 1 }, at: at(20) },
      ]);
      const redeemed = await redeemLoginToken(prisma, loginToken, testNow());
      expect(redeemed?.staffId).toBe(staff.id);
      expect(await redeemLoginToken(prisma, loginToken, testNow())).toBeUndefined();
      expect(await prisma.consoleLoginToken.count()).toBe(0);
    } finally {
      await prisma.$disconnect();
    }
  }, CLI_TIMEOUT);
});
