/**
 * County policy (县级工作方案配置): everything that differs between counties or
 * that a county may tune, validated with zod. A policy is a plain object, so it
 * can live in YAML, travel as Temporal workflow input and be diffed in review.
 *
 * Sources: domain.md §1 (seeds W = 文民发〔2024〕13号, Z = 长子民发〔2024〕26号)
 * and §2 (national rules). Presets live in presets.ts.
 */
import { z } from 'zod';
import { isValidLocalDate } from '../time/local-date.js';
import { isValidTimeOfDay } from '../time/instants.js';
import { STAFF_ROLES } from '../roles.js';

// ---------------------------------------------------------------- primitives

export const localDateSchema = z
  .string({ error: '日期必须写成 "YYYY-MM-DD" 字符串' })
  .refine(isValidLocalDate, { error: (iss) => `日期无效：“${String(iss.input)}”，应为 YYYY-MM-DD 格式的真实日期` });

export const timeOfDaySchema = z
  .string({ error: '时间必须写成 "HH:mm" 字符串' })
  .refine(isValidTimeOfDay, { error: (iss) => `时间无效：“${String(iss.input)}”，应为 HH:mm（00:00–23:59）` });

const dayOfMonthSchema = z
  .number({ error: '日必须是数字' })
  .int({ error: '日必须是整数' })
  .min(1, { error: '日不能小于 1' })
  .max(31, { error: '日不能大于 31' });

const monthSchema = z
  .number({ error: '月份必须是数字' })
  .int({ error: '月份必须是整数' })
  .min(1, { error: '月份不能小于 1' })
  .max(12, { error: '月份不能大于 12' });

const nonEmpty = (what: string) =>
  z
    .string({ error: (iss) => (iss.input === undefined ? `缺少${what}` : `${what}必须是文字`) })
    .trim()
    .min(1, { error: `${what}不能为空` });

export const dateRangeSchema = z
  .strictObject({ start: localDateSchema, end: localDateSchema })
  .refine((r) => r.start <= r.end, { error: '结束日期不能早于开始日期' });
export type DateRange = z.infer<typeof dateRangeSchema>;

/**
 * What to do when a computed due date is not a working day.
 * - keep: the date stands (strict, literal reading of the seeds; preset default).
 * - nextWorkingDay: move to the next working day (民法典 Art. 203, "期间的最后一日是
 *   法定休假日的，以法定休假日结束的次日为期间的最后一日").
 * - previousWorkingDay: move earlier ("前" read as "before the office closes").
 */
export const nonWorkingDayRuleSchema = z.enum(['keep', 'nextWorkingDay', 'previousWorkingDay'], {
  error: 'ifNonWorkingDay 只能是 keep、nextWorkingDay 或 previousWorkingDay',
});
export type NonWorkingDayRule = z.infer<typeof nonWorkingDayRuleSchema>;

// ---------------------------------------------------------------- deadline rules

export const DEADLINE_UNITS = ['calendarDays', 'workingDays', 'months'] as const;
export const deadlineUnitSchema = z.enum(DEADLINE_UNITS, {
  error: '期限单位 unit 只能是 calendarDays（自然日）、workingDays（工作日）或 months（月）',
});

/** The event the clock starts from. The anchor day itself never counts. */
export const DEADLINE_ANCHORS = {
  eventDate: '事件发生之日（如死亡、服刑之日）',
  acceptanceDate: '受理之日',
  requestDate: '提出请求之日',
  receiptDate: '收到材料之日',
  postingDate: '公示张贴之日',
  decisionDate: '作出决定之日',
  discoveryDate: '发现问题之日',
  filingDate: '备案登记之日',
  reportDate: '报告之日',
  closureDate: '办结之日',
  feedbackDate: '反馈办理结果之日',
  periodStart: '周期开始之日',
} as const;
export type DeadlineAnchor = keyof typeof DEADLINE_ANCHORS;
export const deadlineAnchorSchema = z.enum(Object.keys(DEADLINE_ANCHORS) as [DeadlineAnchor, ...DeadlineAnchor[]], {
  error: `起算点 anchor 只能是：${Object.keys(DEADLINE_ANCHORS).join('、')}`,
});

