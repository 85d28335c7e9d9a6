import { Command } from 'commander';
import { loadConfig, ConfigError } from './config.js';

const program = new Command();
program
  .name('jiuzhu')
  .description('救助领域专项整治：低保、特困资金发放与案件流程的工作台')
  .showHelpAfterError('（用 --help 查看用法）');

program
  .command('start')
  .description('启动全部服务（数据库、Temporal、worker、HTTP），无需任何配置')
  .action(async () => {
    const { runStart } = await import('./commands/start.js');
    await runStart(loadConfig());
  });

program
  .command('worker')
  .description('只运行 Temporal worker（生产部署用；需要 TEMPORAL_ADDRESS）')
  .action(async () => {
    const { runStart } = await import('./commands/start.js');
    await runStart(loadConfig(), 'worker');
  });

program
  .command('server')
  .description('只运行 HTTP / webhook 服务（生产部署用；需要 TEMPORAL_ADDRESS）')
  .action(async () => {
    const { runStart } = await import('./commands/start.js');
    await runStart(loadConfig(), 'server');
  });

program
  .command('doctor')
  .description('检查运行环境：缺什么、怎么装')
  .action(async () => {
    const { runDoctor, formatChecks } = await import('./doctor.js');
    const checks = await runDoctor(loadConfig());
    console.log(formatChecks(checks));
    if (checks.some((c) => !c.ok && !c.optional)) process.exitCode = 1;
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(2);
  }
  console.error(`错误：${(err as Error).message}`);
  process.exit(1);
}
