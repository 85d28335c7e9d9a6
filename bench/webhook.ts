/**
 * Webhook benchmark (`npm run bench -- --suite webhook`): throughput and
 * latency of our Feishu webhook on loopback, for a command (/帮助 from a bound
 * user: verify, decrypt, de-duplicate in the database, identity, audit, reply
 * through the SDK Client to the Feishu fake) and for a card action (verify,
 * acknowledge with a toast; the Update and card patch run after the
 * response), against the baseline of the Feishu SDK's own `adaptDefault`
 * handler with a dispatcher that does nothing, measured in the same run on
 * the same machine with the same requests.
 *
 * Database: DATABASE_URL if set, else `bash scripts/postgres.sh`; a fresh
 * database <db>_bench_webhook is created and dropped.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

import * as lark from '@larksuiteoapi/node-sdk';
import Fastify from 'fastify';
import pg from 'pg';

import { createPrismaClient } from '../infra/db/client.js';
import { migrateDatabase } from '../infra/db/migrate.js';
import { createBotCore, type WorkflowGateway } from '../bot/core/index.js';
import { createFeishuSender, registerFeishuWebhook } from '../bot/lark/index.js';
import { buildWebhookRequest, cardActionEvent, messageReceiveEvent } from '../test/fakes/feishu-events.js';
import { startFakeFeishu } from '../test/fakes/feishu-open-api.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const APP = { appId: 'cli_bench_app', appSecret: 'bench-secret', verificationToken: 'bench-vt', encryptKey: 'bench-encrypt-key' };

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function serverUrl(): string {
  const env = process.env.DATABASE_URL?.trim();
  if (env) return env;
  const out = execFileSync('bash', [path.join(root, 'scripts/postgres.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return (out.trim().split('\n').pop() ?? '').replace(/^DATABASE_URL=/, '');
}

interface Figures {
  requests: number;
  concurrency: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  /** /proc/loadavg (1, 5, 15 min) when the run ended: the machine is shared. */
  load: string;
}