export const deadlineRuleSchema = z.strictObject({
  /** Short Chinese title shown to staff. */
  title: nonEmpty('规则名称 title'),
  unit: deadlineUnitSchema,
  amount: z
    .number({ error: '期限数量 amount 必须是数字' })
    .int({ error: '期限数量 amount 必须是整数' })
    .min(0, { error: '期限数量 amount 不能为负数' })
    .max(3660, { error: '期限数量 amount 过大' }),
  anchor: deadlineAnchorSchema,
  /** Is the last day itself still on time? (≤ vs <). */
  inclusive: z.boolean({ error: 'inclusive 必须是 true 或 false' }).default(true),
  ifNonWorkingDay: nonWorkingDayRuleSchema.default('keep'),
  /** Where the number comes from (article, document). */
  legalBasis: z.string().trim().default(''),
  /**
   * statutory: fixed by a national rule or a seed; county: chosen locally
   * (the source only says "及时" or gives nothing).
   */
  origin: z.enum(['statutory', 'county'], { error: 'origin 只能是 statutory 或 county' }).default('statutory'),
  /** For an extended limit, the id of the normal rule it replaces (dibao-overall-extended → dibao-overall). */
  extends: z.string().optional(),
  /** Who must approve the extension. */
  extensionApproval: z.string().optional(),
});
export type DeadlineRule = z.output<typeof deadlineRuleSchema>;
export type DeadlineRuleInput = z.input<typeof deadlineRuleSchema>;

/** Rule ids the workflows rely on: every policy must define them. */
export const REQUIRED_RULE_IDS = [
  'death-review',
  'dibao-investigation-start',
  'dibao-publicity',
  'dibao-decision',
  'dibao-overall',
  'dibao-overall-extended',
  'tekun-investigation',
  'tekun-decision',
  'refusal-notice',
  'tekun-termination-publicity',
  'complaint-acceptance-notice',
  'complaint-handling',
  'complaint-handling-extended',
  'clue-transfer',
  'near-relative-approval',
  'rectification-default',
] as const;
export type RequiredRuleId = (typeof REQUIRED_RULE_IDS)[number];

const ruleIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, { error: '规则编号须为小写字母、数字和连字符（如 death-review）' });

// ---------------------------------------------------------------- near relatives

/** Staff roles (StaffRole codes) a policy may list in nearRelatives.staffRoles. */
export const NEAR_RELATIVE_ROLE_CHOICES = STAFF_ROLES;

/**
 * The default: 村(居)委会成员, the case workers (经办人), the township and section heads who supervise
 * review, the 专班办公室 (seated in 社会救助股) and the 专班组长/副组长 (the bureau's leaders, who
 * approve) — 2012 试行办法 Art. 14: "county and township staff who handle or supervise acceptance,
 * review or approval" are 低保经办人员.
 */
export const DEFAULT_NEAR_RELATIVE_STAFF_ROLES = [
  'VILLAGE_COMMITTEE',
  'TOWNSHIP_CASEWORKER',
  'SECTION_CASEWORKER',
  'TOWNSHIP_HEAD',
  'SECTION_HEAD',
  'TASKFORCE_OFFICE',
  'TASKFORCE_LEADER',
] as const satisfies ReadonlyArray<(typeof NEAR_RELATIVE_ROLE_CHOICES)[number]>;

// ---------------------------------------------------------------- payments

