// Append-only, hash-chained audit log.
//
// Each entry stores prevHash (the previous entry's hash, or GENESIS_HASH for the first) and
//   hash = sha256_hex(prevHash + canonicalJson({ action, actor, at, payload, subjectId, subjectType }))
// with `at` as an ISO-8601 UTC string with milliseconds. A database trigger refuses UPDATE, DELETE and
// TRUNCATE on the table; verifyAuditChain() recomputes the chain, which catches rows forged by INSERT or
// altered behind the trigger's back. (Without a secret key, someone who can write SQL and knows this
// formula can still append a well-formed forged entry at the end: the chain proves order and integrity,
// not authorship.)
import { createHash } from 'node:crypto';

import type { Prisma, PrismaClient } from './db/client.js';

export const GENESIS_HASH = '0'.repeat(64);

/** Key of the transaction-scoped advisory lock that serialises appends. */
const AUDIT_APPEND_LOCK = 0x6a7a_6175; // 'jzau'

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface AuditInput {
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  payload: unknown;
}

export interface AuditRecord {
  id: bigint;
  at: Date;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  payload: unknown;
  prevHash: string;
  hash: string;
}

export type VerifyResult = { ok: true; count: number } | { ok: false; brokenAt: bigint; reason: string; count: number };

type Db = PrismaClient | Prisma.TransactionClient;

/** JSON with object keys sorted (by UTF-16 code units) and no whitespace. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(normalizeJson(value)));
}

/** What the payload looks like once stored as JSON: Dates become strings, undefined members vanish. */
export function normalizeJson(value: unknown): JsonValue {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError('audit payload is not JSON-serialisable');
  return JSON.parse(text) as JsonValue;
}

function sortKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: JsonValue } = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key]!);
    return out;
  }
  return value;
}

export function computeAuditHash(prevHash: string, entry: Omit<AuditRecord, 'id' | 'prevHash' | 'hash'>): string {
  const body = canonicalJson({
    action: entry.action,
    actor: entry.actor,
    at: entry.at.toISOString(),
    payload: entry.payload,
    subjectId: entry.subjectId,
    subjectType: entry.subjectType,
  });
  return createHash('sha256').update(prevHash).update(body).digest('hex');
}

/**
 * Appends one entry. Appends are serialised with a transaction-scoped advisory lock, so concurrent
 * callers (any process) chain onto each other. Given a transaction client, it joins that transaction
 * (the lock is then held until it commits).
 */
export async function appendAudit(db: Db, input: AuditInput): Promise<AuditRecord> {
  const append = async (tx: Prisma.TransactionClient): Promise<AuditRecord> => {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${AUDIT_APPEND_LOCK})`);
    const last = await tx.auditEntry.findFirst({ orderBy: { id: 'desc' }, select: { hash: true } });
    const prevHash = last?.hash ?? GENESIS_HASH;
    // The column is timestamptz(3): milliseconds survive the round trip, so the hash can be recomputed.
    const at = new Date();
    const payload = normalizeJson(input.payload);
    const entry = { at, actor: input.actor, action: input.action, subjectType: input.subjectType, subjectId: input.subjectId, payload };
    const hash = computeAuditHash(prevHash, entry);
    return tx.auditEntry.create({
      data: { ...entry, payload: payload as Prisma.InputJsonValue, prevHash, hash },
    });
  };
  return '$transaction' in db ? db.$transaction(append) : append(db);
}

/** Recomputes the whole chain in id order. */
export async function verifyAuditChain(db: Db, options: { batchSize?: number } = {}): Promise<VerifyResult> {
  const batchSize = options.batchSize ?? 1000;
  let expectedPrev = GENESIS_HASH;
  let count = 0;
  let cursor: bigint | undefined;
  for (;;) {
    const rows: AuditRecord[] = await db.auditEntry.findMany({
      orderBy: { id: 'asc' },
      take: batchSize,
      ...(cursor === undefined ? {} : { where: { id: { gt: cursor } } }),
    });
    for (const row of rows) {
      if (row.prevHash !== expectedPrev) {
        return { ok: false, brokenAt: row.id, reason: 'prevHash does not match the previous entry', count };
      }
      if (computeAuditHash(row.prevHash, row) !== row.hash) {
        return { ok: false, brokenAt: row.id, reason: 'hash does not match the entry', count };
      }
      expectedPrev = row.hash;
      count++;
    }
    if (rows.length < batchSize) return { ok: true, count };
    cursor = rows[rows.length - 1]!.id;
  }
}
