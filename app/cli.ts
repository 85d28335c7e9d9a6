import { Command } from 'commander';
import { loadConfig, ConfigError } from '../infra/config.js';

const program = new Command();
program
  .name('jiuzhu')
  .description('救助领域专项整治：低保、特困资金发放与案件流程的工作台')
  .showHelpAfterError('（用 --help 查看用法）');
// A one-shot command prints its answer on stdout (text, JSON lines, files): its log lines go to stderr.
// The services (start, worker, server) log to their file or, in a container, to stdout.
program.hook('preAction', (_root, action) => {
  const service = action.parent === program && ['start', 'worker', 'server'].includes(action.name());
  if (!service) process.env.JIUZHU_LOG_STDERR ??= '1';
});

program
  .command('start')
  .description('启动全部服务（数据库、Temporal、worker、HTTP），无需任何配置')
  .option('--demo', '数据库为空时载入演示县（虚构数据，供试用）')
  .option('--demo-if-empty', '同 --demo，不询问（npm start 使用）')
  .action(async (opts: { demo?: boolean; demoIfEmpty?: boolean }) => {
    const { runStart } = await import('./commands/start.js');
    await runStart(loadConfig(), 'all', { ...(opts.demo ? { demo: true } : {}), ...(opts.demoIfEmpty ? { demoIfEmpty: true } : {}) });
  });

program
  .command('demo')
  .description('载入演示县：虚构的乡镇、人员（各角色均可在网页控制台切换）、救助对象、两年发放记录和埋设的问题')
  .option('--preset <preset>', 'wenshui（文水县方案）或 zhangzi（长子县方案）；默认 JIUZHU_COUNTY，否则 zhangzi')
  .option('--seed <n>', '随机种子（同一种子生成相同数据），默认 1')
  .option('--scale <n>', '规模：1 约 3000 户（默认），0.1 约 300 户')
  .option('--today <date>', '以此日期为“今天”（YYYY-MM-DD），发放记录截至此前最近一个已到期的月份')
  .option('--force', '数据库中已有其他县时仍然载入')
  .action(async (opts: { preset?: string; seed?: string; scale?: string; today?: string; force?: boolean }) => {
    const { runDemo } = await import('./commands/demo.js');
    process.exitCode = await runDemo(loadConfig(), opts);
  });

const units = program.command('units').description('报送单位（股室、乡镇、村(居)委会）');
units
  .command('sync')
  .description('按本县政策和工作人员名单新增、更新或停用报送单位（可重复运行）')
  .option('--county <name>', '县名或 wenshui / zhangzi；默认当前政策中的县')
  .option('--dry-run', '只显示将要做的变更，不写入')
  .action(async (opts: { county?: string; dryRun?: boolean }) => {
    const { runUnits } = await import('./commands/units.js');
    process.exitCode = await runUnits(loadConfig(), 'sync', opts);
  });