const paymentScheduleSchema = z.strictObject({
  /** Months in which a payment falls due: all 12 for monthly, [1,4,7,10] for quarterly. */
  months: z
    .array(monthSchema)
    .min(1, { error: '至少需要一个发放月份' })
    .refine((a) => new Set(a).size === a.length, { error: '发放月份不能重复' })
    .transform((a) => [...a].sort((x, y) => x - y)),
  /** "每月10日前" → 10. */
  dayOfMonth: dayOfMonthSchema,
  /** "10日前" read as ≤ 10th (true, default) or < 10th (false). */
  inclusive: z.boolean({ error: 'inclusive 必须是 true 或 false' }),
  ifNonWorkingDay: nonWorkingDayRuleSchema.default('keep'),
  /** Who receives the money. */
  payee: z.enum(['household', 'institution'], { error: 'payee 只能是 household 或 institution' }),
  legalBasis: z.string().trim().default(''),
});
export type PaymentSchedule = z.output<typeof paymentScheduleSchema>;

export const PAYMENT_KINDS = ['dibao', 'tekunDispersed', 'tekunCentralized'] as const;
export type PaymentKind = (typeof PAYMENT_KINDS)[number];
export const PAYMENT_KIND_LABELS: Record<PaymentKind, string> = {
  dibao: '城乡低保金',
  tekunDispersed: '分散供养特困人员救助供养金',
  tekunCentralized: '集中供养特困人员救助供养金',
};

// ---------------------------------------------------------------- progress reports

const reportingUnitKindSchema = z.enum(['section', 'township'], {
  error: 'reportingUnits 只能是 section（股室）或 township（乡镇/服务中心）',
});

const progressReportCommon = {
  reportingUnits: reportingUnitKindSchema,
  /** Receiving body, e.g. 工作专班办公室（社会救助股）. */
  recipient: nonEmpty('接收单位 recipient'),
  /** First due date; default: the first matching day on or after the campaign start. */
  firstDue: localDateSchema.optional(),
  /** "on the 14th" is on time (true) or must be before the 14th (false). Ignored with a cut-off time. */
  inclusive: z.boolean({ error: 'inclusive 必须是 true 或 false' }).default(true),
  /** A cut-off time on the due day ('12:00' for "星期四上午"); null = end of day. */
  cutoffTime: timeOfDaySchema.nullable().default(null),
  ifNonWorkingDay: nonWorkingDayRuleSchema.default('keep'),
  legalBasis: z.string().trim().default(''),
};

export const progressReportSchema = z.discriminatedUnion(
  'cadence',
  [
    z.strictObject({
      cadence: z.literal('weekly'),
      /** ISO weekday 1 = Monday … 7 = Sunday (4 = Thursday). */
      weekday: z
        .number({ error: 'weekday 必须是数字' })
        .int({ error: 'weekday 必须是整数' })
        .min(1, { error: 'weekday 取值 1（周一）到 7（周日）' })
        .max(7, { error: 'weekday 取值 1（周一）到 7（周日）' }),
      /** 1 = every week, 2 = every other week. */
      everyWeeks: z.number().int().min(1, { error: 'everyWeeks 至少为 1' }).max(4, { error: 'everyWeeks 最多为 4' }).default(1),
      ...progressReportCommon,
    }),
    z.strictObject({
      cadence: z.literal('monthlyDays'),
      /** Days of the month, e.g. [14, 29]. A day missing in a short month becomes its last day. */
      daysOfMonth: z
        .array(dayOfMonthSchema)
        .min(1, { error: '至少需要一个报送日' })
        .refine((a) => new Set(a).size === a.length, { error: '报送日不能重复' })
        .transform((a) => [...a].sort((x, y) => x - y)),
      ...progressReportCommon,
    }),
  ],
  { error: '报送周期 cadence 只能是 weekly（每周）或 monthlyDays（每月固定日）' },
);
export type ProgressReportCadence = z.output<typeof progressReportSchema>;

// ---------------------------------------------------------------- village chain

