/**
 * Presets for the two seed counties (domain.md §1.10).
 *
 * W = 文水县民政局 文民发〔2024〕13号; Z = 长子县民政局 长子民发〔2024〕26号.
 * National limits: 57号 = 《最低生活保障审核确认办法》(民发〔2021〕57号);
 * 特困办法 = 《特困人员认定办法》(2021); 信访条例 = 《信访工作条例》(2022).
 * Rules marked origin 'county' are local choices where the sources give no
 * number ("及时"); counties should confirm them.
 */
import { DEFAULT_NEAR_RELATIONS, type CountyPolicyInput, type DeadlineRule, type DeadlineRuleInput } from './schema.js';

/**
 * 办结 after the complainant was told the result (feedback): the handling unit or the 专班 closes
 * within 5 working days, reminded before and escalated after. The sources fix no number: the county's.
 * Also the fallback for policies stored before the rule existed (see complaintCloseDeadline).
 */
export const COMPLAINT_CLOSE_RULE = {
  title: '信访事项反馈后登记办结',
  unit: 'workingDays',
  amount: 5,
  anchor: 'feedbackDate',
  inclusive: true,
  ifNonWorkingDay: 'keep',
  origin: 'county',
  legalBasis: '反馈办理结果后应及时办结，时限由本县确定',
} as const satisfies DeadlineRule;

const B57 = '《最低生活保障审核确认办法》（民发〔2021〕57号）';
const BTK = '《特困人员认定办法》（2021年）'; // doc number 民发〔2021〕43号 unconfirmed (domain.md §2.4)
const BXF = '《信访工作条例》（2022年）';

