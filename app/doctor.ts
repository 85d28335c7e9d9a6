import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { AppConfig } from '../infra/config.js';
import { isPortInUse } from '../infra/temporal/dev-server.js';

const run = promisify(execFile);

export interface Check {
  name: string;
  ok: boolean;
  /** What was found. */
  detail: string;
  /** How to get it, when missing. */
  fix?: string;
  /** A missing optional part does not stop `jiuzhu start`. */
  optional?: boolean;
}

async function version(cmd: string, args: string[]): Promise<string | undefined> {
  try {
    const { stdout, stderr } = await run(cmd, args, { timeout: 10_000 });
    return (stdout || stderr).trim().split('\n')[0];
  } catch {
    return undefined;
  }
}

const cacheDir = () => process.env.JIUZHU_CACHE_DIR ?? path.join(os.homedir(), '.cache/jiuzhu');

/** Says what is present and what is missing, and how to get it. Changes nothing. */
export async function runDoctor(config: AppConfig): Promise<Check[]> {
  const checks: Check[] = [];
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  checks.push({
    name: 'Node.js',
    ok: major > 20 || (major === 20 && minor >= 19),
    detail: process.version,
    fix: '需要 Node.js 20.19 或更高版本',
  });

  const cliCached = path.join(cacheDir(), 'temporal-cli', process.env.TEMPORAL_CLI_VERSION ?? 'v1.5.1', 'temporal');
  const cliPath = config.temporal.cliPath ?? cliCached;
  const go = await version('go', ['version']);
  if (config.temporal.address) {
    checks.push({ name: 'Temporal 服务器', ok: true, detail: `使用已有服务器 ${config.temporal.address}` });
  } else if (config.temporal.cliPath && !fs.existsSync(config.temporal.cliPath)) {
    checks.push({
      name: 'Temporal CLI（开发服务器）',
      ok: false,
      detail: `TEMPORAL_CLI_PATH 指向的文件不存在：${config.temporal.cliPath}`,
      fix: '改正 TEMPORAL_CLI_PATH，或删除它以便自动编译',
    });
  } else {
    const hasCli = fs.existsSync(cliPath);
    checks.push({
      name: 'Temporal CLI（开发服务器）',
      ok: hasCli || Boolean(go),
      detail: hasCli ? cliPath : go ? `尚未编译；首次启动时用 ${go} 编译` : '未找到',
      fix: '安装 Go（apt-get install golang 或 go.dev），或设置 TEMPORAL_CLI_PATH 指向已有的 temporal 可执行文件，或设置 TEMPORAL_ADDRESS',
    });
    const portBusy = await isPortInUse(config.temporal.devServerPort);
    checks.push({
      name: `Temporal 端口 ${config.temporal.devServerPort}`,
      ok: !portBusy,
      detail: portBusy ? '已被占用' : '空闲',
      fix: '停止占用该端口的进程，或设置 JIUZHU_TEMPORAL_PORT',
    });
  }

  if (config.databaseUrl) {
    checks.push({ name: '数据库', ok: true, detail: `PostgreSQL（DATABASE_URL 已设置）` });
  } else {
    checks.push({ name: '数据库', ok: true, detail: `内置 PGlite，数据目录 ${path.join(config.dataDir, 'pglite')}` });
  }
  try {
    fs.mkdirSync(config.dataDir, { recursive: true });
    fs.accessSync(config.dataDir, fs.constants.W_OK);
    checks.push({ name: '数据目录', ok: true, detail: config.dataDir });
  } catch {
    checks.push({ name: '数据目录', ok: false, detail: `${config.dataDir} 不可写`, fix: '设置 JIUZHU_DATA_DIR 指向可写目录' });
  }

  const java = await version('java', ['-version']);
  checks.push({
    name: 'Java（仅测试：时间跳跃测试服务器）',
    ok: Boolean(java),
    optional: true,
    detail: java ?? '未找到',
    fix: 'apt-get install -y openjdk-17-jre-headless',
  });
  const mvn = await version('mvn', ['-v']);
  checks.push({
    name: 'Maven（仅测试：下载测试服务器）',
    ok: Boolean(mvn),
    optional: true,
    detail: mvn?.replace(/\x1b\[[0-9;]*m/g, '') ?? '未找到',
    fix: 'apt-get install -y maven',
  });
  const pg = fs.existsSync('/usr/lib/postgresql') ? fs.readdirSync('/usr/lib/postgresql').join(', ') : undefined;
  checks.push({
    name: 'PostgreSQL 服务器（仅测试与生产）',
    ok: Boolean(pg),
    optional: true,
    detail: pg ? `版本 ${pg}` : '未安装（测试会使用内置 PGlite）',
    fix: 'apt-get install -y postgresql',
  });
  const chromium = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(
    (p): p is string => p !== undefined && p !== '' && fs.existsSync(p),
  );
  const chromiumVersion = chromium ? await version(chromium, ['--version']) : undefined;
  checks.push({
    name: 'Chromium（仅浏览器测试）',
    ok: Boolean(chromium),
    optional: true,
    detail: chromium ? `${chromium}${chromiumVersion ? `（${chromiumVersion}）` : ''}` : '未找到',
    fix: 'apt-get install -y chromium fonts-noto-cjk（或设置 CHROMIUM_PATH）',
  });
  return checks;
}

export function formatChecks(checks: Check[]): string {
  return checks
    .map((c) => {
      const mark = c.ok ? '✔' : c.optional ? '○' : '✘';
      const fix = !c.ok && c.fix ? `\n    → ${c.fix}` : '';
      return `${mark} ${c.name}：${c.detail}${fix}`;
    })
    .join('\n');
}