export const villageChainSchema = z.discriminatedUnion(
  'enabled',
  [
    z.strictObject({ enabled: z.literal(false) }),
    z.strictObject({
      enabled: z.literal(true),
      /** Village (村(居)委会) reports to the township by this day. */
      villageDay: dayOfMonthSchema,
      /** Township reports to the county bureau by this day. */
      townshipDay: dayOfMonthSchema,
      inclusive: z.boolean().default(true),
      ifNonWorkingDay: nonWorkingDayRuleSchema.default('keep'),
      /** Matters the village reports. */
      items: z.array(nonEmpty('报告事项')).default([]),
      legalBasis: z.string().trim().default(''),
    }),
  ],
  { error: '月报告链 villageMonthlyChain.enabled 必须是 true 或 false' },
);
export type VillageChain = z.output<typeof villageChainSchema>;

// ---------------------------------------------------------------- misc sections

export const phaseSummarySchema = z.strictObject({
  id: nonEmpty('编号 id'),
  title: nonEmpty('名称 title'),
  due: localDateSchema,
  inclusive: z.boolean().default(true),
  /** Who compiles it (e.g. 专班办公室 or each township). */
  submittedBy: nonEmpty('报送单位 submittedBy'),
  /** Who receives it. */
  recipient: nonEmpty('接收单位 recipient'),
  /** A due day on a statutory holiday or rest day moves to the next working day unless 'keep' (民法典 Art. 203). */
  ifNonWorkingDay: nonWorkingDayRuleSchema.default('nextWorkingDay'),
});
export type PhaseSummary = z.output<typeof phaseSummarySchema>;

export const phaseSchema = z.strictObject({
  id: z.enum(['deployment', 'rectification', 'summary'], { error: '阶段 id 只能是 deployment、rectification 或 summary' }),
  title: nonEmpty('阶段名称 title'),
  ranges: z.array(dateRangeSchema).min(1, { error: '每个阶段至少需要一个时间段' }),
});

export const ESCALATION_LEVELS = {
  assignee: '经办人',
  unitHead: '股室/乡镇负责人',
  taskForceOffice: '工作专班办公室',
  taskForceDeputy: '工作专班副组长',
  taskForceLeader: '工作专班组长',
} as const;
export type EscalationLevel = keyof typeof ESCALATION_LEVELS;

export const escalationStepSchema = z.strictObject({
  level: z.enum(Object.keys(ESCALATION_LEVELS) as [EscalationLevel, ...EscalationLevel[]], {
    error: `升级对象 level 只能是：${Object.keys(ESCALATION_LEVELS).join('、')}`,
  }),
  /** Hours after the deadline expired (0 = at expiry). */
  afterHours: z.number().int().min(0, { error: 'afterHours 不能为负数' }),
});

export const focusItemSchema = z.strictObject({
  code: nonEmpty('编号 code'),
  title: nonEmpty('名称 title'),
  /** Finer violation types for case records. */
  subtypes: z.array(z.strictObject({ code: nonEmpty('编号 code'), title: nonEmpty('名称 title') })).default([]),
});
export type FocusItem = z.output<typeof focusItemSchema>;

/** Relations a near-relative (近亲属) filing can name. The default 8 are 2012 试行办法 Art. 14. */
export const RELATIONS = {
  spouse: '配偶',
  parent: '父母',
  child: '子女',
  sibling: '兄弟姐妹',
  paternalGrandparent: '祖父母',
  maternalGrandparent: '外祖父母',
  grandchildViaSon: '孙子女',
  grandchildViaDaughter: '外孙子女',
  // Provincial extensions (e.g. Guyuan 2022, Hainan 2015):
  spouseParent: '配偶的父母',
  spouseSibling: '配偶的兄弟姐妹',
  childSpouse: '子女的配偶',
  parentSibling: '伯叔姑舅姨',
  siblingSpouse: '兄弟姐妹的配偶',
  niblings: '侄子女、外甥子女',
  stepOrAdoptive: '继父母、养父母、继子女、养子女',
  guardian: '监护人',
} as const;
export type Relation = keyof typeof RELATIONS;
export const DEFAULT_NEAR_RELATIONS: Relation[] = [
  'spouse',
  'parent',
  'child',
  'sibling',
  'paternalGrandparent',
  'maternalGrandparent',
  'grandchildViaSon',
  'grandchildViaDaughter',
];
export const relationSchema = z.enum(Object.keys(RELATIONS) as [Relation, ...Relation[]], {
  error: `亲属关系只能是：${Object.keys(RELATIONS).join('、')}`,
});

