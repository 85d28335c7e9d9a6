/**
 * The columns of each kind of file, with the header texts accepted for them,
 * and the header-row matcher. docs/import.md lists the same tables.
 *
 * Header matching: NFKC (full-width letters, digits and parentheses become
 * half-width), spaces and '*' / '※' markers removed; then exact match against
 * the column's names; then the same after dropping a trailing parenthesis
 * ("月保障金额（元/月）" → "月保障金额").
 */
import { cellText } from './cells.js';
import type { Cell, ImportKind } from './types.js';

export interface ColumnSpec {
  /** Canonical field name used by the row parsers. */
  field: string;
  /** The standard header text (first in the docs and in the samples). */
  label: string;
  /** Other header texts accepted, besides the label. */
  aliases: readonly string[];
  required: boolean;
}

const col = (field: string, label: string, required: boolean, aliases: readonly string[] = []): ColumnSpec => ({
  field,
  label,
  required,
  aliases,
});

const ID_ALIASES = ['身份证号码', '公民身份号码', '公民身份证号', '公民身份证号码', '身份证', '证件号码', '证件号'];
const withPrefix = (prefix: string, words: readonly string[]) => words.map((w) => prefix + w);

export const COLUMNS: Record<ImportKind, readonly ColumnSpec[]> = {
  roster: [
    col('township', '乡镇', true, ['乡(镇)', '乡镇(街道)', '乡镇(服务中心)', '乡镇名称', '所属乡镇', '镇', '街道']),
    col('village', '村(社区)', true, ['村', '社区', '村(居)', '村居', '村(居)委会', '行政村', '所属村', '村名', '村(社区)名称']),
    col('headName', '户主姓名', true, ['户主', '户主名称']),
    col('headIdNumber', '户主身份证号', true, ['户主身份证', ...withPrefix('户主', ID_ALIASES)]),
    col('memberName', '成员姓名', true, ['姓名', '家庭成员姓名', '成员', '人员姓名']),
    col('memberIdNumber', '成员身份证号', true, ['身份证号', ...ID_ALIASES, ...withPrefix('成员', ID_ALIASES), '家庭成员身份证号']),
    col('relation', '与户主关系', true, ['与户主的关系', '关系', '家庭关系']),
    col('kind', '救助类型', true, ['保障类型', '救助类别', '保障类别', '类别', '类型', '对象类别']),
    col('institution', '供养机构', false, ['供养服务机构', '集中供养机构', '供养机构名称', '敬老院']),
    col('monthlyAmount', '月保障金额', true, ['月保障金', '保障金额', '月救助金额', '月发放金额', '月保障金额(元)', '金额', '金额(元)']),
    col('startDate', '纳入日期', true, ['纳入时间', '保障起始日期', '起始日期', '批准日期', '享受日期', '纳入保障日期']),
    col('status', '状态', false, ['成员状态', '人员状态']),
  ],
  payments: [
    col('headIdNumber', '户主身份证号', true, ['户主身份证', ...withPrefix('户主', ID_ALIASES), '身份证号', ...ID_ALIASES]),
    col('headName', '户主姓名', false, ['户主', '姓名']),
    col('kind', '救助类型', false, ['保障类型', '救助类别', '保障类别', '类别', '类型']),
    col('month', '发放月份', true, ['月份', '发放期', '发放期间', '所属月份', '年月', '发放年月']),
    col('amountDue', '应发金额', true, ['应发', '应发金额(元)', '应发放金额']),
    col('amountPaid', '实发金额', true, ['实发', '实发金额(元)', '发放金额', '实际发放金额']),
    col('paidDate', '发放日期', true, ['实发日期', '到账日期', '发放时间', '实际发放日期']),
    col('payee', '收款方', false, ['收款人', '领取人', '收款单位', '收款户名', '户名', '收款人姓名']),
    col('account', '收款账号', false, ['银行账号', '银行卡号', '卡号', '账号', '收款卡号', '银行卡(折)号', '存折号', '收款账户']),
  ],
  deaths: [
    col('name', '姓名', true, ['死者姓名', '死亡人员姓名']),
    col('idNumber', '身份证号', true, ID_ALIASES),
    col('deathDate', '死亡日期', true, ['死亡时间', '去世日期', '死亡日']),
    col('source', '来源', false, ['数据来源', '信息来源', '来源单位']),
  ],
  prison: [
    col('name', '姓名', true, ['服刑人员姓名']),
    col('idNumber', '身份证号', true, ID_ALIASES),
    col('custodyDate', '羁押(入狱)日期', true, ['羁押日期', '入狱日期', '入监日期', '收监日期', '羁押时间', '入狱时间', '服刑日期']),
    col('releaseDate', '释放日期', false, ['出狱日期', '刑满释放日期', '释放时间', '出监日期']),
    col('source', '来源', false, ['数据来源', '信息来源', '来源单位']),
  ],
  relatives: [
    col('staffName', '工作人员姓名', true, ['申报人姓名', '申报人', '干部姓名', '工作人员']),
    col('staffIdNumber', '工作人员身份证号', true, [
      ...withPrefix('工作人员', ID_ALIASES),
      ...withPrefix('申报人', ['身份证号', ...ID_ALIASES]),
      ...withPrefix('干部', ['身份证号', ...ID_ALIASES]),
    ]),
    col('post', '岗位', false, ['职务', '工作岗位']),
    col('relativeName', '亲属姓名', true, ['近亲属姓名']),
    col('relativeIdNumber', '亲属身份证号', true, [...withPrefix('亲属', ID_ALIASES), ...withPrefix('近亲属', ['身份证号', ...ID_ALIASES])]),
    col('relation', '关系', true, ['亲属关系', '与工作人员关系', '与申报人关系', '与本人关系']),
  ],
  staff: [
    col('name', '姓名', true, ['工作人员姓名']),
    col('idNumber', '身份证号', true, ID_ALIASES),
    col('phone', '手机号', false, ['手机号码', '手机', '联系电话', '电话', '联系方式']),
    col('role', '角色', true, ['系统角色', '人员类别']),
    col('unit', '所属单位', true, ['单位', '工作单位', '所在单位']),
    col('township', '乡镇', false, ['所属乡镇', '乡镇(街道)']),
    col('village', '村(社区)', false, ['村', '社区', '所属村']),
  ],
  monitored: [
    col('township', '乡镇', true, ['所属乡镇', '乡镇(街道)', '乡(镇)', '乡镇(服务中心)']),
    col('village', '村(社区)', false, ['村', '社区', '所属村', '村(居)']),
    col('name', '姓名', true, ['监测对象姓名', '残疾人姓名']),
    col('idNumber', '身份证号', true, ID_ALIASES),
    col('disabilityKind', '残疾类别', true, ['残疾类型', '残疾种类']),
    col('disabilityGrade', '残疾等级', true, ['残疾级别', '等级']),
    col('identifiedAt', '认定日期', true, ['新增认定日期', '认定时间', '识别日期', '纳入监测日期']),
    col('source', '信息来源', false, ['来源', '数据来源']),
    col('measure', '采取措施', false, ['帮扶措施', '救助措施', '措施']),
    col('measureDate', '措施日期', false, ['采取措施日期', '措施时间']),
    col('remarks', '备注', false, ['说明']),
  ],
  applications: [
    col('township', '乡镇', true, ['所属乡镇', '乡镇(街道)', '乡(镇)', '乡镇(服务中心)']),
    col('village', '村(社区)', true, ['村', '社区', '所属村', '村(居)']),
    col('applicantName', '申请人姓名', true, ['申请人', '姓名']),
    col('applicantIdNumber', '申请人身份证号', true, [...withPrefix('申请人', ID_ALIASES), '身份证号', ...ID_ALIASES]),
    col('kind', '救助类型', true, ['申请类型', '申请救助类型', '保障类型', '救助类别', '类别']),
    col('householdSize', '家庭人口', true, ['家庭人口数', '共同生活家庭成员人数', '家庭成员人数', '人口数', '人数']),
    col('monthlyAmount', '申请金额', true, ['申请月保障金额', '申请金额(元/月)', '月保障金额', '金额']),
    col('acceptedAt', '受理日期', true, ['受理时间', '申请日期', '登记日期']),
  ],
};

