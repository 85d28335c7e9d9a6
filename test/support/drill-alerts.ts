// What the fault drills count: the chat alerts the Feishu and Telegram loopback fakes actually
// received, not only the rows the service wrote. A drill starts both fakes, gives `jiuzhu start` their
// addresses (env), binds one staff member on both platforms, starts scheduledNotice workflows that
// alert that person when due, and afterwards counts per workflow how many messages each fake got.
import { Client, Connection } from '@temporalio/client';

import { verifyAuditChain } from '../../infra/audit-chain.js';
import { createPrismaClient } from '../../infra/db/client.js';
import { createDataConverter, loadPayloadKey } from '../../infra/temporal/payload-codec.js';
import { startFakeFeishu, type FakeFeishu } from '../fakes/feishu-open-api.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-bot-api.js';
import { privateChat, tgUser } from '../fakes/telegram-updates.js';
import { freshIdNumber } from './ids.js';

export interface ChatFakes {
  telegram: FakeTelegram;
  feishu: FakeFeishu;
  /** The environment of `jiuzhu start` that points its fronts at the fakes (Telegram polling, Feishu webhook). */
  env: Record<string, string>;
  close(): Promise<void>;
}

let seq = 0;
const uniq = () => `${process.pid}${Date.now().toString(36)}${seq++}`;

export async function startChatFakes(): Promise<ChatFakes> {
  const botId = 100_000 + ((process.pid * 7919 + Date.now() + seq++) % 900_000_000);
  const token = `${botId}:AADrillAlerts_abcdefghijklmnopqrstuvw`;
  const telegram = await startFakeTelegram({ token, botUsername: 'jiuzhu_drill_bot', chats: [], rateLimit: false });
  const app = { appId: `cli_drill${uniq()}`, appSecret: 'drill-secret-0123456789' };
  const feishu = await startFakeFeishu({ apps: [app], rateLimit: false });
  return {
    telegram,
    feishu,
    env: {
      TELEGRAM_BOT_TOKEN: token,
      TELEGRAM_API_ROOT: telegram.url,
      TELEGRAM_MODE: 'polling',
      FEISHU_APP_ID: app.appId,
      FEISHU_APP_SECRET: app.appSecret,
      FEISHU_MODE: 'webhook',
      FEISHU_ENCRYPT_KEY: 'drill-encrypt-key',
      FEISHU_VERIFICATION_TOKEN: 'drill-verification-token',
      FEISHU_DOMAIN: feishu.url,
      JIUZHU_DELIVERY_INTERVAL_MS: '500',
    },
    async close() {
      await telegram.close();
      await feishu.close();
    },
  };
}

export interface AlertRecipient {
  staffId: number;
  telegramChatId: number;
  feishuOpenId: string;
}

/** A staff member (in a county region of their own) bound on Telegram and Feishu; the Telegram chat registered with the fake. */
export async function bindRecipient(databaseUrl: string, fakes: ChatFakes): Promise<AlertRecipient> {
  const prisma = createPrismaClient(databaseUrl);
  try {
    const t = uniq();
    const region = await prisma.region.create({ data: { name: `演练县${t}`, level: 'COUNTY' } });
    const staff = await prisma.staff.create({ data: { name: '演练接收人', idNumber: freshIdNumber(), role: 'TASKFORCE_OFFICE', unit: '专班办公室', regionId: region.id } });
    const user = tgUser(Number(String(Date.now()).slice(-8)) + seq++, '演练接收人');
    fakes.telegram.addChat(privateChat(user));
    const openId = `ou_drill${t}`;
    await prisma.staffBinding.createMany({
      data: [
        { staffId: staff.id, platform: 'telegram', externalId: String(user.id) },
        { staffId: staff.id, platform: 'feishu', externalId: openId },
      ],
    });
    return { staffId: staff.id, telegramChatId: user.id, feishuOpenId: openId };
  } finally {
    await prisma.$disconnect();
  }
}

/** The alert text of one drill workflow: unique, and no id is a prefix of another's text. */
export const alertNote = (workflowId: string) => `演练通知【${workflowId}】`;

/** Starts `n` scheduledNotice workflows due between `fromMs` and `toMs` from now, alerting `recipient`; returns their ids. */
export async function scheduleAlerts(dataDir: string, temporalPort: number, tag: string, n: number, fromMs: number, toMs: number, recipient?: AlertRecipient): Promise<string[]> {
  const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
  try {
    const client = new Client({ connection, dataConverter: createDataConverter(loadPayloadKey(dataDir)) });
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const workflowId = `drill-${tag}-${i}`;
      const dueAt = new Date(Date.now() + fromMs + ((toMs - fromMs) * i) / Math.max(1, n - 1)).toISOString();
      await client.workflow.start('scheduledNotice', {
        taskQueue: 'jiuzhu',
        workflowId,
        args: [{ note: alertNote(workflowId), dueAt, ...(recipient ? { recipientStaffId: recipient.staffId } : {}) }],
      });
      ids.push(workflowId);
    }
    return ids;
  } finally {
    await connection.close();
  }
}

export interface AlertCounts {
  telegram: { lost: number; duplicated: number };
  feishu: { lost: number; duplicated: number };
}

