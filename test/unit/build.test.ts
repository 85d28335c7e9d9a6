// `npm run build` compiles to dist/ and bin/jiuzhu.js then runs the compiled code: same output as the
// sources (tsx), and back to the sources as soon as one of them is newer than the build.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { currentCompiledCli, DIST, ROOT, STAMP } from '../../bin/compiled.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-build-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));
const baseEnv: NodeJS.ProcessEnv = { ...process.env, JIUZHU_DATA_DIR: dataDir };
delete baseEnv.JIUZHU_COUNTY;
delete baseEnv.JIUZHU_FROM_SOURCE;

function cli(env: Record<string, string>, ...args: string[]): string {
  return execFileSync(process.execPath, [path.join(ROOT, 'bin', 'jiuzhu.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...baseEnv, ...env },
    timeout: 60_000,
  });
}

describe('compiled for production', () => {
  it('builds dist/, runs it, prints what the sources print, and falls back when a source is newer', { timeout: 600_000 }, () => {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'pipe', timeout: 540_000 });
    expect(fs.existsSync(path.join(DIST, 'app', 'cli.js'))).toBe(true);
    expect(fs.existsSync(path.join(DIST, 'prisma', 'generated', 'client.js'))).toBe(true);
    expect(fs.existsSync(path.join(DIST, 'workflows', 'index.js'))).toBe(true);
    expect(currentCompiledCli()).toBe(path.join(DIST, 'app', 'cli.js'));

    const args = ['deadline', 'death-review', '2024-11-30', '--county', 'zhangzi', '--now', '2025-01-15T02:00:00Z'];
    const fromSource = cli({ JIUZHU_FROM_SOURCE: '1' }, ...args);
    const fromDist = cli({}, ...args);
    expect(fromSource).toContain('2025-02-28');
    expect(fromDist).toBe(fromSource);
    // The compiled code itself, without the entry point's choice.
    const direct = execFileSync(process.execPath, [path.join(DIST, 'app', 'cli.js'), ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: baseEnv,
    });
    expect(direct).toBe(fromSource);
    const json = (env: Record<string, string>) => JSON.parse(cli(env, ...args, '--json')) as unknown;
    expect(json({})).toEqual(json({ JIUZHU_FROM_SOURCE: '1' }));

    // A source saved after the build: the entry point runs the sources again.
    const source = path.join(ROOT, 'domain', 'deadline-query.ts');
    const { atime, mtime } = fs.statSync(source);
    const later = new Date(fs.statSync(STAMP).mtimeMs + 60_000);
    try {
      fs.utimesSync(source, later, later);
      expect(currentCompiledCli()).toBeUndefined();
    } finally {
      fs.utimesSync(source, atime, mtime);
    }
    expect(currentCompiledCli()).toBe(path.join(DIST, 'app', 'cli.js'));
  });
});
