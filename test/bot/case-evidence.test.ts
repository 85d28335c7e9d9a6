/**
 * Evidence changes shown (issue 14 item 6): when an import changes the data behind the finding a case
 * was opened from, after the finding, the case's page (/案件 N over the Telegram fake; the console is
 * the same core) and `jiuzhu audit export --case N` show it: old → new, ID numbers masked, which
 * import file (name, SHA-256) and when. Before the change, and for a case whose finding's data did not
 * change, nothing is shown.
 */
import path from 'node:path';
import { PassThrough } from 'node:stream';

import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../support/database.js';

import { exportCaseAudit } from '../../app/commands/audit.js';
import { createPrismaClient } from '../../infra/db/client.js';
import { createBotCore } from '../../bot/core/index.js';
import { createTelegramBot, registerTelegramWebhook } from '../../bot/telegram/index.js';
import { maskIdNumber } from '../../domain/identity/index.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-bot-api.js';
import { postUpdate, privateChat, tgUser } from '../fakes/telegram-updates.js';
import { runImport, tempDir, writeCsvFile } from '../db/import-support.js';
import { createStaff, createTestCounty, freshIdNumber, listen, RecordingCaseStarter, uniq, uniqNum } from './support.js';

const prisma = createPrismaClient(testDatabaseUrl());
const TOKEN = `${uniqNum()}:AACaseEvidence_abcdefghijklmnopqrstuv`;
const SECRET = 'case_evidence';
const tmp = tempDir();
let fake: FakeTelegram;
let app: FastifyInstance;
let url: string;

beforeAll(async () => {
  fake = await startFakeTelegram({ token: TOKEN, botUsername: 'jiuzhu_evidence_bot', chats: [], rateLimit: false });
  const core = createBotCore({ prisma, caseStarter: new RecordingCaseStarter() });
  const tg = createTelegramBot({ token: TOKEN, core, prisma, apiRoot: fake.url, botInfo: fake.bot });
  app = Fastify();
  const hook = registerTelegramWebhook(app, { bot: tg, secretToken: SECRET, inlineBudgetMs: 30_000, onError: () => {} });
  url = (await listen(app)) + hook.path;
});
afterAll(async () => {
  await app.close();
  await fake.close();
  await prisma.$disconnect();
  tmp.cleanup();
});

function cliIo() {
  const out = new PassThrough();
  const err = new PassThrough();
  return { io: { stdout: out, stderr: err }, stdout: () => (out.read() as Buffer | null)?.toString('utf8') ?? '' };
}

const DEATH_HEADER = ['姓名', '身份证号', '死亡日期', '来源'];

describe('a case whose finding’s evidence an import changed afterwards', () => {
  it('shows the change on /案件 N and in the audit export; nothing before, nothing for an untouched case', async () => {
    const county = await createTestCounty(prisma);
    const village = county.townships[0]!.villages[0]!;
    const staff = await createStaff(prisma, county, { role: 'VILLAGE_COMMITTEE', name: '周核查' });
    const user = tgUser(uniqNum(), '周核查');
    await prisma.staffBinding.create({ data: { staffId: staff.id, platform: 'telegram', externalId: String(user.id) } });
    const ask = async (text: string) => {
      expect((await postUpdate(url, fake.userMessage({ chat: privateChat(user), from: user, text }), { secretToken: SECRET })).status).toBe(200);
      const replies = fake.messages(user.id).filter((m) => m.from?.is_bot);
      return 'text' in replies.at(-1)! ? (replies.at(-1)!.text ?? '') : '';
    };

    const dead = freshIdNumber();
    const untouched = freshIdNumber();
    const first = await runImport(prisma, {
      kind: 'deaths',
      file: writeCsvFile(path.join(tmp.dir, 'deaths-1.csv'), DEATH_HEADER, [
        ['吴亡', dead, '2024-03-01', '公安'],
        ['郑亡', untouched, '2024-03-02', '公安'],
      ]),
    });
    expect(first.status).toBe('imported');

    // Each case opened from a finding (its work order), found before the re-import.
    const foundAt = new Date(Date.now() - 60_000);
    const openCase = async (idNumber: string) => {
      const finding = await prisma.finding.create({ data: { kind: 'paid_after_death', key: uniq('evidence|'), idNumber, regionId: village.id, period: '2024-05', evidence: {}, foundAt } });
      const workflowId = uniq('death-review:evidence:');
      const row = await prisma.case.create({ data: { kind: 'DEATH_REVIEW', workflowId, subjectIdNumber: idNumber, regionId: village.id, assigneeStaffId: staff.id, dueAt: new Date(Date.now() + 5 * 86_400_000) } });
      await prisma.workOrder.create({ data: { countyRegionId: county.countyId, workflowId, kind: 'deathReview', source: `finding:${finding.id}`, findingId: finding.id, input: {}, openedAt: new Date() } });
      return { finding, row };
    };
    const changed = await openCase(dead);
    const same = await openCase(untouched);

    const before = await ask(`/case ${changed.row.id}`);
    expect(before).toContain(`死亡核查 #${changed.row.id}`);
    expect(before).not.toContain('证据变更');
    const cliBefore = cliIo();
    expect(await exportCaseAudit(prisma, String(changed.row.id), cliBefore.io)).toBe(0);
    expect(cliBefore.stdout()).toContain('证据变更：无');

    // The date of death moved two months later: the over-payment months shrink.
    const second = await runImport(prisma, {
      kind: 'deaths',
      allowChanges: true,
      file: writeCsvFile(path.join(tmp.dir, 'deaths-2.csv'), DEATH_HEADER, [
        ['吴亡', dead, '2024-05-01', '公安'],
        ['郑亡', untouched, '2024-03-02', '公安'],
      ]),
    });
    expect([second.status, second.changes.count]).toEqual(['imported', 1]);

    const after = await ask(`/case ${changed.row.id}`);
    expect(after).toContain('证据变更');
    expect(after).toContain(`线索 #${changed.finding.id}（死亡后仍发放`);
    expect(after).toContain(`死亡记录 本人 ${maskIdNumber(dead)}（吴亡）：死亡日期 2024-03-01 → 2024-05-01`);
    expect(after).toContain('导入文件“deaths-2.csv”');
    expect(after).toContain(`SHA-256 ${second.sha256.slice(0, 16)}…`);
    expect(after).toContain(`批次 #${second.batchId}`);
    expect(after).not.toContain(dead);
    expect(await ask(`/case ${same.row.id}`)).not.toContain('证据变更');

    const cli = cliIo();
    expect(await exportCaseAudit(prisma, String(changed.row.id), cli.io)).toBe(0);
    const text = cli.stdout();
    expect(text).toContain('证据变更（本案所依据线索的数据在发现后被导入更改，旧值 → 新值）');
    expect(text).toContain(`死亡日期 2024-03-01 → 2024-05-01`);
    expect(text).toContain(`SHA-256 ${second.sha256}`);
    expect(text).toContain(`批次 #${second.batchId}`);
    expect(text).not.toContain(dead);
    const cliSame = cliIo();
    expect(await exportCaseAudit(prisma, String(same.row.id), cliSame.io)).toBe(0);
    expect(cliSame.stdout()).toContain('证据变更：无');
  });
});
