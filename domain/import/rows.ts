/**
 * Row validation, one schema per kind of file. Input: the row's cells
 * by canonical field (every field of the kind present, possibly undefined);
 * output: a typed row, or the Chinese reasons it was refused. Pure: "today"
 * and the county's near-relative relations come in through the context.
 *
 * Only what one row can tell is checked here. Checks across rows (the same
 * household written twice with different villages, duplicate rows) are in
 * consistency.ts; checks against the database (is this household on the
 * roster? does this staff member exist?) are in services/import.
 */
import { RELATIONS, type Relation } from '../policy/schema.js';
import type { LocalDate } from '../time/local-date.js';
import { isValidMobile } from '../identity/contact.js';
import {
  cellName,
  cellText,
  MAX_TEXT,
  parseAccountCell,
  parseAmountCell,
  parseDateCell,
  parseIdCell,
  parseMonthCell,
  parseRequiredAmountCell,
  parseRequiredDateCell,
  yuanToCents,
  type CellResult,
} from './cells.js';
import type { Cell, ImportKind, RowResult, RowValues } from './types.js';
import { DISABILITY_KINDS, type DisabilityKind } from '../tables/severe-disability.js';
import {
  ASSISTANCE_KIND_LABELS,
  MEMBER_STATUS_WORDS,
  parseAssistanceKind,
  parseMemberStatus,
  parseRelation,
  parseStaffRole,
  relationLabel,
  STAFF_ROLE_LABELS,
  type AssistanceKind,
  type MemberStatus,
  type StaffRole,
} from './vocabulary.js';

export interface RowContext {
  /** Today in Beijing: dates of death, custody and payment may not lie after it. */
  today: LocalDate;
  /** Relations the county counts as near relatives (policy.nearRelatives.relations). */
  nearRelations: readonly Relation[];
}

// ---------------------------------------------------------------- row types

export interface RosterRow {
  township: string;
  village: string;
  headName: string;
  headIdNumber: string;
  memberName: string;
  memberIdNumber: string;
  relation: string;
  kind: AssistanceKind;
  /** 集中特困 only. */
  institution: string | null;
  /** Yuan, 2 decimals ("780.00"). */
  monthlyAmount: string;
  startDate: LocalDate;
  status: MemberStatus;
}

export interface PaymentRow {
  headIdNumber: string;
  headName: string | null;
  /** Absent: the household's only enrolment is meant. */
  kind: AssistanceKind | null;
  /** 'YYYY-MM' as written (quarterly kinds are moved to the quarter's first month later). */
  month: string;
  amountDue: string;
  amountPaid: string;
  /** Null: not paid. */
  paidDate: LocalDate | null;
  /** As written; empty means the household itself. */
  payee: string;
  /** Full number, only long enough to be masked and hashed; never stored. */
  account: string | null;
}

export interface DeathRow {
  name: string;
  idNumber: string;
  deathDate: LocalDate;
  source: string;
}

export interface PrisonRow {
  name: string;
  idNumber: string;
  custodyDate: LocalDate;
  releaseDate: LocalDate | null;
  source: string;
}

export interface RelativeRow {
  staffName: string;
  staffIdNumber: string;
  post: string | null;
  relativeName: string;
  relativeIdNumber: string;
  relation: Relation;
  /** Chinese label of the relation as stored ("配偶"). */
  relationLabel: string;
}

export interface StaffRow {
  name: string;
  idNumber: string;
  phone: string | null;
  role: StaffRole;
  unit: string;
  township: string | null;
  village: string | null;
}

export interface MonitoredRow {
  township: string;
  village: string | null;
  name: string;
  idNumber: string;
  /** 肢体 / 视力 / 听力 / 言语 / 智力 / 精神 / 多重 */
  disabilityKind: DisabilityKind;
  /** 1–4 */
  disabilityGrade: number;
  identifiedAt: LocalDate;
  source: string;
  measure: string | null;
  measureDate: LocalDate | null;
  remarks: string | null;
}

/** 救助申请: an application the township accepted (申请审核确认 opens from it). */
export interface ApplicationRow {
  township: string;
  village: string;
  applicantName: string;
  applicantIdNumber: string;
  kind: AssistanceKind;
  householdSize: number;
  /** Yuan a month applied for, 2 decimals. */
  monthlyAmount: string;
  acceptedAt: LocalDate;
}

