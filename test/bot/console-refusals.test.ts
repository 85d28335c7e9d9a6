/**
 * Every malformed request to the console (and the dashboard) is refused with the right 4xx status
 * and one Chinese sentence naming the field: malformed JSON, a wrong content type, an empty or
 * oversized body, a body that is not an object, missing and invalid fields, an unknown path.
 * A database failure is a Chinese 503, never an English error with file paths.
 */
import crypto from 'node:crypto';

import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../support/database.js';

import { createConsoleStore, registerConsole } from '../../bot/console/index.js';
import { HTTP_REFUSALS } from '../../bot/console/http-errors.js';
import { createBotCore } from '../../bot/core/index.js';
import { registerDashboard } from '../../dashboard/index.js';
import { createPrismaClient } from '../../infra/db/client.js';
import { createStaff, createTestCounty, freshIdNumber, listen, RecordingCaseStarter } from './support.js';

const prisma = createPrismaClient(testDatabaseUrl());
const core = createBotCore({ prisma, caseStarter: new RecordingCaseStarter() });
/** A database that is not there (as during a restart). */
const downPrisma = createPrismaClient('postgresql://jiuzhu:jiuzhu@127.0.0.1:9/none?connect_timeout=2');

let app: FastifyInstance;
let down: FastifyInstance;
let url: string;
let downUrl: string;
let staffId: number;
let headId: number;
/** A well-formed chat id (the body checks come before whose chat it is). */
const chatId = 'private:1';
const errors: unknown[] = [];

beforeAll(async () => {
  const county = await createTestCounty(prisma);
  const cadre = await createStaff(prisma, county);
  staffId = cadre.id;
  headId = (await prisma.staff.create({ data: { name: '看板乡长', idNumber: freshIdNumber(), role: 'TOWNSHIP_HEAD', unit: '第1乡人民政府', regionId: county.townships[0]!.id } })).id;
  app = Fastify();
  registerConsole(app, { prisma, core, store: createConsoleStore(prisma), demo: true, countyRegionId: county.countyId });
  registerDashboard(app, { prisma, demo: true, countyRegionId: county.countyId });
  url = await listen(app);
  down = Fastify();
  registerConsole(down, { prisma: downPrisma, core, store: createConsoleStore(downPrisma), demo: true, onError: (e) => errors.push(e) });
  downUrl = await listen(down);
});
afterAll(async () => {
  await app.close();
  await down.close();
  await prisma.$disconnect();
  await downPrisma.$disconnect().catch(() => {});
});

async function call(base: string, method: string, path: string, body?: string, contentType: string | null = 'application/json') {
  const res = await fetch(base + path, { method, ...(body !== undefined ? { body } : {}), headers: contentType ? { 'content-type': contentType } : {} });
  const text = await res.text();
  let error: unknown;
  try {
    error = (JSON.parse(text) as { error?: unknown }).error;
  } catch {
    error = undefined;
  }
  return { status: res.status, text, error };
}

/** Chinese, and no English beyond product terms (no "Bad Request", no zod default, no stack). */
function expectChinese(res: { text: string; error: unknown }) {
  expect(typeof res.error).toBe('string');
  expect(res.error).toMatch(/\p{Script=Han}/u);
  expect((res.error as string).replace(/JSON|application\/json/g, '')).not.toMatch(/[A-Za-z]{3,}/);
  expect(res.text).not.toMatch(/stack|Error|node_modules|\.ts:/);
}

const eventId = () => crypto.randomUUID();
const messageId = () => crypto.randomUUID();

