import readline from 'node:readline/promises';

import type { AppConfig } from '../../infra/config.js';
import type { PrismaClient } from '../../infra/db/client.js';
import { findDemoCounty, loadDemoCounty } from '../../demo/index.js';
import { startService, type ServiceMode } from '../start.js';
import { countiesInDatabase, defaultDemoPreset, formatDemoSummary } from './demo.js';
import { logger, useLogFile } from '../../infra/logger.js';

export interface StartFlags {
  /** --demo: load the demo county into an empty database. */
  demo?: boolean;
  /** --demo-if-empty (npm start): the same, without asking. */
  demoIfEmpty?: boolean;
}

async function askYes(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = (await rl.question(question)).trim().toLowerCase();
    return answer === '' || ['y', 'yes', '是', '好', '载入'].includes(answer);
  } finally {
    rl.close();
  }
}

/**
 * What `jiuzhu start` does with an empty database (no county yet): with --demo or --demo-if-empty,
 * load the demo county; in an interactive terminal, ask; otherwise say how to load it. A database that
 * holds a county is never touched.
 */
export function emptyDatabaseStep(flags: StartFlags, say: (line: string) => void, interactive: boolean, ask: (q: string) => Promise<boolean> = askYes) {
  return async (prisma: PrismaClient): Promise<void> => {
    const counties = await countiesInDatabase(prisma);
    if (counties.length) {
      if (flags.demo && !(await findDemoCounty(prisma))) {
        say(`数据库中已有${counties.map((c) => c.name).join('、')}，未载入演示县（演示县只载入空的数据目录）。`);
      }
      return;
    }
    let load = flags.demo === true || flags.demoIfEmpty === true;
    if (!load) {
      if (!interactive) {
        say('数据库是空的：载入演示县请运行 npx jiuzhu demo（或 npx jiuzhu start --demo）；导入本县数据请用 npx jiuzhu import。');
        return;
      }
      load = await ask('数据库是空的。是否载入演示县？（虚构的县、人员和发放记录，供试用）[Y/n] ');
      if (!load) {
        say('未载入演示县。以后可运行 npx jiuzhu demo 载入。');
        return;
      }
    }
    const preset = defaultDemoPreset();
    say(`正在载入演示县（${preset === 'wenshui' ? '文水县' : '长子县'}方案）…`);
    const summary = await loadDemoCounty(prisma, { preset, actor: 'cli:start' });
    for (const line of formatDemoSummary(summary)) say(line);
  };
}

function maskUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:***@');
}

/** `jiuzhu start`: runs until Ctrl-C, then stops every child it started. */
export async function runStart(config: AppConfig, mode: ServiceMode = 'all', flags: StartFlags = {}): Promise<void> {
  const t0 = Date.now();
  // The terminal gets the human Chinese banner; the structured log goes to a file (one terminal) or
  // to stdout (a worker or server container, read by the platform).
  const logFile = mode === 'all' ? useLogFile(config.dataDir) : undefined;
  const say = (line: string) => {
    console.log(line);
    if (line.trim()) logger.info({ component: 'start' }, line.trim());
  };
  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const service = await startService(config, say, mode, mode === 'all' ? { prepareDatabase: emptyDatabaseStep(flags, say, interactive) } : {});
  say('');
  say(`已就绪（${((Date.now() - t0) / 1000).toFixed(1)} 秒）`);
  say(`  HTTP 服务      ${service.httpUrl}    健康检查：${service.httpUrl}/health`);
  say(`  Temporal       ${service.temporalAddress}${service.temporalUiUrl ? `    界面：${service.temporalUiUrl}` : ''}`);
  say(`  数据库         ${service.databaseKind === 'pglite' ? '内置 PGlite' : 'PostgreSQL'}  ${maskUrl(service.databaseUrl)}`);
  say(`  数据目录       ${config.dataDir}`);
  if (logFile) say(`  运行日志       ${logFile}`);
  say(`  聊天机器人     ${service.chatFronts.length ? service.chatFronts.join('；') : '未配置飞书或 Telegram（见 README「接入飞书与 Telegram」）'}`);
  if (mode !== 'worker') {
    say(`  网页控制台     ${service.httpUrl}/console    ${service.demo ? (service.demoNote ?? '演示模式：可任意切换身份') : '登录：另开终端执行 npx jiuzhu staff login-link <编号|姓名>，在本机浏览器打开所给链接'}`);
    say(`  专班看板       ${service.httpUrl}/dashboard    ${service.demo ? '演示模式：可任意切换身份' : '登录：同一登录链接，登录后也可打开看板'}`);
  }
  if (!service.demo && service.demoNote) say(`  注意           ${service.demoNote}`);
  say('按 Ctrl-C 停止。');

  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      say(`\n收到 ${signal}，正在停止…`);
      service.stop().then(() => {
        say('已全部停止。');
        resolve();
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('SIGHUP', onSignal);
  });
  process.exit(0);
}