/** Deadline rules shared by both counties (national rules). */
function nationalRules(deathReviewBasis: string): Record<string, DeadlineRuleInput> {
  return {
    'death-review': {
      title: '低保对象死亡后家庭状况核查及增发、减发、停发手续',
      unit: 'months',
      amount: 3,
      anchor: 'eventDate',
      inclusive: true,
      legalBasis: deathReviewBasis,
    },
    'dibao-investigation-start': {
      title: '低保申请受理后启动家庭经济状况调查',
      unit: 'workingDays',
      amount: 3,
      anchor: 'acceptanceDate',
      legalBasis: `${B57}第十五条`,
    },
    'dibao-info-check-start': {
      title: '县级启动家庭经济状况信息核对',
      unit: 'workingDays',
      amount: 3,
      anchor: 'requestDate',
      legalBasis: `${B57}第十七条`,
    },
    'dibao-publicity': {
      title: '低保初审意见在村（居）公示（7天）',
      unit: 'calendarDays',
      amount: 7,
      anchor: 'postingDate',
      legalBasis: `${B57}第十九条`,
    },
    'dibao-decision': {
      title: '县级民政部门审核确认（收到乡镇材料后）',
      unit: 'workingDays',
      amount: 10,
      anchor: 'receiptDate',
      legalBasis: `${B57}第二十条`,
    },
    'dibao-overall': {
      title: '低保审核确认总时限（自受理之日起）',
      unit: 'workingDays',
      amount: 30,
      anchor: 'acceptanceDate',
      legalBasis: `${B57}第二十二条`,
    },
    'dibao-overall-extended': {
      title: '低保审核确认总时限（特殊情况延长）',
      unit: 'workingDays',
      amount: 45,
      anchor: 'acceptanceDate',
      extends: 'dibao-overall',
      extensionApproval: '特殊情况（有异议、分户、跨地区申请、调查困难等）',
      legalBasis: `${B57}第二十二条`,
    },
    'tekun-investigation': {
      title: '特困供养申请受理后乡镇调查核实',
      unit: 'workingDays',
      amount: 15,
      anchor: 'acceptanceDate',
      legalBasis: `${BTK}第十三条`,
    },
    'tekun-publicity': {
      title: '特困人员认定初审意见公示（7天）',
      unit: 'calendarDays',
      amount: 7,
      anchor: 'postingDate',
      legalBasis: `${BTK}第十五条`,
    },
    'tekun-objection-review': {
      title: '特困公示有异议的重新调查并提出意见',
      unit: 'workingDays',
      amount: 15,
      anchor: 'receiptDate',
      legalBasis: `${BTK}第十五条`,
    },
    'tekun-decision': {
      title: '县级民政部门特困人员认定审核确认',
      unit: 'workingDays',
      amount: 15,
      anchor: 'receiptDate',
      legalBasis: `${BTK}第十六条`,
    },
    'tekun-reassessment': {
      title: '特困人员生活自理能力变化后重新评估',
      unit: 'workingDays',
      amount: 10,
      anchor: 'reportDate',
      legalBasis: `${BTK}第二十一条至第二十三条`,
    },
    'refusal-notice': {
      title: '不予批准的书面告知（作出决定后，通过乡镇送达）',
      unit: 'workingDays',
      amount: 3,
      anchor: 'decisionDate',
      legalBasis: `${B57}第二十一条；${BTK}第十八条`,
    },
    'tekun-termination-publicity': {
      title: '终止特困供养公示（7天）',
      unit: 'calendarDays',
      amount: 7,
      anchor: 'postingDate',
      legalBasis: `${BTK}第二十六条`,
    },
    'tekun-termination-objection': {
      title: '终止特困供养公示有异议的作出决定',
      unit: 'workingDays',
      amount: 15,
      anchor: 'receiptDate',
      legalBasis: `${BTK}第二十六条`,
    },
    'complaint-acceptance-notice': {
      title: '信访事项是否受理书面告知',
      unit: 'calendarDays',
      amount: 15,
      anchor: 'receiptDate',
      legalBasis: `${BXF}第二十三条`,
    },
    'complaint-handling': {
      title: '信访（申诉求决类）事项办结',
      unit: 'calendarDays',
      amount: 60,
      anchor: 'acceptanceDate',
      legalBasis: `${BXF}第三十四条`,
    },
    'complaint-handling-extended': {
      title: '信访事项办结（经批准延长30日）',
      unit: 'calendarDays',
      amount: 90,
      anchor: 'acceptanceDate',
      extends: 'complaint-handling',
      extensionApproval: '本机关单位负责人批准，并告知信访人延期理由',
      legalBasis: `${BXF}第三十四条`,
    },
    'complaint-close': COMPLAINT_CLOSE_RULE,
    'accusation-acceptance-notice': {
      title: '实名检举控告受理情况告知',
      unit: 'workingDays',
      amount: 15,
      anchor: 'receiptDate',
      legalBasis: '《纪检监察机关处理检举控告工作规则》（2020年）',
    },
    'clue-transfer': {
      title: '问题线索移交同级纪检监察机关',
      unit: 'workingDays',
      amount: 5,
      anchor: 'discoveryDate',
      origin: 'county',
      legalBasis: '工作方案要求“及时移交”，时限由本县确定',
    },
    'near-relative-approval': {
      title: '近亲属备案登记审核（入户调查后）',
      unit: 'workingDays',
      amount: 5,
      anchor: 'filingDate',
      origin: 'county',
      legalBasis: `${B57}第十一条、第二十条；时限由本县确定`,
    },
    'rectification-default': {
      title: '发现问题整改（默认时限）',
      unit: 'calendarDays',
      amount: 30,
      anchor: 'discoveryDate',
      origin: 'county',
      legalBasis: '整改时限由本县确定，可逐项调整',
    },
    // The seeds only say 及时退出 (R14): the number is the county's choice, the death review's 3 months
    // counted from the imprisonment date unless the county sets another.
    'prison-exit': {
      title: '服刑（在押）人员停发、减发或退出保障',
      unit: 'months',
      amount: 3,
      anchor: 'eventDate',
      inclusive: true,
      origin: 'county',
      legalBasis: '上级文件只要求“及时”退出（未规定天数），时限由本县确定；默认与死亡核查相同，自羁押或判决之日起 3 个月',
    },
  };
}

const PAYMENTS_BASIS =
  '《困难群众救助补助资金管理办法》；《关于进一步规范社会救助资金监管工作的意见》（晋民发〔2020〕30号）';