describe('console: malformed requests', () => {
  it.each([
    ['malformed JSON', '/console/say', () => '{"eventId": ', 'application/json', 400, HTTP_REFUSALS.badJson],
    ['an empty JSON body', '/console/say', () => '', 'application/json', 400, HTTP_REFUSALS.emptyBody],
    ['text/plain', '/console/say', () => JSON.stringify({ eventId: eventId(), chatId, text: '/帮助', staffId }), 'text/plain', 415, HTTP_REFUSALS.notJson],
    ['a form post', '/console/say', () => 'text=%2F%E5%B8%AE', 'application/x-www-form-urlencoded', 415, HTTP_REFUSALS.notJson],
    ['no content type', '/console/press', () => '{}', null, 415, HTTP_REFUSALS.notJson],
    ['an array', '/console/say', () => '[]', 'application/json', 400, HTTP_REFUSALS.notObject],
    ['a string', '/console/submit', () => '"/帮助"', 'application/json', 400, HTTP_REFUSALS.notObject],
    ['null', '/console/press', () => 'null', 'application/json', 400, HTTP_REFUSALS.notObject],
    ['an oversized body', '/console/say', () => JSON.stringify({ eventId: eventId(), chatId, text: '张'.repeat(100_000), staffId }), 'application/json', 413, HTTP_REFUSALS.tooLarge],
  ])('%s', async (_name, path, body, type, status, error) => {
    const res = await call(url, 'POST', path, body(), type);
    expect(res.status).toBe(status);
    expect(res.error).toBe(error);
    expectChinese(res);
  });

  it.each([
    ['no fields', '/console/say', {}, '“操作编号”有误：缺少必填项'],
    ['a bad event id', '/console/say', { eventId: 'x' }, '操作编号无效'],
    ['a missing chat', '/console/say', { eventId: eventId() }, '“会话”有误：缺少必填项'],
    ['a chat of the wrong type', '/console/say', { eventId: eventId(), chatId: 5 }, '“会话”有误：类型错误：应为文字'],
    ['a missing text', '/console/say', { eventId: eventId(), chatId }, '缺少“内容”'],
    ['a text of the wrong type', '/console/say', { eventId: eventId(), chatId, text: 12 }, '“内容”应为文字'],
    ['a blank text', '/console/say', { eventId: eventId(), chatId, text: ' \u0000\u200B ' }, '请填写“内容”'],
    ['a bad staff id', '/console/say', { eventId: eventId(), chatId, text: '/帮助', staffId: 'abc' }, '人员编号无效'],
    ['a staff id out of range', '/console/say', { eventId: eventId(), chatId, text: '/帮助', staffId: 99999999999 }, '人员编号无效'],
    ['a bad message id', '/console/press', { eventId: eventId(), chatId, messageId: 'm1' }, '消息编号无效'],
    ['a missing button', '/console/press', { eventId: eventId(), chatId, messageId: messageId() }, '缺少“按钮”信息'],
    ['a button of the wrong type', '/console/press', { eventId: eventId(), chatId, messageId: messageId(), button: 'confirm' }, '“按钮”信息无效'],
    ['a button action of the wrong type', '/console/press', { eventId: eventId(), chatId, messageId: messageId(), button: { action: 5 } }, '“按钮”应为文字'],
    ['a missing form reference', '/console/submit', { eventId: eventId(), chatId, messageId: messageId(), values: {} }, '缺少“表单”信息'],
    ['form values of the wrong type', '/console/submit', { eventId: eventId(), chatId, messageId: messageId(), ref: { action: 'submit' }, values: 5 }, '表单内容无效'],
    ['a form value of the wrong type', '/console/submit', { eventId: eventId(), chatId, messageId: messageId(), ref: { action: 'submit' }, values: { a: 5 } }, '表单内容应为文字'],
  ])('%s', async (_name, path, body, error) => {
    const res = await call(url, 'POST', path, JSON.stringify(body));
    expect(res.status).toBe(400);
    expect(res.error).toBe(error);
    expectChinese(res);
  });

  it('unknown paths and methods, and bad path parts, are refused in Chinese', async () => {
    for (const [method, path, status] of [
      ['GET', '/console/nope', 404],
      ['POST', '/console/api/me', 404],
      ['GET', '/console/say', 404],
      ['GET', `/console/files/abc/1?staff=${staffId}`, 404],
      ['GET', '/console/api/me?staff=1e3', 403],
      ['GET', '/console/api/me?staff=99999999999999999999', 403],
    ] as const) {
      const res = await call(url, method, path, undefined, null);
      expect(res.status, `${method} ${path}`).toBe(status);
      expectChinese(res);
    }
  });

  it('a malformed session cookie is no session, never a 500', async () => {
    for (const [method, path] of [
      ['POST', '/console/logout'],
      ['POST', '/dashboard/logout'],
      ['GET', '/console/api/me'],
    ] as const) {
      const res = await fetch(url + path, { method, headers: { cookie: 'jiuzhu_console=%E0%A4%A' } });
      expect(res.status, `${method} ${path}`).toBeLessThan(500);
    }
  });

  it('a database that is down: a Chinese 503, the error logged, no English or file paths', async () => {
    const res = await call(downUrl, 'POST', '/console/say', JSON.stringify({ eventId: eventId(), chatId, text: '/帮助', staffId }));
    expect(res.status).toBe(503);
    expect(res.error).toBe(HTTP_REFUSALS.database);
    expectChinese(res);
    expect(errors.length).toBeGreaterThan(0);
  }, 30_000);
});

describe('dashboard: malformed requests', () => {
  it('malformed JSON, wrong content type, unknown paths and tables are refused in Chinese', async () => {
    const cases = [
      ['POST', '/dashboard/logout', '{"x":', 'application/json', 400],
      ['POST', '/dashboard/logout', 'x', 'text/plain', 415],
      ['GET', '/dashboard/nope', undefined, null, 404],
      ['GET', `/dashboard/xlsx/nope?staff=${headId}`, undefined, null, 404],
      ['GET', '/dashboard/api/data?staff=abc', undefined, null, 403],
    ] as const;
    for (const [method, path, body, type, status] of cases) {
      const res = await call(url, method, path, body, type);
      expect(res.status, `${method} ${path}`).toBe(status);
      expectChinese(res);
    }
    // A well-formed logout still works.
    expect((await call(url, 'POST', '/dashboard/logout', undefined, null)).status).toBe(200);
  });
});
