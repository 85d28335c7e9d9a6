import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';

import { exportCaseAudit, verifyAudit } from '../../app/commands/audit.js';
import { appendAudit } from '../../infra/audit-chain.js';
import { createPrismaClient } from '../../infra/db/client.js';
import { createTestCounty } from '../support/county.js';
import { freshIdNumber } from '../support/ids.js';
import { testDatabaseUrl } from '../support/database.js';

const prisma = createPrismaClient(testDatabaseUrl());
afterAll(() => prisma.$disconnect());

function io() {
  const out = new PassThrough();
  const err = new PassThrough();
  const read = (s: PassThrough) => (s.read() as Buffer | null)?.toString('utf8') ?? '';
  return { io: { stdout: out, stderr: err }, stdout: () => read(out), stderr: () => read(err) };
}

class Rollback extends Error {}

describe('jiuzhu audit', () => {
  it('verify passes on an intact chain and names the first tampered row (exit 1)', async () => {
    const ok = io();
    expect(await verifyAudit(prisma, ok.io)).toBe(0);
    expect(ok.stdout()).toContain('审计链校验通过');

    const target = await appendAudit(prisma, { actor: 'tester', action: 'tamper.target', subjectType: 'Case', subjectId: 'x', payload: { amount: 100 } });
    await appendAudit(prisma, { actor: 'tester', action: 'after.target', subjectType: 'Case', subjectId: 'x', payload: {} });
    const bad = io();
    let code = -1;
    // Tamper behind the append-only trigger's back (as a superuser could), inside a transaction rolled back afterwards.
    await expect(
      prisma.$transaction(async (tx) => {
        await tx.$executeRawUnsafe(`SET LOCAL session_replication_role = replica`);
        const n = await tx.$executeRawUnsafe(`UPDATE "AuditEntry" SET payload = '{"amount": 1}'::jsonb WHERE id = ${target.id}`);
        expect(n).toBe(1);
        code = await verifyAudit(tx, bad.io);
        throw new Rollback();
      }),
    ).rejects.toBeInstanceOf(Rollback);
    expect(code).toBe(1);
    const text = bad.stdout();
    expect(text).toContain(`第一处断裂在编号 ${target.id} 的记录`);
    expect(text).toContain('记录内容被改动');
    expect(await verifyAudit(prisma, io().io)).toBe(0);
  });

  it('export lists who did what for one case, with ID numbers and phones masked', async () => {
    const county = await createTestCounty(prisma);
    const staff = await prisma.staff.create({ data: { name: '审计员甲', idNumber: freshIdNumber(), role: 'TOWNSHIP_HEAD', unit: '第1镇', regionId: county.townships[0]!.id } });
    const row = await prisma.case.create({ data: { kind: 'DEATH_REVIEW', workflowId: `audit-export-${county.countyId}`, regionId: county.townships[0]!.id } });
    const idNumber = freshIdNumber();
    await appendAudit(prisma, { actor: `staff:${staff.id}`, action: 'case.decided', subjectType: 'Case', subjectId: String(row.id), payload: { idNumber, phone: '13812345678', note: '核实完毕' } });
    await appendAudit(prisma, { actor: 'system', action: 'other.case', subjectType: 'Case', subjectId: String(row.id + 100000), payload: {} });
    const out = io();
    expect(await exportCaseAudit(prisma, String(row.id), out.io)).toBe(0);
    const text = out.stdout();
    expect(text).toContain(`审计员甲（编号 ${staff.id}）`);
    expect(text).toContain('case.decided');
    expect(text).not.toContain('other.case');
    expect(text).not.toContain(idNumber);
    expect(text).toContain(`${idNumber.slice(0, 4)}`);
    expect(text).not.toContain('13812345678');
    expect(text).toContain('138****5678');

    const missing = io();
    expect(await exportCaseAudit(prisma, 'abc', missing.io)).toBe(2);
    expect(missing.stderr()).toContain('案件编号');
  });
});