export interface RowTypes {
  roster: RosterRow;
  payments: PaymentRow;
  deaths: DeathRow;
  prison: PrisonRow;
  relatives: RelativeRow;
  staff: StaffRow;
  monitored: MonitoredRow;
  applications: ApplicationRow;
}

// ---------------------------------------------------------------- building blocks

/** How one field is read from its cell (see cells.ts). */
interface Field<T> {
  read: (c: Cell) => CellResult<T>;
}

type FieldsOut<F extends Record<string, Field<unknown>>> = { [K in keyof F]: F[K] extends Field<infer T> ? T : never };

function cell<T>(read: (c: Cell) => CellResult<T>): Field<T> {
  return { read };
}

/** Distinct texts remembered per column (then the memory starts again). */
const MEMO_LIMIT = 50_000;

/**
 * A cell reader that remembers its answer per text: the readers are pure, and a file repeats most
 * texts (each household's ID on every month, a handful of months, amounts and dates), so a large file
 * reads each distinct text once per column instead of once per row.
 */
function memoized<T>(read: (c: Cell) => CellResult<T>): (c: Cell) => CellResult<T> {
  let memo = new Map<string, CellResult<T>>();
  // The previous row's text first: a file repeats a cell on consecutive rows (a household's ID on each
  // month, the kind, the payee), and comparing two short strings costs less than hashing a new one.
  let lastText: string | undefined;
  let lastResult: CellResult<T> | undefined;
  return (c) => {
    if (typeof c !== 'string') return read(c);
    if (c === lastText) return lastResult!;
    let r = memo.get(c);
    if (r === undefined) {
      r = read(c);
      if (memo.size >= MEMO_LIMIT) memo = new Map();
      memo.set(c, r);
    }
    lastText = c;
    lastResult = r;
    return r;
  };
}

/** What a row rule reports a problem to (the shape of zod's refinement context, which it replaced). */
interface RefineCtx {
  addIssue(issue: { code: 'custom'; message: string }): void;
}

/**
 * The schema of a row: every field read from its cell, each failure one reason (so that all the
 * mistakes of a row are listed at once); when every field reads, the rules across fields
 * (`.superRefine`), and when none of them objects, the final shape (`.transform`). The same steps and
 * the same order of reasons as the zod schema it replaced (a z.custom with one transform over the
 * row, a superRefine, a transform), run directly: zod's machinery per row cost more than the checks
 * themselves, which matters at a million rows.
 */
interface RowSchema<T> {
  superRefine(rule: (row: T, ctx: RefineCtx) => void): RowSchema<T>;
  transform<U>(shape: (row: T) => U): RowSchema<U>;
  safeParse(input: RowValues): { success: true; data: T } | { success: false; errors: string[] };
  /** The fields, in the order they are read. */
  readonly keys: readonly string[];
  /**
   * The same as safeParse, with the row's cells read straight from the file's row: field keys[i] is
   * cells[index[i]] (undefined when index[i] < 0, a column the file does not have).
   */
  parseCells(cells: readonly Cell[], index: readonly number[]): RowResult<T>;
}

function rowObject<F extends Record<string, Field<unknown>>>(fields: F): RowSchema<FieldsOut<F>> {
  const entries = Object.entries(fields).map(([key, f]) => [key, memoized(f.read)] as const);
  // One context for every row (no closure per row): it adds to the errors of the row being read.
  const issues = {
    errors: [] as string[],
    addIssue(issue: { message: string }) {
      this.errors.push(issue.message);
    },
  };
  const steps: { rule?: (row: unknown, ctx: RefineCtx) => void; shape?: (row: unknown) => unknown }[] = [];
  /** The rules and the shape over the fields read (`errors` empty). */
  const finish = (out: Record<string, unknown>, errors: string[]): RowResult<unknown> => {
    let row: unknown = out;
    for (const step of steps) {
      if (step.rule) {
        issues.errors = errors;
        step.rule(row, issues);
      } else {
        if (errors.length > 0) return { ok: false, errors };
        row = step.shape!(row);
      }
    }
    return errors.length > 0 ? { ok: false, errors } : { ok: true, value: row };
  };
  const schema: RowSchema<unknown> = {
    keys: entries.map(([key]) => key),
    parseCells(cells, index) {
      const out: Record<string, unknown> = {};
      let errors: string[] | undefined;
      for (let i = 0; i < entries.length; i++) {
        const [key, read] = entries[i]!;
        const at = index[i]!;
        const r = read(at < 0 ? undefined : cells[at]);
        if (r.ok) out[key] = r.value;
        else (errors ??= []).push(r.message);
      }
      if (errors) return { ok: false, errors };
      return finish(out, []);
    },
    superRefine(rule) {
      steps.push({ rule });
      return schema;
    },
    transform(shape) {
      steps.push({ shape: shape as (row: unknown) => unknown });
      return schema as RowSchema<never>;
    },
    safeParse(input) {
      const out: Record<string, unknown> = {};
      const errors: string[] = [];
      for (const [key, read] of entries) {
        const r = read(input[key]);
        if (r.ok) out[key] = r.value;
        else errors.push(r.message);
      }
      if (errors.length > 0) return { success: false, errors };
      const r = finish(out, errors);
      return r.ok ? { success: true, data: r.value } : { success: false, errors: r.errors };
    },
  };
  return schema as RowSchema<FieldsOut<F>>;
}

