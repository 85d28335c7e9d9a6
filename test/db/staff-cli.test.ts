import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';

import { createPrismaClient } from '../../infra/db/client.js';
import { issueCode, listStaff } from '../../app/commands/staff.js';
import { redeemBindingCode } from '../../bot/core/binding.js';
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

describe('jiuzhu staff', () => {
  it('issues a one-time code that binds the right person, and refuses unknown or ambiguous names', async () => {
    const county = await createTestCounty(prisma);
    const name = `周${freshIdNumber().slice(-6)}`;
    const make = () => prisma.staff.create({ data: { name, idNumber: freshIdNumber(), role: 'TOWNSHIP_HEAD', unit: '城关镇', regionId: county.townships[0]!.id } });
    const first = await make();

    const a = io();
    expect(await issueCode(prisma, name, a.io)).toBe(0);
    const printed = a.stdout();
    const code = /绑定码：(\S+)/.exec(printed)![1]!;
    expect(printed).toContain(`/绑定 ${code}`);
    // Only the hash is stored.
    expect(JSON.stringify(await prisma.bindingCode.findMany({ where: { staffId: first.id } }))).not.toContain(code);
    const bound = await redeemBindingCode(prisma, { platform: 'telegram', externalId: `cli-${first.id}`, code, now: new Date() });
    expect(bound).toMatchObject({ ok: true, staffId: first.id });

    const l = io();
    await listStaff(prisma, name, l.io);
    expect(l.stdout()).toContain('已绑定：Telegram');

    await make();
    const b = io();
    expect(await issueCode(prisma, name, b.io)).toBe(2);
    expect(b.stderr()).toMatch(/有 2 名人员叫.*请改用编号/);
    const c = io();
    expect(await issueCode(prisma, '查无此人', c.io)).toBe(2);
    expect(c.stderr()).toContain('找不到人员');
    const d = io();
    expect(await issueCode(prisma, String(first.id), d.io)).toBe(0);
  });
});