/**
 * What a finding (数据比对问题线索) or an imported record opens by itself ("data becomes work"):
 * a death review (死亡核查) for the township caseworker, a prisoner exit (服刑人员退出), a rectification
 * item (整改清单事项) for the township with the 'rectification-default' deadline, a request to the staff
 * member named by the finding to file (近亲属备案), or nothing.
 */
export const FINDING_WORK = {
  deathReview: '开启死亡核查',
  prisonExit: '开启服刑人员退出核查',
  rectification: '列入整改清单（乡镇整改）',
  askFiling: '通知该工作人员办理近亲属备案',
  none: '不自动开启工作',
} as const;
export type FindingWork = keyof typeof FINDING_WORK;
const findingWorkSchema = (allowed: readonly FindingWork[], fallback: FindingWork) =>
  z
    .enum(allowed as [FindingWork, ...FindingWork[]], { error: `只能是：${allowed.map((w) => `${w}（${FINDING_WORK[w]}）`).join('、')}` })
    .default(fallback);

/** Defaults of `findingWork` (issue 13): each kind opens what the campaign plans ask for. */
export const findingWorkPolicySchema = z.strictObject({
  /** Finding kinds (domain/matching/kinds.ts). */
  paid_after_death: findingWorkSchema(['deathReview', 'rectification', 'none'], 'deathReview'),
  death_review_overdue: findingWorkSchema(['deathReview', 'rectification', 'none'], 'deathReview'),
  paid_in_prison: findingWorkSchema(['prisonExit', 'rectification', 'none'], 'prisonExit'),
  duplicate_enrolment: findingWorkSchema(['rectification', 'none'], 'rectification'),
  payment_missing: findingWorkSchema(['rectification', 'none'], 'rectification'),
  payment_late: findingWorkSchema(['rectification', 'none'], 'rectification'),
  payment_short: findingWorkSchema(['rectification', 'none'], 'rectification'),
  payment_wrong_payee: findingWorkSchema(['rectification', 'none'], 'rectification'),
  undeclared_near_relative: findingWorkSchema(['askFiling', 'none'], 'askFiling'),
  /** An imported death (死亡名单) of a member of an enrolled household. */
  deathRecord: findingWorkSchema(['deathReview', 'none'], 'deathReview'),
  /** An imported custody (服刑名单) of a member of an enrolled household. */
  prisonRecord: findingWorkSchema(['prisonExit', 'none'], 'prisonExit'),
});
export type FindingWorkPolicy = z.output<typeof findingWorkPolicySchema>;

export const SPECIAL_GROUPS = {
  deceased: '死亡人员',
  prisoner: '服刑（在押）人员',
  newSeverelyDisabled: '新增重残人员',
  newMonitored: '新增监测对象',
} as const;
export type SpecialGroup = keyof typeof SPECIAL_GROUPS;

// ---------------------------------------------------------------- the policy