const requiredName = (label: string) =>
  cell((c) => {
    const s = cellName(c);
    if (s === '') return { ok: false, message: `${label}不能为空` };
    if (s.length > MAX_TEXT) return { ok: false, message: `${label}过长（最多${MAX_TEXT}字）` };
    return { ok: true, value: s };
  });

const optionalText = (label: string) =>
  cell((c) => {
    const s = cellText(c);
    if (s.length > MAX_TEXT) return { ok: false, message: `${label}过长（最多${MAX_TEXT}字）` };
    return { ok: true, value: s === '' ? null : s };
  });

const idNumber = (label: string, today: LocalDate) => cell((c) => parseIdCell(c, label, today));

const kindField = (label: string, required: boolean) =>
  cell((c): CellResult<AssistanceKind | null> => {
    const s = cellText(c);
    if (s === '') return required ? { ok: false, message: `${label}不能为空` } : { ok: true, value: null };
    const k = parseAssistanceKind(s);
    if (k) return { ok: true, value: k };
    return { ok: false, message: `${label}“${s}”无法识别，应为 ${Object.values(ASSISTANCE_KIND_LABELS).join('、')} 之一` };
  });

const notAfterToday = (label: string, today: LocalDate) => (d: LocalDate | null, ctx: RefineCtx) => {
  if (d !== null && d > today) ctx.addIssue({ code: 'custom', message: `${label}（${d}）晚于今天` });
};

// ---------------------------------------------------------------- schemas

function rosterSchema(ctx: RowContext) {
  return rowObject({
      township: requiredName('乡镇'),
      village: requiredName('村(社区)'),
      headName: requiredName('户主姓名'),
      headIdNumber: idNumber('户主身份证号', ctx.today),
      memberName: requiredName('成员姓名'),
      memberIdNumber: idNumber('成员身份证号', ctx.today),
      relation: requiredName('与户主关系'),
      kind: kindField('救助类型', true),
      institution: optionalText('供养机构'),
      monthlyAmount: cell((c) => parseRequiredAmountCell(c, '月保障金额')),
      startDate: cell((c) => parseRequiredDateCell(c, '纳入日期')),
      status: cell((c): CellResult<MemberStatus> => {
        const s = cellText(c);
        const st = parseMemberStatus(s);
        if (st) return { ok: true, value: st };
        const words = Object.values(MEMBER_STATUS_WORDS).map((w) => w[0]).join('、');
        return { ok: false, message: `状态“${s}”无法识别，应为 ${words} 之一（空白视为正常）` };
      }),
    })
    .superRefine((row, z2) => {
      if (row.memberIdNumber === row.headIdNumber && row.memberName !== row.headName) {
        z2.addIssue({ code: 'custom', message: '成员身份证号与户主身份证号相同，但成员姓名与户主姓名不一致' });
      }
      if (row.kind === 'TEKUN_CENTRALIZED' && row.institution === null) {
        z2.addIssue({ code: 'custom', message: '集中特困必须填写供养机构' });
      }
      if (yuanToCents(row.monthlyAmount) === 0) z2.addIssue({ code: 'custom', message: '月保障金额必须大于0' });
      notAfterToday('纳入日期', ctx.today)(row.startDate, z2);
    })
    .transform((row): RosterRow => ({ ...row, kind: row.kind!, institution: row.kind === 'TEKUN_CENTRALIZED' ? row.institution : null }));
}

