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
  .command('deadline')
  .description('查询期限：某条规则从某日起算，何时到期、还剩几天（如 deadline death-review 2024-11-30）')
  .argument('<rule>', '规则编号，如 death-review、dibao-decision')
  .argument('<date>', '起算日期 YYYY-MM-DD（如死亡日期、受理日期）')
  .option('--county <county>', '县：wenshui（文水）或 zhangzi（长子）；默认数据目录中的 policy.yaml 或 JIUZHU_COUNTY')
  .option('--json', '以 JSON 输出')
  .option('--now <instant>', '以此时刻计算剩余天数（默认当前时间）')
  .action(async (rule: string, date: string, opts: { county?: string; json?: boolean; now?: string }) => {
    const { runDeadline } = await import('./commands/deadline.js');
    runDeadline(loadConfig(), rule, date, opts);
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
