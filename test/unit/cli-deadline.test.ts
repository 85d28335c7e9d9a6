import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

async function jiuzhu(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run('node', [path.join(root, 'bin/jiuzhu.js'), ...args], {
      env: { ...process.env, ...env },
      cwd: root,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('jiuzhu deadline', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-cli-'));

  it('answers a months rule: death on 30 Nov 2024 is reviewed by 28 Feb 2025', async () => {
    const r = await jiuzhu(['deadline', 'death-review', '2024-11-30', '--county', 'zhangzi', '--json', '--now', '2025-02-20T10:00:00+08:00'], { JIUZHU_DATA_DIR: dataDir });
    expect(r.code).toBe(0);
    const a = JSON.parse(r.stdout);
    expect(a.due).toBe('2025-02-28');
    expect(a.unit).toBe('months');
    expect(a.calendarDaysLeft).toBe(8);
    expect(new Date(a.expiresAt).toISOString()).toBe('2025-02-28T16:00:00.000Z');
  });

  it("shows the prisoner-exit deadline as the county's choice (origin county), not a statute", async () => {
    const json = await jiuzhu(['deadline', 'prison-exit', '2024-11-30', '--county', 'wenshui', '--json', '--now', '2025-01-10T10:00:00+08:00'], { JIUZHU_DATA_DIR: dataDir });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ origin: 'county', due: '2025-02-28', unit: 'months' });
    const text = await jiuzhu(['deadline', 'prison-exit', '2024-11-30', '--county', 'wenshui', '--now', '2025-01-10T10:00:00+08:00'], { JIUZHU_DATA_DIR: dataDir });
    expect(text.stdout).toContain('该时限为本县自行设定');
    const death = await jiuzhu(['deadline', 'death-review', '2024-11-30', '--county', 'wenshui', '--now', '2025-01-10T10:00:00+08:00'], { JIUZHU_DATA_DIR: dataDir });
    expect(death.stdout).not.toContain('该时限为本县自行设定');
  });

  it('counts working days across National Day 2024 with its make-up Saturday', async () => {
    const r = await jiuzhu(['deadline', 'dibao-decision', '2024-09-28', '--county', 'wenshui', '--json', '--now', '2024-10-08T09:00:00+08:00'], { JIUZHU_DATA_DIR: dataDir });
    expect(r.code).toBe(0);
    const a = JSON.parse(r.stdout);
    // 29 Sep (make-up Sunday), 30 Sep, 8-11 Oct, 12 Oct (make-up Saturday), 14, 15, 16 Oct.
    expect(a.due).toBe('2024-10-16');
    expect(a.unit).toBe('workingDays');
    expect(a.workingDaysLeft).toBe(7);
  });

  it('prints Chinese text by default', async () => {
    const r = await jiuzhu(['deadline', 'dibao-decision', '2024-09-28', '--county', 'wenshui'], { JIUZHU_DATA_DIR: dataDir });
    expect(r.stdout).toContain('截止日期：2024-10-16（星期三）');
    expect(r.stdout).toContain('10个工作日');
  });

  it('refuses an unknown rule, listing the valid ones', async () => {
    const r = await jiuzhu(['deadline', 'no-such-rule', '2024-09-28'], { JIUZHU_DATA_DIR: dataDir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('未知的期限规则');
    expect(r.stderr).toContain('death-review');
  });

  it('refuses a working-day deadline in a year without holiday data, until the data folder supplies it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-cli-2027-'));
    const before = await jiuzhu(['deadline', 'dibao-decision', '2027-03-01', '--county', 'zhangzi', '--json'], { JIUZHU_DATA_DIR: dir });
    expect(before.code).toBe(1);
    expect(before.stderr).toContain('2027年的法定节假日安排尚未录入');

    fs.writeFileSync(path.join(dir, 'holiday-overrides.yaml'), [
      'years:',
      '  2027:',
      '    source: test data',
      '    holidays:',
      '      - { name: 元旦, date: "2027-01-01" }',
      '      - { name: 春节, from: "2027-02-06", to: "2027-02-13" }',
      '    workdays: []',
    ].join('\n'));
    const after = await jiuzhu(['deadline', 'dibao-decision', '2027-03-01', '--county', 'zhangzi', '--json', '--now', '2027-03-01T09:00:00+08:00'], { JIUZHU_DATA_DIR: dir });
    expect(after.stderr).toBe('');
    expect(after.code).toBe(0);
    // Mon 1 Mar 2027 + 10 working days = Mon 15 Mar 2027.
    expect(JSON.parse(after.stdout).due).toBe('2027-03-15');
  });

  it('refuses an impossible date', async () => {
    const r = await jiuzhu(['deadline', 'death-review', '2024-02-30'], { JIUZHU_DATA_DIR: dataDir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('日期格式无效');
  });
});