// The load generator, in a worker thread (its own event loop, like autocannon in its own process): the
// server under test does not share its event loop with the client. Plain JavaScript (evaluated as is).
const LOAD_WORKER = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const { url, bodies, concurrency } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const target = new URL(url);
const latencies = [];
let non2xx = 0;
let next = 0;
const one = (req) => new Promise((resolve, reject) => {
  const t = process.hrtime.bigint();
  const r = http.request({ agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { ...req.headers, 'content-length': Buffer.byteLength(req.body) } }, (res) => {
    res.resume();
    res.on('end', () => {
      latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      if ((res.statusCode ?? 0) >= 300) non2xx++;
      resolve();
    });
  });
  r.on('error', reject);
  r.end(req.body);
});
(async () => {
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, async () => { while (next < bodies.length) await one(bodies[next++]); }));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  agent.destroy();
  parentPort.postMessage({ seconds, latencies, non2xx });
})().catch((err) => { throw err; });
`;

/** Posts prepared requests with `concurrency` in flight (keep-alive); latency per request from send to full response. */
async function load(url: string, bodies: Array<{ headers: Record<string, string>; body: string }>, concurrency: number): Promise<Figures> {
  const worker = new Worker(LOAD_WORKER, { eval: true, workerData: { url, bodies, concurrency } });
  const { seconds, latencies, non2xx } = await new Promise<{ seconds: number; latencies: number[]; non2xx: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`load worker exited (${code})`)));
  });
  await worker.terminate();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  return { requests: bodies.length, concurrency, seconds, perSecond: bodies.length / seconds, p50Ms: q(0.5), p99Ms: q(0.99), non2xx, load: loadavg() };
}

const loadavg = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

function signed(payload: unknown) {
  const r = buildWebhookRequest(payload, { encryptKey: APP.encryptKey });
  return { headers: { ...r.headers, 'content-type': 'application/json' }, body: r.body };
}

async function main(): Promise<void> {
  const n = Number(argValue('requests') ?? 2000);
  const concurrency = Number(argValue('concurrency') ?? 16);
  const base = serverUrl();
  const dbName = `${new URL(base).pathname.slice(1)}_bench_webhook`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${dbName}"`);
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const url = Object.assign(new URL(base), { pathname: `/${dbName}` }).toString();
  await migrateDatabase(url);
  const prisma = createPrismaClient(url);
  const fake = await startFakeFeishu({ apps: [{ appId: APP.appId, appSecret: APP.appSecret }], rateLimit: false });
  try {
    // Bound leaders, each with an approval card in their private chat (Feishu allows 5 sends a second per chat).
    const users = Number(argValue('users') ?? 200);
    const county = await prisma.region.create({ data: { name: '基准县', level: 'COUNTY' } });
    const people: Array<{ openId: string; noteId: number }> = [];
    for (let i = 0; i < users; i++) {
      const staff = await prisma.staff.create({ data: { name: `组长${i}`, idNumber: `B${String(i).padStart(17, '0')}`, role: 'TASKFORCE_LEADER', unit: '专班', regionId: county.id } });
      const openId = `ou_bench_${i}`;
      await prisma.staffBinding.create({ data: { staffId: staff.id, platform: 'feishu', externalId: openId } });
      // A rectification item awaiting confirmation per card: the press takes the step 'rc.confirm' at once.
      const workflowId = `rectification:${county.id}:bench-${i}`;
      const kase = await prisma.case.create({ data: { kind: 'RECTIFICATION', workflowId, regionId: county.id } });
      const note = await prisma.notification.create({
        data: { dedupeKey: `bench:approval:${i}`, recipientStaffId: staff.id, kind: 'approval', text: '请确认', caseId: kase.id, workflowId, actions: [{ label: '确认完成', step: 'rc.confirm', values: { verdict: '同意销号' } }], sentAt: new Date() },
      });
      people.push({ openId, noteId: note.id });
    }
    // No Temporal behind the cards: every item answers its status query as awaiting confirmation and accepts the step.
    const gateway: WorkflowGateway = {
      execute: async () => ({ ok: true, result: { status: 'COMPLETED' } as never }),
      query: async <R>() => ({ status: 'AWAITING_CONFIRMATION' }) as R,
    };
    const core = createBotCore({ prisma, caseStarter: { reportDeath: async () => ({ caseRef: '' }), reportImprisonment: async () => ({ caseRef: '' }), fileNearRelative: async () => ({ caseRef: '' }), fileComplaint: async () => ({ caseRef: '' }) }, workflows: gateway });
    const out = createFeishuSender({ appId: APP.appId, appSecret: APP.appSecret, domain: fake.url, prisma });
    const app = Fastify();
    const hook = registerFeishuWebhook(app, { ...APP, core, out, onError: () => {} });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const ours = `http://127.0.0.1:${(app.server.address() as { port: number }).port}${hook.path}`;

    // Baseline: the SDK's own HTTP adapter and a dispatcher whose handlers do nothing.
    const bare = new lark.EventDispatcher({ encryptKey: APP.encryptKey, verificationToken: APP.verificationToken, loggerLevel: lark.LoggerLevel.fatal }).register({
      'im.message.receive_v1': async () => ({}),
      'card.action.trigger': async () => ({ toast: { type: 'info', content: 'ok' } }),
    } as never);
    const bareServer = http.createServer(lark.adaptDefault('/webhook', bare, { autoChallenge: true }));
    await new Promise<void>((r) => bareServer.listen(0, '127.0.0.1', r));
    const bareUrl = `http://127.0.0.1:${(bareServer.address() as { port: number }).port}/webhook`;

    const chatOf = (openId: string) => fake.p2pChatId(APP.appId, 'open_id', openId);
    const commands = (tag: string) =>
      Array.from({ length: n }, (_, i) => {
        const p = people[i % users]!;
        return signed(messageReceiveEvent(APP, { chatId: chatOf(p.openId), chatType: 'p2p', senderOpenId: p.openId, text: '/帮助', eventId: `${tag}-cmd-${i}` }));
      });
    const cards: string[] = [];
    for (const p of people) {
      const ref = await out.send({ platform: 'feishu', id: p.openId, kind: 'private' }, { text: '请审批', buttons: [{ label: '批准', payload: { action: 'n', caseRef: String(p.noteId), value: '0' } }] }, { dedupeKey: `bench:card:${p.noteId}` });
      cards.push(ref.messageId);
    }
    const presses = (tag: string) =>
      Array.from({ length: n }, (_, i) => {
        const p = people[i % users]!;
        const messageId = cards[i % users]!;
        return signed(cardActionEvent(APP, { operatorOpenId: p.openId, openMessageId: messageId, openChatId: chatOf(p.openId), value: { a: 'n', c: String(p.noteId), v: '0', k: 'p' }, token: fake.issueCardToken(messageId), eventId: `${tag}-card-${i}` }));
      });

    // Warm both up (JIT, connection pools, token cache), then measure.
    await load(bareUrl, commands('warm-bare').slice(0, 200), concurrency);
    await load(ours, commands('warm-ours').slice(0, 200), concurrency);
    await hook.idle();
    const results = {
      command: { baseline: await load(bareUrl, commands('bare'), concurrency), ours: await load(ours, commands('ours'), concurrency) },
      cardAction: { baseline: await load(bareUrl, presses('bare'), concurrency), ours: await load(ours, presses('ours'), concurrency) },
    };
    // The processing after the answers: every recorded event handled and its reply sent.
    const drainStart = Date.now();
    while ((await prisma.processedEvent.count({ where: { status: 'pending' } })) > 0 && Date.now() - drainStart < 300_000) await hook.idle();
    await hook.idle();
    const drainSeconds = (Date.now() - drainStart) / 1000;
    const replies = people.reduce((sum, p) => sum + fake.messagesIn(chatOf(p.openId)).length, 0);

    const line = (label: string, f: Figures) => `   ${label.padEnd(22)}${f.perSecond.toFixed(0).padStart(8)} req/s   p50 ${f.p50Ms.toFixed(2).padStart(7)} ms   p99 ${f.p99Ms.toFixed(2).padStart(7)} ms   non-2xx ${f.non2xx}   load ${f.load}`;
    console.log(`\n== Feishu webhook on loopback: ${n} requests per case from ${users} bound users, ${concurrency} in flight`);
    for (const [name, r] of Object.entries(results)) {
      console.log(` ${name}`);
      console.log(line('bare SDK handler', r.baseline));
      console.log(line('ours', r.ours));
      const ratio = r.ours.perSecond / r.baseline.perSecond;
      console.log(`   ratio (ours / bare): throughput ${ratio.toFixed(3)} (goal ≥ 0.5: ${ratio >= 0.5 ? 'met' : 'NOT met'}), p99 ${(r.ours.p99Ms / r.baseline.p99Ms).toFixed(2)}× (ours ${r.ours.p99Ms < 50 ? '<' : '≥'} 50 ms: ${r.ours.p99Ms < 50 ? 'met' : 'NOT met'})`);
    }
    console.log(` processing after the measured answers finished ${drainSeconds.toFixed(1)} s later`);
    console.log(` messages the fake holds: ${replies} (${users} cards + one reply per command, warm-up included; expected ${users + n + 200}); card patches run after the acknowledgement`);
    if (replies !== users + n + 200) {
      console.log(' WARNING: the processing after the answers did not send exactly one reply per command.');
      process.exitCode = 1;
    }
    const stamp = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const file = path.join(root, 'bench/results', `${stamp}-webhook.json`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), drainSeconds, replies, command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(), node: process.version, cpus: (await import('node:os')).cpus().length, results }, null, 2)}\n`);
    console.log(`\nresults: ${path.relative(root, file)}`);
    await app.close();
    await new Promise<void>((r) => bareServer.close(() => r()));
  } finally {
    await fake.close();
    await prisma.$disconnect();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
  }
}

await main();