/** Normal form of a header cell: NFKC, no spaces, no required-field markers. */
export function normalizeHeader(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\s*※:：]/g, '')
    .replace(/（/g, '(')
    .replace(/）/g, ')');
}

/** "月保障金额(元/月)" → "月保障金额"; unchanged when there is no trailing parenthesis. */
function dropTrailingParen(h: string): string {
  return h.replace(/\([^()]*\)$/, '');
}

const lookupCache = new Map<ImportKind, Map<string, ColumnSpec>>();

function lookup(kind: ImportKind): Map<string, ColumnSpec> {
  let map = lookupCache.get(kind);
  if (!map) {
    map = new Map();
    for (const spec of COLUMNS[kind]) {
      for (const name of [spec.label, ...spec.aliases]) {
        const key = normalizeHeader(name);
        if (!map.has(key)) map.set(key, spec);
      }
    }
    lookupCache.set(kind, map);
  }
  return map;
}

/** The column a header text stands for, if any. */
export function columnForHeader(kind: ImportKind, header: string): ColumnSpec | undefined {
  const h = normalizeHeader(header);
  if (h === '') return undefined;
  const map = lookup(kind);
  return map.get(h) ?? map.get(dropTrailingParen(h));
}

export interface HeaderMatch {
  /** Index of each recognised field in the row. */
  fields: Map<string, number>;
  /** Required columns not found (labels). */
  missing: string[];
  /** Header texts not recognised (ignored). */
  ignored: string[];
  /** Fields named by more than one column: "户主身份证号（第2列、第5列）". */
  duplicates: string[];
  /** The header cells as written (for the error file). */
  headers: string[];
}

