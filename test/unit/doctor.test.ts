import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../infra/config.js';
import { formatChecks, runDoctor } from '../../app/doctor.js';

describe('jiuzhu doctor', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-doctor-'));

  it('says what is present on this machine', async () => {
    const checks = await runDoctor(loadConfig({ JIUZHU_DATA_DIR: dataDir, JIUZHU_TEMPORAL_PORT: '1' }));
    const byName = Object.fromEntries(checks.map((c) => [c.name, c]));
    expect(byName['Node.js']?.ok).toBe(true);
    expect(byName['数据目录']).toMatchObject({ ok: true, detail: dataDir });
    expect(byName['数据库']?.detail).toContain('内置 PGlite');
  });

  it('names what is missing and how to get it', async () => {
    const checks = await runDoctor(loadConfig({ JIUZHU_DATA_DIR: dataDir, TEMPORAL_CLI_PATH: '/nonexistent/temporal' }));
    const cli = checks.find((c) => c.name.startsWith('Temporal CLI'))!;
    expect(cli).toMatchObject({ ok: false, detail: 'TEMPORAL_CLI_PATH 指向的文件不存在：/nonexistent/temporal' });
    expect(formatChecks([cli])).toBe(
      '✘ Temporal CLI（开发服务器）：TEMPORAL_CLI_PATH 指向的文件不存在：/nonexistent/temporal\n    → 改正 TEMPORAL_CLI_PATH，或删除它以便自动编译',
    );
    const text = formatChecks([{ name: 'Java', ok: false, optional: true, detail: '未找到', fix: 'apt-get install -y openjdk-17-jre-headless' }]);
    expect(text).toBe('○ Java：未找到\n    → apt-get install -y openjdk-17-jre-headless');
  });

  it('flags a busy Temporal port', async () => {
    const server = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as net.AddressInfo).port;
    const checks = await runDoctor(loadConfig({ JIUZHU_DATA_DIR: dataDir, JIUZHU_TEMPORAL_PORT: String(port) }));
    server.close();
    const portCheck = checks.find((c) => c.name === `Temporal 端口 ${port}`)!;
    expect(portCheck).toMatchObject({ ok: false, detail: '已被占用' });
    expect(formatChecks([portCheck])).toContain('✘');
  });

  it('reports Chromium (browser tests only) as optional', async () => {
    const checks = await runDoctor(loadConfig({ JIUZHU_DATA_DIR: dataDir }));
    const chromium = checks.find((c) => c.name === 'Chromium（仅浏览器测试）')!;
    expect(chromium.optional).toBe(true);
    const present = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => fs.existsSync(p));
    expect(chromium.ok).toBe(Boolean(present ?? process.env.CHROMIUM_PATH));
    if (present && !process.env.CHROMIUM_PATH) expect(chromium.detail).toContain(present);
    expect(formatChecks([{ ...chromium, ok: false, detail: '未找到' }])).toBe('○ Chromium（仅浏览器测试）：未找到\n    → apt-get install -y chromium fonts-noto-cjk（或设置 CHROMIUM_PATH）');
  });
});
