import { afterAll, describe, expect, it } from 'vitest';

import { appendAudit, computeAuditHash, GENESIS_HASH, verifyAuditChain } from '../../infra/audit-chain.js';
import { createPrismaClient } from '../../infra/db/client.js';
import { testDatabaseUrl } from '../support/database.js';

const prisma = createPrismaClient(testDatabaseUrl());
afterAll(() => prisma.$disconnect());

/** Rolls back whatever `fn` did. */
class Rollback extends Error {}
async function inRolledBackTransaction(fn: (tx: Parameters<Parameters<typeof prisma.$transaction>[0]>[0]) => Promise<void>) {
  await expect(
    prisma.$transaction(async (tx) => {
      await fn(tx);
      throw new Rollback();
    }),
  ).rejects.toBeInstanceOf(Rollback);
}

describe('audit log', () => {
  it('appends hash-chained entries that verify', async () => {
    const a = await appendAudit(prisma, { actor: 'tester', action: 'case.opened', subjectType: 'case', subjectId: 'c-1', payload: { z: 1, a: [1, 'x', { b: null }], 说明: '低保' } });
    const b = await appendAudit(prisma, { actor: 'tester', action: 'case.updated', subjectType: 'case', subjectId: 'c-1', payload: { at: new Date('2026-01-02T03:04:05.678Z'), skip: undefined } });
    expect(b.id > a.id).toBe(true);
    // Other test files append at the same time: b chains onto whichever entry came right before it.
    const beforeB = await prisma.auditEntry.findFirstOrThrow({ where: { id: { lt: b.id } }, orderBy: { id: 'desc' } });
    expect(b.prevHash).toBe(beforeB.hash);
    if (beforeB.id === a.id) expect(b.prevHash).toBe(a.hash);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.payload).toEqual({ at: '2026-01-02T03:04:05.678Z' });
    // The stored row (timestamptz(3), jsonb) recomputes to the same hash.
    const stored = await prisma.auditEntry.findUniqueOrThrow({ where: { id: a.id } });
    expect(computeAuditHash(stored.prevHash, stored)).toBe(a.hash);

    const result = await verifyAuditChain(prisma);
    expect(result).toMatchObject({ ok: true });
    expect(result.count).toBeGreaterThanOrEqual(2);
  });

  it('chains concurrent appends one after another', async () => {
    const entries = await Promise.all(
      Array.from({ length: 8 }, (_, i) => appendAudit(prisma, { actor: 'tester', action: 'parallel', subjectType: 'case', subjectId: `p-${i}`, payload: { i } })),
    );
    const sorted = [...entries].sort((x, y) => (x.id < y.id ? -1 : 1));
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.prevHash).toBe(sorted[i - 1]!.hash);
    expect(await verifyAuditChain(prisma)).toMatchObject({ ok: true });
  });

  it('refuses UPDATE, DELETE and TRUNCATE through SQL and through Prisma', async () => {
    const entry = await appendAudit(prisma, { actor: 'tester', action: 'tamper.target', subjectType: 'case', subjectId: 't-1', payload: {} });
    await expect(prisma.$executeRawUnsafe(`UPDATE "AuditEntry" SET actor = 'mallory' WHERE id = ${entry.id}`)).rejects.toThrow(/append-only/);
    await expect(prisma.$executeRawUnsafe(`DELETE FROM "AuditEntry" WHERE id = ${entry.id}`)).rejects.toThrow(/append-only/);
    await expect(prisma.$executeRawUnsafe(`TRUNCATE "AuditEntry"`)).rejects.toThrow(/append-only/);
    await expect(prisma.auditEntry.update({ where: { id: entry.id }, data: { actor: 'mallory' } })).rejects.toThrow(/append-only/);
    await expect(prisma.auditEntry.deleteMany({ where: { id: entry.id } })).rejects.toThrow(/append-only/);
    const after = await prisma.auditEntry.findUniqueOrThrow({ where: { id: entry.id } });
    expect(after.actor).toBe('tester');
    expect(await verifyAuditChain(prisma)).toMatchObject({ ok: true });
  });

  it('detects a forged row inserted with a wrong hash', async () => {
    // Inside a transaction that is rolled back, so the shared chain stays intact.
    await inRolledBackTransaction(async (tx) => {
      const last = await tx.auditEntry.findFirst({ orderBy: { id: 'desc' } });
      const forged = await tx.auditEntry.create({
        data: { actor: 'mallory', action: 'forged', subjectType: 'case', subjectId: 'f-1', payload: {}, prevHash: last?.hash ?? GENESIS_HASH, hash: 'f'.repeat(64) },
      });
      const result = await verifyAuditChain(tx);
      expect(result).toMatchObject({ ok: false, brokenAt: forged.id, reason: 'hash does not match the entry' });
    });
    await inRolledBackTransaction(async (tx) => {
      // A correct hash over a wrong predecessor breaks the chain too.
      const at = new Date();
      const fake = { at, actor: 'mallory', action: 'forged', subjectType: 'case', subjectId: 'f-2', payload: {} };
      const wrongPrev = 'a'.repeat(64);
      const forged = await tx.auditEntry.create({ data: { ...fake, prevHash: wrongPrev, hash: computeAuditHash(wrongPrev, fake) } });
      const result = await verifyAuditChain(tx);
      expect(result).toMatchObject({ ok: false, brokenAt: forged.id, reason: 'prevHash does not match the previous entry' });
    });
    expect(await verifyAuditChain(prisma)).toMatchObject({ ok: true });
  });

  it('verifies across batches', async () => {
    for (let i = 0; i < 3; i++) await appendAudit(prisma, { actor: 'tester', action: 'batch', subjectType: 'case', subjectId: `b-${i}`, payload: { i } });
    const whole = await verifyAuditChain(prisma);
    const batched = await verifyAuditChain(prisma, { batchSize: 2 });
    expect(whole.ok && batched.ok).toBe(true);
    // Other test files may append in between: the second pass sees at least as much.
    expect(batched.count).toBeGreaterThanOrEqual(whole.count);
  });
});