const payments: CountyPolicyInput['payments'] = {
  dibao: {
    months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    dayOfMonth: 10,
    inclusive: true,
    payee: 'household',
    legalBasis: `城乡低保金按月发放，每月10日前发放到户；${PAYMENTS_BASIS}`,
  },
  tekunDispersed: {
    months: [1, 4, 7, 10],
    dayOfMonth: 10,
    inclusive: true,
    payee: 'household',
    legalBasis: `分散供养特困人员救助供养金每季度初10日前发放到户；${PAYMENTS_BASIS}`,
  },
  tekunCentralized: {
    // The seeds give no date for centralized support; the quarterly schedule is a default (domain.md R8).
    months: [1, 4, 7, 10],
    dayOfMonth: 10,
    inclusive: true,
    payee: 'institution',
    legalBasis: `集中供养特困人员救助供养金统一支付到供养服务机构（日期为本县默认设置）；${PAYMENTS_BASIS}`,
  },
};

const reminders: CountyPolicyInput['reminders'] = { daysBefore: [7, 3, 1], sendAt: '09:00', onDueDay: true };

const escalation: CountyPolicyInput['escalation'] = [
  { level: 'assignee', afterHours: 0 },
  { level: 'unitHead', afterHours: 24 },
  { level: 'taskForceLeader', afterHours: 72 },
];

const commonLegalBasis = {
  dibao: B57,
  tekun: BTK,
  petitions: `${BXF}；《山西省民政厅关于进一步做好社会救助领域信访工作的通知》（晋民函〔2024〕20号）`,
  funds: PAYMENTS_BASIS,
  interimMeasures: '《社会救助暂行办法》（2014年，2019年修订）',
  deathReview: '《关于进一步做好最低生活保障等社会救助兜底保障工作的通知》（2022年10月）',
};

