// Chinese refusals for everything a person's browser can send to the console and the dashboard:
// malformed JSON, a wrong content type, an oversized body, an unknown path, a missing or invalid
// field (named), and an unexpected failure (no stack, no English, no file paths). Installed on the
// fastify scope (plugin) that holds those routes, so the webhooks keep their own behaviour.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';

import { zhParseOptions } from '../../domain/zod-zh.js';

/** The largest JSON body the console takes. */
export const CONSOLE_BODY_LIMIT = 256 * 1024;

export const HTTP_REFUSALS = {
  notJson: '请求格式有误：请以 JSON（application/json）提交。',
  emptyBody: '请求内容为空：请以 JSON 格式提交。',
  badJson: '请求内容不是有效的 JSON，请刷新页面后重试。',
  notObject: '请求内容应为一个 JSON 对象。',
  tooLarge: '请求内容过大。',
  notFound: '找不到该页面或接口。',
  badRequest: '请求有误，请刷新页面后重试。',
  database: '数据库暂时不可用，请稍后重试。',
  failed: '处理失败，请稍后重试。',
} as const;

/** An error carrying its status and the Chinese sentence to answer with. */
export class RefusalError extends Error {
  constructor(
    readonly statusCode: number,
    readonly refusal: string,
  ) {
    super(refusal);
  }
}

const BY_CODE: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: HTTP_REFUSALS.notJson,
  FST_ERR_CTP_BODY_TOO_LARGE: HTTP_REFUSALS.tooLarge,
  FST_ERR_CTP_EMPTY_JSON_BODY: HTTP_REFUSALS.emptyBody,
  FST_ERR_CTP_INVALID_JSON_BODY: HTTP_REFUSALS.badJson,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: HTTP_REFUSALS.badRequest,
};

/** Keys JSON.parse would otherwise keep and that could reach an object's prototype through a spread. */
const dropProto = (key: string, value: unknown) => (key === '__proto__' || key === 'constructor' || key === 'prototype' ? undefined : value);

/**
 * Installs on `scope`: a JSON-only body parser, an error handler answering in Chinese, and a
 * not-found handler (for the scope's prefix). `onError` sees unexpected failures (never the person).
 */
export function chineseHttpErrors(scope: FastifyInstance, onError?: (err: unknown) => void): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: CONSOLE_BODY_LIMIT }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(new RefusalError(400, HTTP_REFUSALS.emptyBody), undefined);
    try {
      done(null, JSON.parse(text, dropProto));
    } catch {
      done(new RefusalError(400, HTTP_REFUSALS.badJson), undefined);
    }
  });
  scope.setErrorHandler((err: FastifyError | RefusalError, _req, reply) => {
    if (err instanceof RefusalError) return reply.code(err.statusCode).header('cache-control', 'no-store').send({ error: err.refusal });
    const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
    if (status >= 400 && status < 500) return reply.code(status).header('cache-control', 'no-store').send({ error: BY_CODE[err.code] ?? HTTP_REFUSALS.badRequest });
    onError?.(err);
    const database = typeof err.name === 'string' && err.name.startsWith('PrismaClient');
    return reply.code(database ? 503 : 500).header('cache-control', 'no-store').send({ error: database ? HTTP_REFUSALS.database : HTTP_REFUSALS.failed });
  });
  scope.setNotFoundHandler((_req, reply) => reply.code(404).header('cache-control', 'no-store').send({ error: HTTP_REFUSALS.notFound }));
}

/** Field names a person can read, by the first part of an issue's path. */
export type FieldLabels = Record<string, string>;

/**
 * Parses a request body: undefined after answering 400 with one Chinese sentence naming the field
 * (the first problem), else the parsed value.
 */
export function parseRequest<T>(schema: z.ZodType<T>, body: unknown, labels: FieldLabels, reply: FastifyReply): T | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    void reply.code(400).send({ error: HTTP_REFUSALS.notObject });
    return undefined;
  }
  const r = schema.safeParse(body, zhParseOptions);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const label = labels[issue?.path.map(String).join('.') ?? ''] ?? labels[String(issue?.path[0] ?? '')] ?? '请求';
  const message = issue?.message ?? '无效';
  void reply.code(400).send({ error: message.includes(label) ? message : `“${label}”有误：${message}` });
  return undefined;
}

/**
 * Fastify's `frameworkErrors` option (errors raised before any route or scope runs, e.g. a URL whose
 * escapes do not decode, such as a lone surrogate): a Chinese 400 instead of Fastify's 'Bad Request'.
 */
export function chineseFrameworkErrors(_err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  void reply.code(400).header('cache-control', 'no-store').send({ error: HTTP_REFUSALS.badRequest });
}