export const countyPolicySchema = z
  .strictObject({
    /** Format version of the policy object. */
    version: z.literal(1, { error: '配置版本 version 必须为 1' }),
    county: z.strictObject({
      code: z.string().regex(/^[a-z][a-z0-9-]*$/, { error: '县代码 code 须为小写字母（如 wenshui）' }),
      name: nonEmpty('县名 name'),
      city: nonEmpty('市名 city'),
      province: nonEmpty('省名 province'),
      bureau: nonEmpty('民政局名称 bureau'),
      /** The seed document (文号) and its title. */
      documentNo: nonEmpty('文号 documentNo'),
      documentTitle: nonEmpty('文件标题 documentTitle'),
      /** Administrative division code (行政区划代码), if known. */
      divisionCode: z.string().regex(/^\d{6}$/, { error: '行政区划代码须为 6 位数字' }).optional(),
    }),
    timezone: z.literal('Asia/Shanghai', { error: '时区只能是 Asia/Shanghai' }).default('Asia/Shanghai'),
    campaign: z.strictObject({
      title: nonEmpty('专项行动名称 title'),
      window: dateRangeSchema,
      phases: z.array(phaseSchema).default([]),
    }),
    taskForce: z.strictObject({
      /** Titles, not names: people live in staff records. */
      leaderTitles: z.array(nonEmpty('职务')).min(1, { error: '至少需要一名工作专班组长' }),
      deputyTitles: z.array(nonEmpty('职务')).default([]),
      office: nonEmpty('专班办公室 office'),
      /** Who is "first responsible person" (第一责任人) of a reporting unit. */
      firstResponsible: nonEmpty('第一责任人 firstResponsible'),
    }),
    deadlines: z.record(ruleIdSchema, deadlineRuleSchema),
    payments: z.strictObject({
      dibao: paymentScheduleSchema,
      tekunDispersed: paymentScheduleSchema,
      tekunCentralized: paymentScheduleSchema,
    }),
    /**
     * The first month an enrolment is due to be paid: the month after its approval (57号 Art. 21, 自批准
     * 次月起发放; the default) or, where the province pays from it, the approval month itself.
     */
    paymentDueFrom: z
      .enum(['next-month', 'approval-month'], { error: 'paymentDueFrom 只能是 next-month（批准次月起）或 approval-month（批准当月起）' })
      .default('next-month'),
    progressReport: progressReportSchema,
    villageMonthlyChain: villageChainSchema,
    phaseSummaries: z.array(phaseSummarySchema).default([]),
    reminders: z.strictObject({
      /** Calendar days before the last on-time day when reminders go out, e.g. [7, 3, 1]. */
      daysBefore: z
        .array(z.number().int().min(0, { error: '提醒天数不能为负数' }).max(90, { error: '提醒天数不能超过 90' }))
        .refine((a) => new Set(a).size === a.length, { error: '提醒天数不能重复' })
        .transform((a) => [...a].sort((x, y) => y - x)),
      /** Local time of day the reminders are sent. */
      sendAt: timeOfDaySchema.default('09:00'),
      /** Also remind on the due day itself. */
      onDueDay: z.boolean().default(true),
    }),
    escalation: z
      .array(escalationStepSchema)
      .min(1, { error: '升级链至少需要一级' })
      .refine((a) => a.every((s, i) => i === 0 || s.afterHours > a[i - 1]!.afterHours), {
        error: '升级链各级的 afterHours 必须逐级递增',
      }),
    focusItems: z
      .array(focusItemSchema)
      .min(1, { error: '至少需要一个整治重点' })
      .refine((a) => new Set(a.map((f) => f.code)).size === a.length, { error: '整治重点编号 code 不能重复' }),
    nearRelatives: z.strictObject({
      enabled: z.boolean(),
      /** Stated in the county's own document (Z) or only via 57号 (W). */
      explicitInSeed: z.boolean(),
      relations: z
        .array(relationSchema)
        .min(1, { error: '近亲属关系至少一项' })
        .refine((a) => new Set(a).size === a.length, { error: '近亲属关系不能重复' }),
      /** County home visit for every separately registered application (57号 Art. 20). */
      countyHomeVisitRequired: z.boolean().default(true),
      /**
       * Staff roles whose near relatives need a filing: everyone who handles or supervises acceptance,
       * review or approval (the 2012 definition of 低保经办人员), the 专班组长/副组长 who approve and the
       * 专班办公室 included.
       */
      staffRoles: z
        .array(z.enum(NEAR_RELATIVE_ROLE_CHOICES, { error: `staffRoles 只能是：${NEAR_RELATIVE_ROLE_CHOICES.join('、')}` }))
        .min(1, { error: '近亲属备案的人员角色至少一项' })
        .refine((a) => new Set(a).size === a.length, { error: '近亲属备案的人员角色不能重复' })
        .default([...DEFAULT_NEAR_RELATIVE_STAFF_ROLES]),
      legalBasis: z.string().trim().default(''),
    }),
    specialGroups: z.strictObject({
      groups: z
        .array(z.enum(Object.keys(SPECIAL_GROUPS) as [SpecialGroup, ...SpecialGroup[]], { error: `特殊群体只能是：${Object.keys(SPECIAL_GROUPS).join('、')}` }))
        .min(1, { error: '至少需要一个特殊群体' }),
      /** "定期排查": the seeds give no frequency. */
      screening: z.strictObject({
        frequency: z.enum(['monthly', 'quarterly'], { error: '排查频率只能是 monthly 或 quarterly' }),
        dayOfMonth: dayOfMonthSchema,
      }),
      legalBasis: nonEmpty('特殊群体排查依据 legalBasis'),
    }),
    /** Named legal bases shown in reports and messages. */
    legalBasis: z.record(z.string(), nonEmpty('依据')),
    /** What findings and imported records open by themselves (every key has its default). */
    findingWork: findingWorkPolicySchema.prefault({}),
  })
  .superRefine((p, ctx) => {
    for (const id of REQUIRED_RULE_IDS) {
      if (!p.deadlines[id]) {
        ctx.addIssue({ code: 'custom', path: ['deadlines', id], message: `缺少必需的期限规则 ${id}` });
      }
    }
    for (const [id, rule] of Object.entries(p.deadlines)) {
      if (rule.extends !== undefined) {
        const base = p.deadlines[rule.extends];
        if (!base) {
          ctx.addIssue({ code: 'custom', path: ['deadlines', id, 'extends'], message: `所延长的规则 ${rule.extends} 不存在` });
        } else {
          if (base.unit !== rule.unit || base.anchor !== rule.anchor) {
            ctx.addIssue({ code: 'custom', path: ['deadlines', id], message: `延长规则须与 ${rule.extends} 的单位和起算点相同` });
          } else if (rule.amount < base.amount) {
            ctx.addIssue({ code: 'custom', path: ['deadlines', id, 'amount'], message: `延长后的期限不能短于 ${rule.extends} 的 ${base.amount}` });
          }
        }
      }
    }
    const w = p.campaign.window;
    const inWindow = (d: string) => d >= w.start && d <= w.end;
    p.phaseSummaries.forEach((s, i) => {
      if (!inWindow(s.due)) {
        ctx.addIssue({ code: 'custom', path: ['phaseSummaries', i, 'due'], message: `总结报送日期 ${s.due} 不在专项行动期间（${w.start}至${w.end}）内` });
      }
    });
    const first = p.progressReport.firstDue;
    if (first !== undefined && !inWindow(first)) {
      ctx.addIssue({ code: 'custom', path: ['progressReport', 'firstDue'], message: `首次报送日期 ${first} 不在专项行动期间（${w.start}至${w.end}）内` });
    }
    const chain = p.villageMonthlyChain;
    if (chain.enabled && chain.villageDay >= chain.townshipDay) {
      ctx.addIssue({ code: 'custom', path: ['villageMonthlyChain', 'townshipDay'], message: '乡镇上报日必须晚于村（居）委会报告日' });
    }
  });

export type CountyPolicy = z.output<typeof countyPolicySchema>;
/** The shape a YAML file or preset is written in (defaults may be omitted). */
export type CountyPolicyInput = z.input<typeof countyPolicySchema>;