function paymentSchema(ctx: RowContext) {
  // A file has a handful of months: the month a year before each, once.
  const yearsBefore = new Map<string, string>();
  const yearBefore = (month: string) => {
    let m = yearsBefore.get(month);
    if (m === undefined) {
      m = addMonths(month, -12);
      if (yearsBefore.size >= MEMO_LIMIT) yearsBefore.clear();
      yearsBefore.set(month, m);
    }
    return m;
  };
  return rowObject({
      headIdNumber: idNumber('户主身份证号', ctx.today),
      headName: optionalText('户主姓名'),
      kind: kindField('救助类型', false),
      month: cell((c) => parseMonthCell(c, '发放月份')),
      amountDue: cell((c) => parseRequiredAmountCell(c, '应发金额')),
      amountPaid: cell((c) => parseAmountCell(c, '实发金额')),
      paidDate: cell((c) => parseDateCell(c, '发放日期')),
      payee: optionalText('收款方'),
      account: cell((c) => parseAccountCell(c, '收款账号')),
    })
    .superRefine((row, z2) => {
      const paid = row.amountPaid === null ? 0 : yuanToCents(row.amountPaid);
      if (row.paidDate === null && paid > 0) {
        z2.addIssue({ code: 'custom', message: '实发金额大于0但发放日期为空（未发放的月份请把实发金额写0或留空）' });
      }
      if (row.paidDate !== null && row.amountPaid === null) {
        z2.addIssue({ code: 'custom', message: '已填发放日期但实发金额为空' });
      }
      notAfterToday('发放日期', ctx.today)(row.paidDate, z2);
      if (row.paidDate !== null && row.paidDate.slice(0, 7) < yearBefore(row.month)) {
        z2.addIssue({ code: 'custom', message: `发放日期（${row.paidDate}）比发放月份（${row.month}）早一年以上，请核对` });
      }
    })
    .transform(
      (row): PaymentRow => ({
        ...row,
        amountPaid: row.amountPaid ?? '0.00',
        payee: row.payee ?? '',
      }),
    );
}

function addMonths(month: string, n: number): string {
  const t = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 + n;
  return `${String(Math.floor(t / 12)).padStart(4, '0')}-${String((t % 12) + 1).padStart(2, '0')}`;
}

const DEFAULT_SOURCE = '未注明';

function deathSchema(ctx: RowContext) {
  return rowObject({
      name: requiredName('姓名'),
      idNumber: idNumber('身份证号', ctx.today),
      deathDate: cell((c) => parseRequiredDateCell(c, '死亡日期')),
      source: optionalText('来源'),
    })
    .superRefine((row, z2) => {
      notAfterToday('死亡日期', ctx.today)(row.deathDate, z2);
      const birth = birthOf(row.idNumber);
      if (row.deathDate < birth) z2.addIssue({ code: 'custom', message: `死亡日期（${row.deathDate}）早于身份证号中的出生日期` });
    })
    .transform((row): DeathRow => ({ ...row, source: row.source ?? DEFAULT_SOURCE }));
}

function prisonSchema(ctx: RowContext) {
  return rowObject({
      name: requiredName('姓名'),
      idNumber: idNumber('身份证号', ctx.today),
      custodyDate: cell((c) => parseRequiredDateCell(c, '羁押(入狱)日期')),
      releaseDate: cell((c) => parseDateCell(c, '释放日期')),
      source: optionalText('来源'),
    })
    .superRefine((row, z2) => {
      notAfterToday('羁押(入狱)日期', ctx.today)(row.custodyDate, z2);
      if (row.releaseDate !== null && row.releaseDate < row.custodyDate) {
        z2.addIssue({ code: 'custom', message: `释放日期（${row.releaseDate}）早于羁押(入狱)日期（${row.custodyDate}）` });
      }
      if (row.custodyDate < birthOf(row.idNumber)) {
        z2.addIssue({ code: 'custom', message: `羁押(入狱)日期（${row.custodyDate}）早于身份证号中的出生日期` });
      }
    })
    .transform((row): PrisonRow => ({ ...row, source: row.source ?? DEFAULT_SOURCE }));
}