/** Match one candidate header row against the columns of a kind. */
export function matchHeader(kind: ImportKind, cells: readonly Cell[]): HeaderMatch {
  const fields = new Map<string, number>();
  const seen = new Map<string, number[]>();
  const ignored: string[] = [];
  const headers = cells.map((c) => cellText(c));
  headers.forEach((h, i) => {
    if (h === '') return;
    const spec = columnForHeader(kind, h);
    if (!spec) {
      ignored.push(h);
      return;
    }
    const list = seen.get(spec.field) ?? [];
    list.push(i);
    seen.set(spec.field, list);
    if (!fields.has(spec.field)) fields.set(spec.field, i);
  });
  const duplicates = [...seen.entries()]
    .filter(([, idx]) => idx.length > 1)
    .map(([field, idx]) => `${labelOf(kind, field)}（${idx.map((i) => `第${i + 1}列“${headers[i]}”`).join('、')}）`);
  const missing = COLUMNS[kind].filter((s) => s.required && !fields.has(s.field)).map((s) => s.label);
  return { fields, missing, ignored, duplicates, headers };
}

export function labelOf(kind: ImportKind, field: string): string {
  return COLUMNS[kind].find((s) => s.field === field)?.label ?? field;
}

/** True when the header row has every required column and no column twice. */
export function isCompleteHeader(m: HeaderMatch): boolean {
  return m.missing.length === 0 && m.duplicates.length === 0;
}

/**
 * Finds the header among the first rows of a file (title rows above it are
 * allowed). Feed rows in order; `offer` returns the match once a complete
 * header row is seen. After `maxRows` non-blank rows without one, `giveUp`
 * explains what is missing, from the row that came closest.
 */
export class HeaderFinder {
  private best: { match: HeaderMatch; line: number; score: number } | undefined;
  private seenRows = 0;

  constructor(
    readonly kind: ImportKind,
    readonly maxRows = 10,
  ) {}

  /** The header when this row is one; undefined otherwise. */
  offer(cells: readonly Cell[], line: number): HeaderMatch | undefined {
    this.seenRows++;
    const match = matchHeader(this.kind, cells);
    if (isCompleteHeader(match)) return match;
    const score = match.fields.size;
    if (score > 0 && (!this.best || score > this.best.score)) this.best = { match, line, score };
    return undefined;
  }

  /** Line of the row that came closest to a header (1 when none did). */
  get bestLine(): number {
    return this.best?.line ?? 1;
  }

  get exhausted(): boolean {
    return this.seenRows >= this.maxRows;
  }

  /** The Chinese explanation for a file whose header was not found. */
  giveUp(): string {
    const all = COLUMNS[this.kind]
      .filter((s) => s.required)
      .map((s) => s.label)
      .join('、');
    if (!this.best) {
      return `未找到表头：文件前${this.maxRows}行中没有可识别的列名。必需的列：${all}（其他写法见 docs/import.md）`;
    }
    const { match, line } = this.best;
    const parts: string[] = [];
    if (match.missing.length > 0) parts.push(`缺少必需的列：${match.missing.join('、')}`);
    if (match.duplicates.length > 0) parts.push(`同一列出现了多次：${match.duplicates.join('；')}`);
    return `第${line}行的表头${parts.join('；')}。整个文件未导入。必需的列：${all}（其他写法见 docs/import.md）`;
  }
}
