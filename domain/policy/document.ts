/**
 * A county policy as a fully commented policy.yaml (pure): every setting
 * with a Chinese / English comment saying what it means and, where the
 * policy has one, where the rule comes from (legalBasis, origin). Loading the
 * text back (load.ts loadPolicyYaml) gives the same policy. `jiuzhu policy
 * init` writes it.
 */
import { Document, isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';
import { DEADLINE_ANCHORS, ESCALATION_LEVELS, PAYMENT_KIND_LABELS, RELATIONS, SPECIAL_GROUPS, type CountyPolicy } from './schema.js';

/** Comments by path pattern ('*' = any key or index), "中文 / English". */
const COMMENTS: Record<string, string> = {
  version: '配置格式版本，固定为 1 / Format version of this file, always 1',
  county: '县的基本信息 / The county',
  'county.code': '县代码（小写字母），用于周期任务编号 / County code (lower-case), used in schedule ids',
  'county.name': '县名，须与导入的区划名称一致 / County name, must match the imported regions',
  'county.city': '所属市 / City',
  'county.province': '所属省 / Province',
  'county.bureau': '民政局名称 / The civil-affairs bureau',
  'county.documentNo': '本县实施方案文号 / Number of the county implementation plan',
  'county.documentTitle': '本县实施方案标题 / Title of the county implementation plan',
  'county.divisionCode': '行政区划代码（6位） / Administrative division code (6 digits)',
  timezone: '时区，固定为 Asia/Shanghai（北京时间） / Time zone, always Asia/Shanghai',
  campaign: '专项行动 / The campaign',
  'campaign.title': '专项行动名称 / Campaign title',
  'campaign.window': '专项行动期间：周期任务只在此期间内开启（用 jiuzhu campaign start 设定） / Campaign window: cycles open only within it (set with `jiuzhu campaign start`)',
  'campaign.window.start': '开始日期 / First day',
  'campaign.window.end': '结束日期（含） / Last day (inclusive)',
  'campaign.phases': '工作阶段（部署、整治、总结），来自实施方案的时间安排 / Phases (deployment, rectification, summary) from the plan\'s timetable',
  'campaign.phases.*.id': '阶段编号：deployment 部署、rectification 整治、summary 总结 / Phase id',
  'campaign.phases.*.title': '阶段名称 / Phase title',
  'campaign.phases.*.ranges': '该阶段的时间段（可多段） / Date ranges of the phase (one or more)',
  taskForce: '工作专班 / The campaign working group (专班)',
  'taskForce.leaderTitles': '专班组长的职务（逾期最终升级给组长） / Titles of the group leaders (final escalation target)',
  'taskForce.deputyTitles': '专班副组长的职务 / Titles of the deputy leaders',
  'taskForce.office': '专班办公室（收集报送的单位） / The working-group office that collects reports',
  'taskForce.firstResponsible': '报送单位的第一责任人 / First responsible person of a reporting unit',
  deadlines: '期限规则：编号 → 规则。workflows 依赖的编号不可删除 / Deadline rules by id; the ids the workflows use must stay',
  'deadlines.*.title': '规则名称（提示中显示） / Rule title shown to staff',
  'deadlines.*.unit': `期限单位：calendarDays 自然日、workingDays 工作日（按法定节假日和调休计算）、months 月 / Unit: calendar days, working days (statutory holidays and make-up days), months`,
  'deadlines.*.amount': '期限数量 / How many units',
  'deadlines.*.anchor': `起算点（当日不计入）：${Object.entries(DEADLINE_ANCHORS).map(([k, v]) => `${k} ${v}`).join('；')} / The event the clock starts from (not counted)`,
  'deadlines.*.inclusive': '最后一日当天完成是否算按时（true 为“含当日”） / Is the last day itself still on time',
  'deadlines.*.ifNonWorkingDay': '到期日为节假日时：keep 不变、nextWorkingDay 顺延至下一工作日（民法典第二百零三条）、previousWorkingDay 提前 / When the due day is not a working day: keep, move to the next or previous working day',
  'deadlines.*.legalBasis': '依据（规则出处） / Where the rule comes from',
  'deadlines.*.origin': 'statutory 法定或方案明确；county 本县自定（来源只写“及时”等） / statutory: fixed by a rule or the plan; county: chosen locally',
  'deadlines.*.extends': '本规则为延长期限，替代的原规则编号 / The normal rule this extended limit replaces',
  'deadlines.*.extensionApproval': '延长期限须经谁批准、在何种情况下 / Who approves the extension and when',
  payments: `救助资金发放期限：${Object.entries(PAYMENT_KIND_LABELS).map(([k, v]) => `${k} ${v}`).join('；')} / Payment deadlines per kind`,
  'payments.dibao': '城乡低保金（按月发放到户） / Minimum living allowance, monthly to the household',
  'payments.tekunDispersed': '分散供养特困人员救助供养金（按季度发放到户） / Dispersed extreme-poverty support, quarterly',
  'payments.tekunCentralized': '集中供养特困人员救助供养金（支付到供养服务机构） / Centralized support, paid to the institution',
  'payments.*.months': '应发放的月份（按月为 1–12，按季度为 1、4、7、10） / Months in which a payment falls due',
  'payments.*.dayOfMonth': '每期发放到户的截止日（“10日前”即 10） / Day of the month the money must reach the household by',
  'payments.*.inclusive': '截止日当天发放是否算按时 / Is payment on that day still on time',
  'payments.*.ifNonWorkingDay': '截止日为节假日时：keep 不变、nextWorkingDay 顺延、previousWorkingDay 提前 / When that day is not a working day',
  'payments.*.payee': '收款方：household 发放到户、institution 支付到供养服务机构 / Who receives the money',
  'payments.*.legalBasis': '依据（规则出处） / Where the rule comes from',
  paymentDueFrom: '新纳入对象从何时起应发放：next-month 批准次月起（57号第二十一条，默认）、approval-month 批准当月起（部分省份） / When a new enrolment is first due: the month after approval (default) or the approval month',
  findingWork: '比对线索自动转为工作：线索类型 → 开启的事项（deathReview 死亡核查、prisonExit 服刑退出、rectification 整改事项、askFiling 提醒备案、none 不开启） / What each finding kind opens',
  'findingWork.paid_after_death': '死亡后仍发放 / Paid after death',
  'findingWork.death_review_overdue': '死亡核查逾期 / Death review overdue',
  'findingWork.paid_in_prison': '服刑期间仍发放 / Paid in custody',
  'findingWork.duplicate_enrolment': '重复享受 / Duplicate enrolment',
  'findingWork.payment_missing': '未发放 / Not paid',
  'findingWork.payment_late': '逾期发放 / Paid late',
  'findingWork.payment_short': '未足额发放 / Paid short',
  'findingWork.payment_wrong_payee': '发放对象不符 / Paid to the wrong payee',
  'findingWork.undeclared_near_relative': '近亲属未备案 / Undeclared near relative',
  'findingWork.deathRecord': '导入的死亡名单中的在保对象 / An enrolled member on an imported death list',
  'findingWork.prisonRecord': '导入的服刑名单中的在保对象 / An enrolled member on an imported custody list',
  progressReport: '工作进展报送周期 / The progress-report cycle',
  'progressReport.cadence': '周期：weekly 每周、monthlyDays 每月固定日 / Cadence: weekly or fixed days of the month',
  'progressReport.weekday': '每周的星期几（1 周一 … 7 周日） / ISO weekday (1 Monday … 7 Sunday)',
  'progressReport.everyWeeks': '每几周报送一次 / Every how many weeks',
  'progressReport.daysOfMonth': '每月的报送日（小月没有的日子取月末） / Days of the month (a missing day becomes the month\'s last day)',
  'progressReport.reportingUnits': '报送单位：section 股室、township 乡镇（服务中心） / Who reports: bureau sections or townships',
  'progressReport.recipient': '接收单位 / Who receives the reports',
  'progressReport.firstDue': '首次报送日期（省略则为期间内第一个报送日） / First due date (default: the first matching day of the window)',
  'progressReport.inclusive': '报送日当天报送是否算按时 / Is the due day itself on time',
  'progressReport.cutoffTime': '报送日的截止时刻（如“星期四上午”为 12:00；null 为当日结束） / Cut-off time on the due day (null: end of day)',
  'progressReport.ifNonWorkingDay': '报送日为法定节假日时：nextWorkingDay 顺延至下一工作日（提示中注明），keep 保持原日期 / When the due day is a holiday: move to the next working day (the prompt says so) or keep it',
  'progressReport.legalBasis': '依据（规则出处） / Where the rule comes from',
  villageMonthlyChain: '村→乡镇→县月报告链（长子县方案） / Monthly village → township → county report chain',
  'villageMonthlyChain.enabled': '是否启用 / Enabled',
  'villageMonthlyChain.villageDay': '村（居）委会报乡镇的截止日 / Day the villages report to the township by',
  'villageMonthlyChain.townshipDay': '乡镇报县民政局的截止日 / Day the townships report to the county by',
  'villageMonthlyChain.inclusive': '截止日当天是否算按时 / Is the due day itself on time',
  'villageMonthlyChain.ifNonWorkingDay': '截止日为节假日时的处理 / When the due day is not a working day',
  'villageMonthlyChain.items': '村报告的事项 / What the villages report',
  'villageMonthlyChain.legalBasis': '依据（规则出处） / Where the rule comes from',
  phaseSummaries: '阶段总结和最终总结 / Phase and final summaries',
  'phaseSummaries.*.id': '编号 / Id',
  'phaseSummaries.*.title': '名称 / Title',
  'phaseSummaries.*.due': '报送截止日期（须在专项行动期间内） / Due date (within the window)',
  'phaseSummaries.*.inclusive': '截止日当天是否算按时 / Is the due day itself on time',
  'phaseSummaries.*.submittedBy': '由谁汇总报送 / Who compiles and sends it',
  'phaseSummaries.*.recipient': '报送给谁 / Who receives it',
  'phaseSummaries.*.ifNonWorkingDay': '截止日遇法定节假日或休息日：nextWorkingDay 顺延（默认）、previousWorkingDay 提前、keep 不变 / Due day on a non-working day',
  reminders: '到期前的提醒 / Reminders before a due day',
  'reminders.daysBefore': '到期前几天提醒（自然日） / Calendar days before the due day',
  'reminders.sendAt': '提醒发送时刻（北京时间） / Time of day reminders go out (Beijing)',
  'reminders.onDueDay': '到期当天是否再提醒 / Also remind on the due day',
  escalation: `逾期升级链：level 为 ${Object.entries(ESCALATION_LEVELS).map(([k, v]) => `${k} ${v}`).join('、')}；afterHours 为逾期后几小时 / Escalation after a deadline expired`,
  'escalation.*.level': '升级对象 / Who is told',
  'escalation.*.afterHours': '逾期后几小时（逐级递增） / Hours after expiry (increasing)',
  focusItems: '整治重点（案件、报表按此分类） / Focus items of the campaign (cases and tables use them)',
  'focusItems.*.code': '编号 / Code',
  'focusItems.*.title': '名称（来自实施方案） / Title (from the plan)',
  'focusItems.*.subtypes': '细分问题类型 / Finer violation types',
  'focusItems.*.subtypes.*.code': '编号 / Code',
  'focusItems.*.subtypes.*.title': '名称 / Title',
  nearRelatives: '近亲属备案 / Near-relative filing (近亲属备案)',
  'nearRelatives.enabled': '是否启用 / Enabled',
  'nearRelatives.explicitInSeed': '本县方案是否明确规定（否则按全国办法执行） / Stated in the county plan itself',
  'nearRelatives.relations': `近亲属范围：${Object.entries(RELATIONS).map(([k, v]) => `${k} ${v}`).join('、')} / Relations that count as near relatives`,
  'nearRelatives.staffRoles': '须备案的经办人员角色（受理、审核、审批及其监督，2012年经办人员定义） / Staff roles whose near relatives must be filed',
  'nearRelatives.countyHomeVisitRequired': '单独登记的申请是否必须县级入户调查（57号第二十条） / County home visit required for each filed application',
  'nearRelatives.legalBasis': '依据（规则出处） / Where the rule comes from',
  specialGroups: '特殊群体定期排查 / Regular screening of special groups',
  'specialGroups.groups': `排查的群体：${Object.entries(SPECIAL_GROUPS).map(([k, v]) => `${k} ${v}`).join('、')} / Groups screened`,
  'specialGroups.screening': '排查频率（方案只写“定期”，由本县确定） / Screening frequency (the plan says "regularly")',
  'specialGroups.screening.frequency': 'monthly 每月、quarterly 每季度 / Monthly or quarterly',
  'specialGroups.screening.dayOfMonth': '排查日 / Day of the month',
  'specialGroups.legalBasis': '依据（规则出处） / Where the rule comes from',
  legalBasis: '报表和提示中引用的依据文件 / Named legal bases shown in reports and messages',
  'legalBasis.*': '依据文件 / A legal basis',
};

function patternOf(path: string[]): string[] {
  // Most specific first: the path itself, then with '*' for keys under deadlines/payments/legalBasis and for indexes.
  const generic = path.map((p, i) => (/^\d+$/.test(p) || (i === 1 && ['deadlines', 'payments', 'legalBasis'].includes(path[0]!)) ? '*' : p));
  return [path.join('.'), generic.join('.')];
}

function commentFor(path: string[]): string | undefined {
  for (const p of patternOf(path)) if (COMMENTS[p]) return COMMENTS[p];
  return undefined;
}

function annotate(node: Node | null | undefined, path: string[]): void {
  if (isMap(node)) {
    for (const pair of node.items as Pair<Node, Node>[]) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      const p = [...path, key];
      const c = commentFor(p);
      if (c && isScalar(pair.key)) pair.key.commentBefore = ` ${c}`;
      if (path.length === 0 && key === 'deadlines' && isMap(pair.value)) {
        // One rule: its title and source above its id.
        for (const rp of pair.value.items as Pair<Node, Node>[]) {
          const v = rp.value;
          if (isMap(v) && isScalar(rp.key)) {
            const get = (k: string) => (v.get(k) as string | undefined) ?? '';
            rp.key.commentBefore = ` ${get('title')}｜出处 / source: ${get('legalBasis') || '—'}（${get('origin') === 'county' ? '本县自定 / county choice' : '法定或方案明确 / statutory'}）`;
          }
          annotate(v, [...p, isScalar(rp.key) ? String(rp.key.value) : '']);
        }
        continue;
      }
      annotate(pair.value, p);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => annotate(item as Node, [...path, String(i)]));
  }
}

/** The policy as commented YAML text (header included). */
export function policyToCommentedYaml(policy: CountyPolicy, header: string[] = []): string {
  const doc = new Document(JSON.parse(JSON.stringify(policy)) as object);
  annotate(doc.contents as Node, []);
  doc.commentBefore = [
    ` ${policy.county.name}救助领域专项整治 政策配置（policy.yaml） / County policy of ${policy.county.code}`,
    ` 依据：${policy.county.documentNo}《${policy.county.documentTitle}》及其引用的全国、省级规定`,
    ' 放在数据目录（JIUZHU_DATA_DIR，默认 ./.data）下即生效；修改后重启服务。日期为 YYYY-MM-DD，时间为 HH:mm（北京时间）。',
    ' Put this file in the data folder to use it; restart the service after editing. Dates YYYY-MM-DD, times HH:mm (Beijing).',
    ' 专项行动期间和随之平移的日期用 jiuzhu campaign start 设定 / Set the campaign window with `jiuzhu campaign start`.',
    ...header.map((h) => ` ${h}`),
  ].join('\n');
  return doc.toString({ lineWidth: 0 });
}