function relativeSchema(ctx: RowContext) {
  const allowed = new Set<Relation>(ctx.nearRelations);
  const allowedZh = ctx.nearRelations.map((r) => RELATIONS[r]).join('、');
  return rowObject({
      staffName: requiredName('工作人员姓名'),
      staffIdNumber: idNumber('工作人员身份证号', ctx.today),
      post: optionalText('岗位'),
      relativeName: requiredName('亲属姓名'),
      relativeIdNumber: idNumber('亲属身份证号', ctx.today),
      relation: cell((c): CellResult<Relation> => {
        const s = cellText(c);
        if (s === '') return { ok: false, message: '关系不能为空' };
        const r = parseRelation(s);
        if (r && allowed.has(r)) return { ok: true, value: r };
        return { ok: false, message: `关系“${s}”不在本县近亲属范围内（${allowedZh}）` };
      }),
    })
    .superRefine((row, z2) => {
      if (row.staffIdNumber === row.relativeIdNumber) z2.addIssue({ code: 'custom', message: '亲属身份证号与工作人员身份证号相同' });
    })
    .transform((row): RelativeRow => ({ ...row, relationLabel: relationLabel(row.relation) }));
}

function staffSchema(ctx: RowContext) {
  const roles = Object.values(STAFF_ROLE_LABELS).join('、');
  return rowObject({
      name: requiredName('姓名'),
      idNumber: idNumber('身份证号', ctx.today),
      phone: cell((c): CellResult<string | null> => {
        const s = cellText(c).replace(/[\s-]/g, '');
        if (s === '') return { ok: true, value: null };
        const digits = s.replace(/^\+?86/, '');
        if (isValidMobile(digits)) return { ok: true, value: digits };
        return { ok: false, message: `手机号“${s}”格式不正确：应为以1开头的11位数字` };
      }),
      role: cell((c): CellResult<StaffRole> => {
        const s = cellText(c);
        if (s === '') return { ok: false, message: '角色不能为空' };
        const r = parseStaffRole(s);
        return r ? { ok: true, value: r } : { ok: false, message: `角色“${s}”无法识别，应为 ${roles} 之一` };
      }),
      unit: requiredName('所属单位'),
      township: optionalText('乡镇'),
      village: optionalText('村(社区)'),
    })
    .superRefine((row, z2) => {
      if (row.village !== null && row.township === null) z2.addIssue({ code: 'custom', message: '填写了村(社区)时必须同时填写乡镇' });
    })
    .transform((row): StaffRow => row);
}

const GRADE_WORDS: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 1: 1, 2: 2, 3: 3, 4: 4 };

/** '一级', '1级', '1', '二' → 1–4. */
export function parseDisabilityGrade(text: string): number | null {
  const m = /^([一二三四1-4])级?$/.exec(text.normalize('NFKC').replace(/\s/g, ''));
  return m ? GRADE_WORDS[m[1]!]! : null;
}

/** '智力', '智力残疾', '精神残疾人' → the kind. */
export function parseDisabilityKind(text: string): DisabilityKind | null {
  const s = text.replace(/\s/g, '').replace(/(残疾人?|残)$/, '');
  return (DISABILITY_KINDS as readonly string[]).includes(s) ? (s as DisabilityKind) : null;
}

function monitoredSchema(ctx: RowContext) {
  return rowObject({
      township: requiredName('乡镇'),
      village: optionalText('村(社区)'),
      name: requiredName('姓名'),
      idNumber: idNumber('身份证号', ctx.today),
      disabilityKind: cell((c): CellResult<DisabilityKind> => {
        const s = cellText(c);
        if (s === '') return { ok: false, message: '残疾类别不能为空' };
        const k = parseDisabilityKind(s);
        return k ? { ok: true, value: k } : { ok: false, message: `残疾类别“${s}”无法识别，应为 ${DISABILITY_KINDS.join('、')} 之一` };
      }),
      disabilityGrade: cell((c): CellResult<number> => {
        const s = cellText(c);
        if (s === '') return { ok: false, message: '残疾等级不能为空' };
        const g = parseDisabilityGrade(s);
        return g ? { ok: true, value: g } : { ok: false, message: `残疾等级“${s}”无法识别，应为一级至四级（或1–4）` };
      }),
      identifiedAt: cell((c) => parseRequiredDateCell(c, '认定日期')),
      source: optionalText('信息来源'),
      measure: optionalText('采取措施'),
      measureDate: cell((c) => parseDateCell(c, '措施日期')),
      remarks: optionalText('备注'),
    })
    .superRefine((row, z2) => {
      notAfterToday('认定日期', ctx.today)(row.identifiedAt, z2);
      notAfterToday('措施日期', ctx.today)(row.measureDate, z2);
      if (row.measureDate !== null && row.measureDate < row.identifiedAt) {
        z2.addIssue({ code: 'custom', message: `措施日期（${row.measureDate}）早于认定日期（${row.identifiedAt}）` });
      }
      if (row.measureDate !== null && row.measure === null) z2.addIssue({ code: 'custom', message: '填写了措施日期但未填写采取措施' });
      if (row.identifiedAt < birthOf(row.idNumber)) z2.addIssue({ code: 'custom', message: `认定日期（${row.identifiedAt}）早于身份证号中的出生日期` });
    })
    .transform((row): MonitoredRow => ({ ...row, source: row.source ?? DEFAULT_SOURCE }));
}