/** 文水县 (Wenshui, 吕梁市). */
export const wenshui: CountyPolicyInput = {
  version: 1,
  county: {
    code: 'wenshui',
    name: '文水县',
    city: '吕梁市',
    province: '山西省',
    bureau: '文水县民政局',
    documentNo: '文民发〔2024〕13号',
    documentTitle: '整治困难群众救助领域违法违纪问题实施方案',
  },
  timezone: 'Asia/Shanghai',
  campaign: {
    title: '困难群众救助领域违法违纪问题集中整治',
    window: { start: '2024-04-01', end: '2024-10-31' },
    phases: [
      { id: 'deployment', title: '部署阶段', ranges: [{ start: '2024-04-01', end: '2024-05-31' }] },
      { id: 'rectification', title: '整治阶段', ranges: [{ start: '2024-05-01', end: '2024-10-31' }] },
      {
        id: 'summary',
        title: '总结阶段',
        ranges: [
          { start: '2024-07-01', end: '2024-07-31' },
          { start: '2024-10-01', end: '2024-10-31' },
        ],
      },
    ],
  },
  taskForce: {
    leaderTitles: ['党组书记', '局长'],
    deputyTitles: [],
    office: '工作专班办公室（社会救助股）',
    firstResponsible: '各相关股室负责人',
  },
  deadlines: nationalRules(`文民发〔2024〕13号 二（四）；吕民发〔2023〕50号；${commonLegalBasis.deathReview}`),
  payments,
  progressReport: {
    cadence: 'weekly',
    weekday: 4, // 每周星期四上午
    everyWeeks: 1,
    reportingUnits: 'section',
    recipient: '工作专班办公室（社会救助股）',
    inclusive: true,
    cutoffTime: '12:00',
    // A Thursday in a statutory holiday (2024: 4 April, 2 May, 3 October) moves to the next working day
    // (民法典 Art. 203); the prompt names the original day. 'keep' reads the plan literally.
    ifNonWorkingDay: 'nextWorkingDay',
    legalBasis: '文民发〔2024〕13号 四（七）：各相关股室每周星期四上午报送',
  },
  villageMonthlyChain: { enabled: false },
  phaseSummaries: [
    {
      id: 'phase',
      title: '阶段性整治进展情况',
      due: '2024-07-10',
      inclusive: true,
      submittedBy: '工作专班办公室（社会救助股）',
      recipient: '上级部门',
    },
    {
      id: 'final',
      title: '重点问题整治工作情况总结',
      due: '2024-10-10',
      inclusive: true,
      submittedBy: '工作专班办公室（社会救助股）',
      recipient: '上级部门',
    },
  ],
  reminders,
  escalation,
  focusItems: [
    {
      code: 'W1',
      title: '低保金未发放、少发放、骗取套取、挤占挪用、贪污侵占问题',
      subtypes: [
        { code: 'W1a', title: '低保金未发放' },
        { code: 'W1b', title: '低保金少发放' },
        { code: 'W1c', title: '骗取套取' },
        { code: 'W1d', title: '挤占挪用' },
        { code: 'W1e', title: '贪污侵占' },
      ],
    },
    {
      code: 'W2',
      title: '为不符合条件人员违规办理城乡低保待遇、为服刑和死亡人员超期发放救助补助资金问题',
      subtypes: [
        { code: 'W2a', title: '为不符合条件人员违规办理城乡低保待遇' },
        { code: 'W2b', title: '为服刑人员超期发放救助补助资金' },
        { code: 'W2c', title: '为死亡人员超期发放救助补助资金' },
      ],
    },
    {
      code: 'W3',
      title: '困难群众救助领域相关职能部门不作为、乱作为、假作为等形式主义、官僚主义问题',
      subtypes: [
        { code: 'W3a', title: '不作为' },
        { code: 'W3b', title: '乱作为' },
        { code: 'W3c', title: '假作为' },
      ],
    },
    { code: 'W4', title: '影响困难群众救助的其他违法违纪问题' },
  ],
  nearRelatives: {
    enabled: true,
    explicitInSeed: false,
    relations: DEFAULT_NEAR_RELATIONS,
    countyHomeVisitRequired: true,
    legalBasis: `${B57}第十一条、第二十条（本县方案未单列，按全国办法执行）`,
  },
  specialGroups: {
    groups: ['deceased', 'prisoner'],
    screening: { frequency: 'monthly', dayOfMonth: 25 },
    legalBasis: '《关于强化最低生活保障等社会救助兜底保障工作的通知》（吕民发〔2023〕50号）',
  },
  legalBasis: {
    ...commonLegalBasis,
    campaign: '文民发〔2024〕13号',
    superior: '吕民发〔2024〕16号',
    specialGroups: '吕民发〔2023〕50号',
  },
};

