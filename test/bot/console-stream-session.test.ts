/**
 * A console event stream lives no longer than its session. The clock is pinned (the routes' `now`)
 * and moved by the test: a push after the session's end closes the stream instead of delivering,
 * and the periodic re-check closes a stream whose session expired, was revoked from elsewhere or
 * whose staff member was deactivated. The reconnect is then refused in Chinese.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../support/database.js';

import { createConsoleStore, issueLoginToken, registerConsole, type ConsoleStore } from '../../bot/console/index.js';
import { endSession, SESSION_TTL_MS } from '../../bot/console/auth.js';
import { STREAM_EXPIRED_TEXT } from '../../bot/console/routes.js';
import { createBotCore } from '../../bot/core/index.js';
import { createPrismaClient } from '../../infra/db/client.js';
import type { TestCounty } from '../support/county.js';
import { createStaff, createTestCounty, listen, RecordingCaseStarter } from './support.js';

const prisma = createPrismaClient(testDatabaseUrl());
const core = createBotCore({ prisma, caseStarter: new RecordingCaseStarter() });
const START = new Date('2026-12-07T09:00:00+08:00');
let clock = START;
const now = () => clock;

let county: TestCounty;
let store: ConsoleStore;
/** Re-checks only on push (the periodic check is an hour away). */
let pushApp: FastifyInstance;
/** Re-checks every 20 ms. */
let pollApp: FastifyInstance;
let pushUrl: string;
let pollUrl: string;

beforeAll(async () => {
  county = await createTestCounty(prisma);
  store = createConsoleStore(prisma, now);
  pushApp = Fastify();
  registerConsole(pushApp, { prisma, core, store, demo: false, countyRegionId: county.countyId, now, sessionCheckMs: 3_600_000 });
  pushUrl = await listen(pushApp);
  pollApp = Fastify();
  registerConsole(pollApp, { prisma, core, store, demo: false, countyRegionId: county.countyId, now, sessionCheckMs: 20 });
  pollUrl = await listen(pollApp);
});
afterAll(async () => {
  await pushApp.close();
  await pollApp.close();
  await prisma.$disconnect();
});

/** Signs a new staff member in at the pinned time; returns the cookie and the raw session token. */
async function signIn(base: string) {
  clock = START;
  const staff = await createStaff(prisma, county);
  const { token } = await issueLoginToken(prisma, staff.id, now());
  const res = await fetch(`${base}/console/login?token=${token}`, { redirect: 'manual' });
  expect(res.status).toBe(303);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  return { staff, cookie, session: decodeURIComponent(cookie.split('=')[1]!) };
}

/** An SSE reader: its events (name and data) and whether the server ended it. */
function openStream(url: string, cookie: string) {
  const controller = new AbortController();
  const events: Array<{ event: string; data: unknown }> = [];
  let ended = false;
  let status = 0;
  const done = (async () => {
    const res = await fetch(url, { headers: { cookie }, signal: controller.signal });
    status = res.status;
    if (!res.ok || !res.body) return;
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) as unknown });
        }
      }
      ended = true;
    } catch {
      // aborted by the test
    }
  })();
  const until = async (pred: () => boolean, what: string) => {
    for (let i = 0; i < 250 && !pred(); i++) await new Promise((r) => setTimeout(r, 20));
    if (!pred()) throw new Error(`timed out waiting for ${what}; events ${JSON.stringify(events)}`);
  };
  return {
    events,
    status: () => status,
    ended: () => ended,
    until,
    close: async () => {
      controller.abort();
      await done;
    },
  };
}

const say = (staffId: number, text: string, key: string) => store.port.send({ platform: 'console', id: `private:${staffId}`, kind: 'private' }, { text }, { dedupeKey: key });

describe('console event streams and the session', () => {
  it('a push after the session has expired closes the stream and is not delivered', async () => {
    const { staff, cookie } = await signIn(pushUrl);
    const stream = openStream(`${pushUrl}/console/events`, cookie);
    await stream.until(() => stream.events.some((e) => e.event === 'ready'), 'ready');
    await say(staff.id, '会话内的消息', `stream-test:${staff.id}:1`);
    await stream.until(() => stream.events.some((e) => e.event === 'message'), 'the first message');

    clock = new Date(START.getTime() + SESSION_TTL_MS - 1);
    await say(staff.id, '到期前一毫秒', `stream-test:${staff.id}:2`);
    await stream.until(() => stream.events.filter((e) => e.event === 'message').length === 2, 'the second message');

    clock = new Date(START.getTime() + SESSION_TTL_MS);
    await say(staff.id, '过期后的消息', `stream-test:${staff.id}:3`);
    await stream.until(() => stream.ended(), 'the stream to end');
    expect(stream.events.at(-1)).toEqual({ event: 'expired', data: { error: STREAM_EXPIRED_TEXT } });
    expect(JSON.stringify(stream.events)).not.toContain('过期后的消息');
    await stream.close();

    // Reconnecting is refused, in Chinese.
    const again = await fetch(`${pushUrl}/console/events`, { headers: { cookie } });
    expect(again.status).toBe(403);
    expect(((await again.json()) as { error: string }).error).toMatch(/\p{Script=Han}/u);
  });

  it('the periodic re-check closes a stream whose session expires with nothing pushed', async () => {
    const { cookie } = await signIn(pollUrl);
    const stream = openStream(`${pollUrl}/console/events`, cookie);
    await stream.until(() => stream.events.some((e) => e.event === 'ready'), 'ready');
    // Re-checked several times while the session lives: the stream stays open.
    await new Promise((r) => setTimeout(r, 150));
    expect(stream.ended()).toBe(false);
    clock = new Date(START.getTime() + SESSION_TTL_MS + 1);
    await stream.until(() => stream.ended(), 'the stream to end');
    expect(stream.events.at(-1)).toEqual({ event: 'expired', data: { error: STREAM_EXPIRED_TEXT } });
    await stream.close();
  });

  it('a session revoked elsewhere (another process ended it) or a deactivated staff member: the stream is closed', async () => {
    const revoked = await signIn(pollUrl);
    const a = openStream(`${pollUrl}/console/events`, revoked.cookie);
    await a.until(() => a.events.some((e) => e.event === 'ready'), 'ready');
    await endSession(prisma, revoked.session);
    await a.until(() => a.ended(), 'the revoked stream to end');
    expect(a.events.at(-1)?.event).toBe('expired');
    await a.close();

    const gone = await signIn(pollUrl);
    const b = openStream(`${pollUrl}/console/events`, gone.cookie);
    await b.until(() => b.events.some((e) => e.event === 'ready'), 'ready');
    await prisma.staff.update({ where: { id: gone.staff.id }, data: { active: false } });
    await b.until(() => b.ended(), 'the deactivated staff member’s stream to end');
    expect(b.events.at(-1)?.event).toBe('expired');
    await b.close();
  });
});