/** 家庭人口: 1–20 people. */
export function parseHouseholdSize(text: string): number | null {
  const s = text.replace(/\s/g, '').replace(/[人口]+$/u, '');
  if (!/^\d{1,2}$/.test(s)) return null;
  const n = Number(s);
  return n >= 1 && n <= 20 ? n : null;
}

function applicationSchema(ctx: RowContext) {
  return rowObject({
      township: requiredName('乡镇'),
      village: requiredName('村(社区)'),
      applicantName: requiredName('申请人姓名'),
      applicantIdNumber: idNumber('申请人身份证号', ctx.today),
      kind: kindField('救助类型', true),
      householdSize: cell((c): CellResult<number> => {
        const s = cellText(c);
        if (s === '') return { ok: false, message: '家庭人口不能为空' };
        const n = parseHouseholdSize(s);
        return n === null ? { ok: false, message: `家庭人口“${s}”应为 1 至 20 之间的整数` } : { ok: true, value: n };
      }),
      monthlyAmount: cell((c) => parseRequiredAmountCell(c, '申请金额')),
      acceptedAt: cell((c) => parseRequiredDateCell(c, '受理日期')),
    })
    .superRefine((row, z2) => {
      if (yuanToCents(row.monthlyAmount) === 0) z2.addIssue({ code: 'custom', message: '申请金额必须大于0' });
      notAfterToday('受理日期', ctx.today)(row.acceptedAt, z2);
    })
    .transform((row): ApplicationRow => ({ ...row, kind: row.kind! }));
}

function birthOf(id18: string): LocalDate {
  return `${id18.slice(6, 10)}-${id18.slice(10, 12)}-${id18.slice(12, 14)}`;
}

// ---------------------------------------------------------------- parser

/** The schema of each kind, checked against RowTypes (so a parser of kind K yields RowTypes[K]). */
const SCHEMAS: { readonly [K in ImportKind]: (ctx: RowContext) => RowSchema<RowTypes[K]> } = {
  roster: rosterSchema,
  payments: paymentSchema,
  deaths: deathSchema,
  prison: prisonSchema,
  relatives: relativeSchema,
  staff: staffSchema,
  monitored: monitoredSchema,
  applications: applicationSchema,
} as const;

export type RowParser<K extends ImportKind> = (values: RowValues) => RowResult<RowTypes[K]>;

/**
 * A parser for the rows of one file. Build it once per file (the schemas are
 * compiled here); call it per row with the cells keyed by field.
 */
export function createRowParser<K extends ImportKind>(kind: K, ctx: RowContext): RowParser<K> {
  const schema = SCHEMAS[kind](ctx);
  return (values) => {
    const r = schema.safeParse(values);
    return r.success ? { ok: true, value: r.data } : { ok: false, errors: r.errors };
  };
}

export type CellsParser<K extends ImportKind> = (cells: readonly Cell[]) => RowResult<RowTypes[K]>;

/**
 * A parser for the rows of one file with a known header: `parse(cells)` gives what
 * `createRowParser(kind, ctx)(rowValues(fields, cells))` gives, without building the keyed row.
 */
export function createCellsParser<K extends ImportKind>(kind: K, ctx: RowContext, fields: ReadonlyMap<string, number>): CellsParser<K> {
  const schema = SCHEMAS[kind](ctx);
  const index = schema.keys.map((key) => fields.get(key) ?? -1);
  return (cells) => schema.parseCells(cells, index);
}

/** The cells of a row keyed by field, from the header match. */
export function rowValues(fields: ReadonlyMap<string, number>, cells: readonly Cell[]): Record<string, Cell> {
  const out: Record<string, Cell> = {};
  for (const [field, index] of fields) out[field] = cells[index];
  return out;
}