function receivedPer(fakes: ChatFakes, recipient: AlertRecipient, ids: readonly string[]): { telegram: Map<string, number>; feishu: Map<string, number> } {
  const tgTexts = fakes.telegram
    .messages(recipient.telegramChatId)
    .filter((m) => m.from?.is_bot)
    .map((m) => ('text' in m ? (m.text ?? '') : ''));
  const fsTexts = fakes.feishu.messages.filter((m) => m.appId && m.receive_id === recipient.feishuOpenId).map((m) => m.content);
  const count = (texts: string[]) => new Map(ids.map((id) => [id, texts.filter((t) => t.includes(alertNote(id))).length]));
  return { telegram: count(tgTexts), feishu: count(fsTexts) };
}

/**
 * Waits until each fake received every alert (or `ms` passed), then `settleMs` more (a duplicate
 * would arrive in that time: the delivery loop runs every 500 ms), and counts lost and duplicated.
 */
export async function countAlerts(fakes: ChatFakes, recipient: AlertRecipient, ids: readonly string[], ms = 60_000, settleMs = 3_000): Promise<AlertCounts> {
  const deadline = Date.now() + ms;
  const allIn = () => {
    const r = receivedPer(fakes, recipient, ids);
    return [...r.telegram.values(), ...r.feishu.values()].every((c) => c >= 1);
  };
  while (!allIn() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  await new Promise((r) => setTimeout(r, settleMs));
  const r = receivedPer(fakes, recipient, ids);
  const tally = (m: Map<string, number>) => ({
    lost: [...m.values()].filter((c) => c === 0).length,
    duplicated: [...m.values()].reduce((s, c) => s + Math.max(0, c - 1), 0),
  });
  return { telegram: tally(r.telegram), feishu: tally(r.feishu) };
}

/** Every notice recorded and audited once, the chain intact, every alert received once by each fake. */
export const NOTHING_LOST = {
  lost: 0,
  duplicated: 0,
  missingAudit: 0,
  duplicatedAudit: 0,
  chainOk: true,
  alerts: { telegram: { lost: 0, duplicated: 0 }, feishu: { lost: 0, duplicated: 0 } },
};

export interface TallyInput {
  databaseUrl: string;
  dataDir: string;
  temporalPort: number;
  ids: string[];
  label: string;
  /** The service's output, shown when the workflows do not complete. */
  output: () => string;
  chat: ChatFakes;
  recipient: AlertRecipient;
}

/**
 * Waits until every workflow completed, then counts notices and audit entries per workflow, verifies
 * the audit chain, and counts the alerts each chat fake received; prints the counts (the drills' figures).
 */
export async function tallyDrill(t: TallyInput): Promise<typeof NOTHING_LOST> {
  const { ids, label } = t;
  const connection = await Connection.connect({ address: `127.0.0.1:${t.temporalPort}` });
  try {
    const client = new Client({ connection, dataConverter: createDataConverter(loadPayloadKey(t.dataDir)) });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(ids.map((id) => client.workflow.getHandle(id).result())),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`[drill ${label}] notices not completed within 90 s:\n${t.output()}`)), 90_000);
      }),
    ]).finally(() => clearTimeout(timer));
  } finally {
    await connection.close();
  }
  const prisma = createPrismaClient(t.databaseUrl);
  try {
    const notices = await prisma.notice.findMany({ where: { workflowId: { in: ids } } });
    const audits = await prisma.auditEntry.findMany({ where: { action: 'notice.recorded' } });
    const auditsPer = new Map<string, number>();
    for (const a of audits) {
      const wf = (a.payload as { workflowId?: string }).workflowId;
      if (wf && ids.includes(wf)) auditsPer.set(wf, (auditsPer.get(wf) ?? 0) + 1);
    }
    const noticesPer = new Map<string, number>();
    for (const n of notices) noticesPer.set(n.workflowId, (noticesPer.get(n.workflowId) ?? 0) + 1);
    const lost = ids.filter((id) => !noticesPer.has(id)).length;
    const duplicated = [...noticesPer.values()].reduce((s, c) => s + c - 1, 0);
    const missingAudit = ids.filter((id) => noticesPer.has(id) && !auditsPer.has(id)).length;
    const duplicatedAudit = [...auditsPer.values()].reduce((s, c) => s + c - 1, 0);
    const chain = await verifyAuditChain(prisma);
    const alerts = await countAlerts(t.chat, t.recipient, ids);
    console.log(
      `[drill ${label}] notices due ${ids.length}: lost ${lost}, duplicated ${duplicated}; audit entries missing ${missingAudit}, duplicated ${duplicatedAudit}; ` +
        `chat alerts received: Telegram lost ${alerts.telegram.lost}, duplicated ${alerts.telegram.duplicated}; Feishu lost ${alerts.feishu.lost}, duplicated ${alerts.feishu.duplicated}; ` +
        `chain ${chain.ok ? `verifies (${chain.count} entries)` : `BROKEN at ${chain.brokenAt}`}`,
    );
    return { lost, duplicated, missingAudit, duplicatedAudit, chainOk: chain.ok, alerts };
  } finally {
    await prisma.$disconnect();
  }
}
