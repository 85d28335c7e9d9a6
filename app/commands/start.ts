import type { AppConfig } from '../config.js';
import { startService, type ServiceMode } from '../start.js';

function maskUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:***@');
}

/** `jiuzhu start`: runs until Ctrl-C, then stops every child it started. */
export async function runStart(config: AppConfig, mode: ServiceMode = 'all'): Promise<void> {
  const t0 = Date.now();
  const say = (line: string) => console.log(line);
  const service = await startService(config, say, mode);
  say('');
  say(`已就绪（${((Date.now() - t0) / 1000).toFixed(1)} 秒）`);
  say(`  HTTP 服务      ${service.httpUrl}    健康检查：${service.httpUrl}/health`);
  say(`  Temporal       ${service.temporalAddress}${service.temporalUiUrl ? `    界面：${service.temporalUiUrl}` : ''}`);
  say(`  数据库         ${service.databaseKind === 'pglite' ? '内置 PGlite' : 'PostgreSQL'}  ${maskUrl(service.databaseUrl)}`);
  say(`  数据目录       ${config.dataDir}`);
  say(`  聊天机器人     ${service.chatFronts.length ? service.chatFronts.join('；') : '未配置飞书或 Telegram（见 README「接入飞书与 Telegram」）'}`);
  if (mode !== 'worker') {
    say(`  网页控制台     ${service.httpUrl}/console    ${config.demo ? '演示模式：可任意切换身份' : '登录：另开终端执行 npx jiuzhu staff login-link <编号|姓名>，在本机浏览器打开所给链接'}`);
    say(`  专班看板       ${service.httpUrl}/dashboard    ${config.demo ? '演示模式：可任意切换身份' : '登录：同上生成的链接，把 /console/login 换成 /dashboard/login'}`);
  }
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