/** 长子县 (Zhangzi, 长治市). */
export const zhangzi: CountyPolicyInput = {
  version: 1,
  county: {
    code: 'zhangzi',
    name: '长子县',
    city: '长治市',
    province: '山西省',
    bureau: '长子县民政局',
    documentNo: '长子民发〔2024〕26号',
    documentTitle: '推进“听民意办实事”项目工作实施方案',
  },
  timezone: 'Asia/Shanghai',
  campaign: {
    title: '推进“听民意办实事”项目（低保“关系保”“人情保”及不精准问题集中整治）',
    window: { start: '2024-04-01', end: '2024-10-31' },
    phases: [
      { id: 'deployment', title: '部署阶段', ranges: [{ start: '2024-04-01', end: '2024-04-30' }] },
      { id: 'rectification', title: '整治阶段', ranges: [{ start: '2024-04-01', end: '2024-10-31' }] },
      { id: 'summary', title: '总结阶段', ranges: [{ start: '2024-07-01', end: '2024-10-31' }] },
    ],
  },
  taskForce: {
    leaderTitles: ['局长'],
    deputyTitles: ['分管领导'],
    office: '工作专班办公室（社会救助股）',
    firstResponsible: '各乡镇（服务中心）主要负责人',
  },
  deadlines: nationalRules(`长子民发〔2024〕26号 三（五）；晋民发〔2023〕31号；${commonLegalBasis.deathReview}`),
  payments,
  // §五(八) fixes a biweekly report on the 14th and 29th; §五(一) and Attachment 1 say
  // "weekly". Switch to { cadence: 'weekly', weekday: N } if the county decides so.
  progressReport: {
    cadence: 'monthlyDays',
    daysOfMonth: [14, 29],
    reportingUnits: 'township',
    recipient: '工作专班办公室（社会救助股）',
    firstDue: '2024-05-14',
    inclusive: true,
    cutoffTime: null,
    ifNonWorkingDay: 'keep',
    legalBasis: '长子民发〔2024〕26号 五（八）：双周报，每月14日、29日前报送，首次报送时间为5月14日前',
  },
  villageMonthlyChain: {
    enabled: true,
    villageDay: 20,
    townshipDay: 25,
    inclusive: true,
    ifNonWorkingDay: 'keep',
    items: ['就业', '收入', '大额消费', '受灾', '大病', '丧葬'],
    legalBasis: '长子民发〔2024〕26号 三（四）：村（居）委会每月20日前报乡镇，乡镇每月25日前报县民政局',
  },
  phaseSummaries: [
    {
      id: 'phase',
      title: '阶段性整治进展情况',
      due: '2024-07-14',
      inclusive: true,
      submittedBy: '各乡镇（服务中心）',
      recipient: '工作专班',
    },
    {
      id: 'final',
      title: '重点问题整治工作情况总结',
      due: '2024-10-14',
      inclusive: true,
      submittedBy: '各乡镇（服务中心）',
      recipient: '工作专班',
    },
  ],
  reminders,
  escalation: [
    { level: 'assignee', afterHours: 0 },
    { level: 'unitHead', afterHours: 24 },
    { level: 'taskForceDeputy', afterHours: 48 },
    { level: 'taskForceLeader', afterHours: 72 },
  ],
  focusItems: [
    {
      code: 'Z1',
      title: '社会救助申请、审核、确认过程中吃拿卡要、暗箱操作、优亲厚友等违规违纪行为（“关系保”“人情保”）',
      subtypes: [
        { code: 'Z1a', title: '吃拿卡要' },
        { code: 'Z1b', title: '暗箱操作' },
        { code: 'Z1c', title: '优亲厚友（关系保、人情保）' },
      ],
    },
    {
      code: 'Z2',
      title: '低保、特困供养等社会救助资金未及时足额发放等不精准问题',
      subtypes: [
        { code: 'Z2a', title: '未及时发放' },
        { code: 'Z2b', title: '未足额发放' },
      ],
    },
    {
      code: 'Z3',
      title: '为服刑和死亡人员超期发放救助补助资金等不精准问题',
      subtypes: [
        { code: 'Z3a', title: '为服刑人员超期发放' },
        { code: 'Z3b', title: '为死亡人员超期发放' },
      ],
    },
    {
      code: 'Z4',
      title: '对低保、特困等救助申请不按规定受理、超时限办理、未书面告知等不精准问题',
      subtypes: [
        { code: 'Z4a', title: '不按规定受理' },
        { code: 'Z4b', title: '超时限办理' },
        { code: 'Z4c', title: '未书面告知' },
      ],
    },
    { code: 'Z5', title: '低保救助资金发放中存在的其他违纪违法问题' },
  ],
  nearRelatives: {
    enabled: true,
    explicitInSeed: true,
    relations: DEFAULT_NEAR_RELATIONS,
    countyHomeVisitRequired: true,
    legalBasis: `长子民发〔2024〕26号 三（二）；${B57}第十一条、第二十条`,
  },
  specialGroups: {
    groups: ['deceased', 'prisoner', 'newSeverelyDisabled', 'newMonitored'],
    screening: { frequency: 'monthly', dayOfMonth: 25 },
    legalBasis: '《关于强化最低生活保障等社会救助兜底保障工作的通知》（晋民发〔2023〕31号）',
  },
  legalBasis: {
    ...commonLegalBasis,
    campaign: '长子民发〔2024〕26号',
    countyDibaoRules: '《长子县最低生活保障对象审核确认实施办法》',
    countyTekunRules: '《长子县特困人员认定实施办法》',
    cityMeasures: '《长治市强化兜底保障助力乡村振兴十条措施》',
    specialGroups: '晋民发〔2023〕31号',
  },
};