units
  .command('list')
  .description('列出报送单位及其填报人、负责人')
  .option('--county <name>', '县名或 wenshui / zhangzi；默认当前政策中的县')
  .action(async (opts: { county?: string }) => {
    const { runUnits } = await import('./commands/units.js');
    process.exitCode = await runUnits(loadConfig(), 'list', opts);
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
  .command('import')
  .description('导入数据文件（.xlsx 或 .csv，UTF-8 或 GB18030）：roster 花名册、payments 发放记录、deaths 死亡名单、prison 服刑名单、relatives 近亲属申报、staff 工作人员、monitored 新增监测对象、applications 救助申请（导入后自动开启申请审核确认；死亡、服刑名单自动开启核查）')
  .argument('<kind>', 'roster | payments | deaths | prison | relatives | staff | monitored | applications')
  .argument('<file>', '文件路径')
  .option('--county <name>', '所属县（花名册、工作人员导入时用于定位乡镇和村；默认政策中的县名）')
  .option('--accept-valid', '有错误行时仍导入其余正确的行（默认：有任何错误行则整批不写入）')
  .option('--encoding <enc>', '强制指定 CSV 编码：utf8、gb18030（含 GBK）、utf16le（默认自动识别）')
  .option('--allow-changes', '允许更改已导入的记录（默认：文件与已存数据不一致时拒绝导入并列出差异；更改前的版本都会保留）')
  .option('--dry-run', '只检查并列出将新增、更改的记录，不写入数据库')
  .option('--no-progress', '不显示进度条')
  .action(async (kind: string, file: string, opts: { county?: string; acceptValid?: boolean; allowChanges?: boolean; dryRun?: boolean; encoding?: string; progress: boolean }) => {
    const { runImport } = await import('./commands/import.js');
    process.exitCode = await runImport(loadConfig(), kind, file, opts);
  });

program
  .command('match')
  .description('数据比对：发放记录与死亡、服刑、近亲属等名单交叉比对，列出问题线索')
  .option('--county <name>', '只比对该县（默认全部）')
  .option('--json', '每行输出一个 JSON 对象')
  .option('--as-of <date>', '以此日期判断是否逾期（默认今天，北京时间）')
  .option('--full', '全量比对（默认只重新比对上次比对以来有变动的数据）')
  .action(async (opts: { county?: string; json?: boolean; asOf?: string; full?: boolean }) => {
    const { runMatch } = await import('./commands/match.js');
    process.exitCode = await runMatch(loadConfig(), opts);
  });

const staff = program.command('staff').description('人员与聊天账号绑定');
staff
  .command('list [filter]')
  .description('列出在职人员（可按姓名或单位筛选）及其飞书、Telegram 绑定情况')
  .action(async (filter: string | undefined) => {
    const { runStaff } = await import('./commands/staff.js');
    process.exitCode = await runStaff(loadConfig(), 'list', filter);
  });
staff
  .command('code <who>')
  .description('为一名人员签发一次性绑定码（24 小时有效），本人私聊机器人发送 /绑定 <绑定码>')
  .action(async (who: string) => {
    const { runStaff } = await import('./commands/staff.js');
    process.exitCode = await runStaff(loadConfig(), 'code', who);
  });
staff
  .command('unbind <who>')
  .description('解除一名人员的聊天账号绑定（手机丢失、绑定码泄露、离岗），并作废其未使用的绑定码')
  .option('--platform <platform>', '只解除一个平台：feishu、telegram 或 console')
  .action(async (who: string, opts: { platform?: string }) => {
    const { runStaff } = await import('./commands/staff.js');
    process.exitCode = await runStaff(loadConfig(), 'unbind', who, undefined, opts);
  });
staff
  .command('login-link <who>')
  .description('为一名人员生成网页控制台的一次性登录链接（15 分钟内有效，只能在本机打开一次，登录后 8 小时有效）')
  .action(async (who: string) => {
    const { runStaff } = await import('./commands/staff.js');
    process.exitCode = await runStaff(loadConfig(), 'login-link', who);
  });

program
  .command('report')
  .description('生成统计报表（.xlsx）：长子县附件1–6、文水县工作进展周报表')
  .argument('<table>', '1…6 或 zhangzi-1…zhangzi-6、wenshui-weekly；ledger 为信访台账')
  .option('--county <name>', '县名（如 长子县）或 zhangzi / wenshui')
  .option('--period <period>', '统计期间：YYYY-MM、YYYY-MM-DD..YYYY-MM-DD 或报送期次（如 2024-05-14）')
  .option('--out <file>', '输出文件路径（.xlsx）')
  .option('--include-accusations', '信访台账（ledger）：列出检举控告的全部内容（仅供纪检监察）')
  .action(async (table: string, opts: { county?: string; period?: string; out?: string; includeAccusations?: boolean }) => {
    const { runReport } = await import('./commands/report.js');
    process.exitCode = await runReport(loadConfig(), table, opts);
  });

program
  .command('simulate')
  .description('整治演练：在时间快进的 Temporal 测试服务器上用模拟工作人员（按时、逾期、不报）跑完整个整治期间的真实流程，打印时间线并生成统计表；用于上线前检查政策配置')
  .option('--county <preset>', '预置县：zhangzi（长子）或 wenshui（文水）；默认 zhangzi', 'zhangzi')
  .option('--policy <file>', '本县政策文件（YAML），先校验再演练')
  .option('--from <date>', '演练起始日期 YYYY-MM-DD（默认政策整治期间的第一天）')
  .option('--to <date>', '演练结束日期 YYYY-MM-DD（默认整治期间的最后一天）')
  .option('--seed <n>', '随机种子：同一种子同样的表现', '1')
  .option('--small', '用三个乡镇的小型演练县（默认用演示县数据）')
  .option('--scale <n>', '县的规模：演示县为户数倍数（默认 1，约3000户），小型演练县为乡镇数（默认 3）')
  .option('--deaths <n>', '演练期间通报的死亡人数（默认 4）')
  .option('--out <dir>', '统计表输出目录', 'simulate-out')
  .option('--json', '以 JSON 输出时间线和汇总')
  .option('--no-progress', '不显示进度条')
  .action(async (opts: import('./commands/simulate.js').SimulateOptions) => {
    const { runSimulate } = await import('./commands/simulate.js');
    process.exitCode = await runSimulate(loadConfig(), opts);
  });

const campaign = program.command('campaign').description('专项行动期间：查看当前专项行动、按任意年份设定期间（预置方案的各日期随期间平移）');
campaign
  .command('show')
  .description('当前专项行动：名称、期间、阶段，各周期任务的下一次截止时间（北京时间）')
  .option('--county <preset>', 'wenshui / zhangzi；默认数据目录中的 policy.yaml、JIUZHU_COUNTY 或演示县')
  .option('--json', '以 JSON 输出')
  .option('--now <instant>', '以此时刻为“现在”（默认当前时间）')
  .action(async (opts: import('./commands/campaign.js').CampaignShowOptions) => {
    const { runCampaignShow } = await import('./commands/campaign.js');
    process.exitCode = await runCampaignShow(loadConfig(), opts);
  });
campaign
  .command('start')
  .description('设定专项行动期间（任意年份）：登记到数据库并记入审计日志，运行中的服务随即更新周期任务')
  .option('--preset <preset>', '预置方案：zhangzi（长子县）或 wenshui（文水县）')
  .option('--policy <file>', '本县政策文件（YAML，可用 jiuzhu policy init 生成）')
  .option('--from <date>', '开始日期 YYYY-MM-DD')
  .option('--to <date>', '结束日期 YYYY-MM-DD（含）')
  .option('--replace', '新期间与已登记的专项行动重叠时，以新期间替换（否则拒绝）')
  .action(async (opts: import('./commands/campaign.js').CampaignStartOptions) => {
    const { runCampaignStart } = await import('./commands/campaign.js');
    process.exitCode = await runCampaignStart(loadConfig(), opts);
  });

const policyCmd = program.command('policy').description('县级政策配置（policy.yaml）');
policyCmd
  .command('init')
  .description('写出一份预置方案的 policy.yaml，每项设置附中英文说明和出处')
  .option('--preset <preset>', 'zhangzi（长子县，默认）或 wenshui（文水县）')
  .option('--out <file>', '输出文件（默认 policy.yaml；- 为标准输出）')
  .option('--force', '覆盖已有文件')
  .action(async (opts: import('./commands/campaign.js').PolicyInitOptions) => {
    const { runPolicyInit } = await import('./commands/campaign.js');
    process.exitCode = await runPolicyInit(loadConfig(), opts);
  });

const audit = program.command('audit').description('审计记录：校验哈希链、导出案件的操作记录（供纪检监察核查）');
audit
  .command('verify')
  .description('重新计算审计哈希链，指出第一处断裂（断裂时退出码为 1）')
  .action(async () => {
    const { runAudit } = await import('./commands/audit.js');
    process.exitCode = await runAudit(loadConfig(), 'verify', {});
  });
audit
  .command('export')
  .description('列出一个案件的操作记录：谁在何时做了什么（个人信息已脱敏）')
  .requiredOption('--case <n>', '案件编号')
  .action(async (opts: { case?: string }) => {
    const { runAudit } = await import('./commands/audit.js');
    process.exitCode = await runAudit(loadConfig(), 'export', opts);
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
