/**
 * The nine kinds of finding the cross-matching (数据比对) produces, with their
 * Chinese labels, descriptions and legal basis. Pure data.
 */
import { STAFF_ROLE_LABELS as STAFF_ROLE_LABELS_BY_ROLE } from '../import/vocabulary.js';
import { DEFAULT_NEAR_RELATIVE_STAFF_ROLES } from '../policy/schema.js';
import type { PaymentKind } from '../policy/schema.js';

/** Same values, same order as the `FindingKind` enum of the database. */
export const FINDING_KINDS = [
  'paid_after_death',
  'paid_in_prison',
  'death_review_overdue',
  'duplicate_enrolment',
  'payment_missing',
  'payment_late',
  'payment_short',
  'payment_wrong_payee',
  'undeclared_near_relative',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface FindingKindInfo {
  /** Short label for tables (≤ 8 characters). */
  label: string;
  /** One sentence: what the rule checks. */
  description: string;
  /** What the amount means, or null when the kind has no amount. */
  amountMeaning: string | null;
  /** Where the rule comes from (domain.md requirement numbers and documents). */
  basis: string;
}

export const FINDING_KIND_INFO: Record<FindingKind, FindingKindInfo> = {
  paid_after_death: {
    label: '死亡后仍发放',
    description: '死亡人员超期发放：死亡当月之后的月份仍有发放记录（多人户按整笔计，应重新核定家庭保障金额）',
    amountMeaning: '超发金额（季度发放按死亡后的月数折算）',
    basis: '两县实施方案“为服刑和死亡人员超期发放”；domain.md R4、R5、R14',
  },
  paid_in_prison: {
    label: '服刑期间仍发放',
    description: '服刑（在押）人员超期发放：羁押当月之后至释放当月仍有发放记录',
    amountMeaning: '超发金额（季度发放按服刑期间的月数折算）',
    basis: '《最低生活保障审核确认办法》第七条；《特困人员认定办法》第二十四条；domain.md R14',
  },
  death_review_overdue: {
    label: '死亡核查逾期',
    description: '保障对象死亡后，未在规定期限（自死亡之日起3个月）内办结家庭状况核查',
    amountMeaning: null,
    basis: '《关于进一步做好最低生活保障等社会救助兜底保障工作的通知》（2022年10月）；domain.md R13',
  },
  duplicate_enrolment: {
    label: '重复享受',
    description: '同一身份证号同时在两个以上在保家庭中，或同一家庭同时享受两种以上救助（如低保与特困）',
    amountMeaning: null,
    basis: '《社会救助暂行办法》；domain.md R4(b)',
  },
  payment_missing: {
    label: '未发放',
    description: '已过发放期限，无发放记录或发放记录未标明发放日期',
    amountMeaning: '应发未发金额',
    basis: '每月10日前发放到户、每季度初10日前发放到户；domain.md R6、R7、R8',
  },
  payment_late: {
    label: '延迟发放',
    description: '实际发放日期晚于发放期限（低保每月10日，特困每季度首月10日）',
    amountMeaning: '延迟发放的金额',
    basis: '每月10日前发放到户、每季度初10日前发放到户；domain.md R6、R7',
  },
  payment_short: {
    label: '少发',
    description: '实发金额少于应发金额',
    amountMeaning: '少发的差额',
    basis: '“低保金未发放、少发放”；domain.md R4(a)、R5(b)',
  },
  payment_wrong_payee: {
    label: '发放对象不符',
    description: '集中供养特困未支付到所在供养服务机构，或收款方既非保障家庭也非登记的供养服务机构',
    amountMeaning: '发放给不符对象的金额',
    basis: '集中供养资金统一支付到供养服务机构；资金不得挤占挪用；domain.md R8、R9',
  },
  undeclared_near_relative: {
    label: '近亲属未备案',
    description: '保障对象或申请人是村（居）委会成员、经办人员申报的近亲属，但没有有效的近亲属备案',
    amountMeaning: null,
    basis: '《最低生活保障审核确认办法》第十一条、第二十条；domain.md R19、§2.3',
  },
};

/** The `AssistanceKind` enum of the database. */
export const ASSISTANCE_KINDS = ['URBAN_DIBAO', 'RURAL_DIBAO', 'TEKUN_DISPERSED', 'TEKUN_CENTRALIZED'] as const;
export type AssistanceKind = (typeof ASSISTANCE_KINDS)[number];

export const ASSISTANCE_KIND_LABELS: Record<AssistanceKind, string> = {
  URBAN_DIBAO: '城市低保',
  RURAL_DIBAO: '农村低保',
  TEKUN_DISPERSED: '分散特困',
  TEKUN_CENTRALIZED: '集中特困',
};

/** Which payment schedule of the county policy an assistance kind follows. */
export const PAYMENT_KIND_OF: Record<AssistanceKind, PaymentKind> = {
  URBAN_DIBAO: 'dibao',
  RURAL_DIBAO: 'dibao',
  TEKUN_DISPERSED: 'tekunDispersed',
  TEKUN_CENTRALIZED: 'tekunCentralized',
};

/** The default staff roles of the near-relative rule (the policy's nearRelatives.staffRoles). */
export const NEAR_RELATIVE_STAFF_ROLES = DEFAULT_NEAR_RELATIVE_STAFF_ROLES;

/** Role names as staff read them: one list for the whole domain (import defines it). */
export const STAFF_ROLE_LABELS: Readonly<Record<string, string>> = STAFF_ROLE_LABELS_BY_ROLE;
