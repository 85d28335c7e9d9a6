// `jiuzhu import` end to end: the real command in a child process, on a sample set written the way the
// shipped samples are (scripts/sample-data.ts), with fresh ID numbers and a county of its own.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createPrismaClient } from '../../infra/db/client.js';
import { writeSampleSet, type SampleSet } from '../../scripts/sample-data.js';
import { countyCounts, freshSampleSet, tempDir } from './import-support.js';
import { testDatabaseUrl } from '../support/database.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const databaseUrl = testDatabaseUrl();
const prisma = createPrismaClient(databaseUrl);
const tmp = tempDir();
afterAll(async () => {
  await prisma.$disconnect();
  tmp.cleanup();
});

function jiuzhu(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/jiuzhu.js'), ...args], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: databaseUrl, JIUZHU_DATA_DIR: path.join(tmp.dir, 'data'), JIUZHU_HASH_KEY: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

describe('jiuzhu import (CLI)', { shuffle: false }, () => {
  // One scenario in steps, each building on the one before: kept in order under --sequence.shuffle.
  let set: SampleSet;
  let files: Record<string, string>;
  const allIds = () => new Set(Object.values(set.tables).flatMap((t) => t.rows.flat().filter((v) => typeof v === 'string' && /^\d{17}[\dX]$/.test(v)) as string[]));
  const expectMasked = (text: string) => {
    for (const id of allIds()) expect(text).not.toContain(id);
  };

  beforeAll(async () => {
    set = freshSampleSet();
    files = await writeSampleSet(path.join(tmp.dir, 'samples'), set);
  });

  it('imports staff (xlsx), roster (GB18030 CSV) and payments (UTF-8 BOM CSV)', async () => {
    const staff = await jiuzhu(['import', 'staff', files.staff!, '--county', set.county, '--no-progress']);
    expect(staff.code, staff.stderr).toBe(0);
    expect(staff.stdout).toContain('工作人员名单导入完成：staff.xlsx（xlsx，第一个工作表）');
    expect(staff.stdout).toContain(`新建区划：县 1 个（${set.county}），乡镇 3 个，村(社区) 3 个`);

    const roster = await jiuzhu(['import', 'roster', files.roster!, '--county', set.county, '--no-progress']);
    expect(roster.code, roster.stderr).toBe(0);
    expect(roster.stdout).toContain('花名册导入完成：roster.csv（CSV，GB18030）');
    expect(roster.stdout).toMatch(/户：新增 30，更新 0，未变 0/);

    const payments = await jiuzhu(['import', 'payments', files.payments!, '--no-progress'], { JIUZHU_HASH_KEY: 'cli-test-key-0123456789abcdef' });
    expect(payments.code, payments.stderr).toBe(0);
    expect(payments.stderr).not.toContain('JIUZHU_HASH_KEY');
    expect(payments.stdout).toContain(`发放记录：新增 ${set.tables.payments.rows.length}，更新 0，未变 0`);
    expect(await countyCounts(prisma, set.county)).toMatchObject({ households: 30, payments: set.tables.payments.rows.length, staff: 13 });
    expectMasked(staff.stdout + staff.stderr + roster.stdout + roster.stderr + payments.stdout + payments.stderr);
  });

  it('says so and exits 0 when the same file comes again', async () => {
    const again = await jiuzhu(['import', 'roster', files.roster!, '--county', set.county, '--no-progress']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/已于 .+ 导入过（批次 #\d+，内容相同），本次未作任何更改。/);
  });

  it('refuses a file with errors: exit 1, masked console list, error file beside the input', async () => {
    const rows = set.tables.deaths.rows.map((r) => [...r]);
    const wrong = String(rows[0]![1]).slice(0, 17) + (String(rows[0]![1]).endsWith('1') ? '2' : '1');
    rows[0]![1] = wrong;
    rows[1]![2] = '2024-02-30';
    const file = path.join(tmp.dir, '死亡名单.csv');
    fs.writeFileSync(file, [set.tables.deaths.header, ...rows].map((r) => r.map((v) => v ?? '').join(',')).join('\n') + '\n');
    const r = await jiuzhu(['import', 'deaths', file, '--no-progress']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('第 2 行：身份证号校验位错误');
    expect(r.stderr).toContain('第 3 行：死亡日期“2024-02-30”不存在：2024年2月没有30日');
    expect(r.stderr).toContain(`错误清单（全部错误行及原因）：${file}.错误行.csv`);
    expect(r.stderr).toContain('未写入任何数据（整批导入）');
    expect(r.stderr).not.toContain(wrong);
    expectMasked(r.stdout + r.stderr);
    expect(fs.readFileSync(`${file}.错误行.csv`, 'utf8').startsWith('\ufeff行号,错误原因,姓名,身份证号,死亡日期,来源')).toBe(true);

    const partial = await jiuzhu(['import', 'deaths', file, '--accept-valid', '--no-progress']);
    expect(partial.code).toBe(0);
    expect(partial.stdout).toContain(`数据行 ${rows.length}，导入 ${rows.length - 2} 行，跳过错误行 2 行`);
    expect(partial.stderr).toContain('注意：有 2 行错误未导入（--accept-valid）');
    expect(fs.existsSync(`${file}.错误行.csv`)).toBe(true);
  });

  it('warns about the development hash key and rejects unknown kinds and missing files', async () => {
    const r = await jiuzhu(['import', 'payments', path.join(tmp.dir, 'nope.csv'), '--no-progress']);
    expect(r.stderr).toContain('找不到文件');
    expect(r.code).toBe(2);
    const w = await jiuzhu(['import', 'payments', files.payments!, '--no-progress']);
    expect(w.code).toBe(0);
    expect(w.stderr).toContain('未设置环境变量 JIUZHU_HASH_KEY');
    const k = await jiuzhu(['import', 'households', files.roster!]);
    expect(k.code).toBe(2);
    expect(k.stderr).toContain('未知的导入类型“households”');
  });
});
