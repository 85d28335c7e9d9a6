/**
 * The statutory tables (统计表) as data: columns with Chinese headers, cell
 * kinds (number formats) and which columns get a totals row. Pure: the
 * database queries live in readmodels/statutory-tables.ts, the workbook writer in
 * services/reports/xlsx.ts.
 *
 * Zhangzi attachments 1–6 (columns proposed in domain.md §1.9) and the
 * Wenshui weekly progress table (domain.md R24/R26).
 */
import type { CountyPolicy } from '../policy/schema.js';
import { STAFF_ROLE_SHORT_LABELS } from '../roles.js';

export type CellKind = 'text' | 'count' | 'amount' | 'date' | 'datetime';
export type CellValue = string | number | null;

export interface ColumnSpec {
  key: string;
  header: string;
  kind: CellKind;
  /** Column width in characters (a Chinese character counts about 2). */
  width: number;
  /** Summed in the totals row. */
  total?: boolean;
}

export const TABLE_IDS = ['zhangzi-1', 'zhangzi-2', 'zhangzi-3', 'zhangzi-4', 'zhangzi-5', 'zhangzi-6', 'wenshui-weekly'] as const;
export type TableId = (typeof TABLE_IDS)[number];

export interface TableSpec {
  id: TableId | 'complaint-ledger';
  /** Title as in the seed (without the unit and period line). */
  title: string;
  /** File name stem (Chinese, safe for file systems). */
  fileStem: string;
  columns: ColumnSpec[];
  /** Column whose totals-row cell reads '合计'. */
  totalLabelColumn: string;
}

const c = (key: string, header: string, kind: CellKind, width: number, total = false): ColumnSpec => ({ key, header, kind, width, ...(total ? { total } : {}) });

/** Columns of the progress tables (one row per unit × focus item). */
const progressColumns = (unitHeader: string): ColumnSpec[] => [
  c('unit', unitHeader, 'text', 22),
  c('cycle', '报送期次', 'text', 12),
  c('periodStart', '统计起始日', 'date', 12),
  c('periodEnd', '统计截止日', 'date', 12),
  c('focusItem', '整治重点', 'text', 40),
  c('found', '发现问题数（个）', 'count', 10, true),
  c('households', '涉及户数（户）', 'count', 10, true),
  c('amount', '涉及金额（元）', 'amount', 14, true),
  c('rectified', '已整改数（个）', 'count', 10, true),
  c('recovered', '追回金额（元）', 'amount', 14, true),
  c('cluesTransferred', '移交纪检监察线索（条）', 'count', 12, true),
  c('heldAccountable', '问责人数（人）', 'count', 10, true),
  c('submittedAt', '报送时间', 'datetime', 18),
  c('late', '是否逾期报送', 'text', 10),
  c('submittedBy', '填报人', 'text', 10),
];

export const TABLE_SPECS: Readonly<Record<TableId, TableSpec>> = {
  'zhangzi-1': {
    id: 'zhangzi-1',
    title: '“听民意办实事”项目工作问题情况周报表',
    fileStem: '附件1-问题情况周报表',
    columns: progressColumns('填报单位（乡镇）'),
    totalLabelColumn: 'unit',
  },
  'wenshui-weekly': {
    id: 'wenshui-weekly',
    title: '整治困难群众救助领域违法违纪问题工作进展周报表',
    fileStem: '工作进展周报表',
    columns: progressColumns('填报股室'),
    totalLabelColumn: 'unit',
  },
  'zhangzi-2': {
    id: 'zhangzi-2',
    title: '“近亲属”备案情况统计表',
    fileStem: '附件2-近亲属备案情况统计表',
    columns: [
      c('seq', '序号', 'count', 6),
      c('township', '乡镇', 'text', 14),
      c('village', '村（居）', 'text', 14),
      c('applicantName', '申请人（救助对象）姓名', 'text', 12),
      c('applicantId', '身份证号', 'text', 20),
      c('assistance', '救助类别', 'text', 12),
      c('householdSize', '家庭人口（人）', 'count', 8),
      c('monthlyAmount', '月保障金额（元）', 'amount', 12, true),
      c('staffName', '关联工作人员姓名', 'text', 12),
      c('staffPost', '职务', 'text', 14),
      c('relation', '与申请人关系', 'text', 10),
      c('filedAt', '备案日期', 'date', 12),
      c('homeVisitDate', '县级入户调查日期', 'date', 12),
      c('homeVisitResult', '入户调查结果', 'text', 20),
      c('decision', '审核结果', 'text', 10),
      c('remarks', '备注', 'text', 24),
    ],
    totalLabelColumn: 'township',
  },
  'zhangzi-3': {
    id: 'zhangzi-3',
    title: '低保、特困供养资金发放情况统计表',
    fileStem: '附件3-资金发放情况统计表',
    columns: [
      c('township', '乡镇', 'text', 14),
      c('category', '救助类别', 'text', 12),
      c('households', '户数（户）', 'count', 10, true),
      c('persons', '人数（人）', 'count', 10, true),
      c('amountDue', '应发金额（元）', 'amount', 16, true),
      c('amountPaid', '实发金额（元）', 'amount', 16, true),
      c('lastPaidDate', '最近发放日期', 'date', 12),
      c('dueRule', '发放时限', 'text', 18),
      c('onTime', '按时足额发放（笔）', 'count', 12, true),
      c('lateOrUnpaid', '未按时足额发放（笔）', 'count', 12, true),
      c('reason', '原因', 'text', 20),
    ],
    totalLabelColumn: 'township',
  },
  'zhangzi-4': {
    id: 'zhangzi-4',
    title: '长治市2024年新增监测对象（重残人员）社会救助政策落实情况统计表',
    fileStem: '附件4-新增监测对象重残人员政策落实情况统计表',
    columns: [
      c('seq', '序号', 'count', 6),
      c('township', '乡镇', 'text', 14),
      c('name', '姓名', 'text', 10),
      c('idNumber', '身份证号', 'text', 20),
      c('disability', '残疾类别及等级', 'text', 14),
      c('identifiedAt', '新增认定日期', 'date', 12),
      c('source', '信息来源', 'text', 14),
      c('covered', '已纳入保障情况', 'text', 14),
      c('measure', '采取措施', 'text', 20),
      c('measureDate', '措施日期', 'date', 12),
      c('remarks', '备注', 'text', 20),
    ],
    totalLabelColumn: 'township',
  },
  'zhangzi-5': {
    id: 'zhangzi-5',
    title: '长子县社会救助对象死亡（服刑）处置情况统计表',
    fileStem: '附件5-死亡服刑处置情况统计表',
    columns: [
      c('seq', '序号', 'count', 6),
      c('township', '乡镇', 'text', 14),
      c('name', '姓名', 'text', 10),
      c('idNumber', '身份证号', 'text', 20),
      c('assistance', '救助类别', 'text', 12),
      c('event', '情形', 'text', 8),
      c('eventDate', '死亡（服刑）日期', 'date', 12),
      c('discoveredAt', '发现日期', 'date', 12),
      c('source', '信息来源', 'text', 10),
      c('reviewedAt', '核查办结日期', 'date', 12),
      c('decision', '处置决定', 'text', 8),
      c('effectiveMonth', '生效月份', 'text', 10),
      c('overpaidMonths', '超发月数（月）', 'count', 8, true),
      c('overpaid', '超发金额（元）', 'amount', 12, true),
      c('recovered', '已追回金额（元）', 'amount', 12, true),
      c('withinLimit', '是否在时限内办结（死亡为3个月）', 'text', 12),
    ],
    totalLabelColumn: 'township',
  },
  'zhangzi-6': {
    id: 'zhangzi-6',
    title: '长子县2024年推进“听民意办实事”项目发现问题整改清单',
    fileStem: '附件6-发现问题整改清单',
    columns: [
      c('seq', '序号', 'count', 6),
      c('township', '乡镇', 'text', 14),
      c('problem', '问题描述', 'text', 40),
      c('focusItem', '问题类别（整治重点）', 'text', 24),
      c('source', '问题来源', 'text', 10),
      c('unit', '责任单位', 'text', 16),
      c('person', '责任人', 'text', 10),
      c('measures', '整改措施', 'text', 36),
      c('deadline', '整改时限', 'date', 12),
      c('status', '整改状态', 'text', 10),
      c('completedAt', '完成时间', 'date', 12),
      c('recovered', '追回金额（元）', 'amount', 12, true),
      c('clueTransferred', '是否移交线索', 'text', 10),
    ],
    totalLabelColumn: 'township',
  },
};

/** TABLE argument of the CLI: '1'…'6', 'zhangzi-1'…, 'wenshui-weekly' (or 'wenshui'). */
export function parseTableId(text: string): TableId | null {
  const t = text.trim().toLowerCase();
  if (/^[1-6]$/.test(t)) return `zhangzi-${t}` as TableId;
  if (t === 'wenshui' || t === 'weekly') return 'wenshui-weekly';
  return (TABLE_IDS as readonly string[]).includes(t) ? (t as TableId) : null;
}

export type Row = Record<string, CellValue>;

/** Sums of the totals columns (amounts to the cent, without float drift). */
export function computeTotals(spec: TableSpec, rows: Iterable<Row>): Record<string, number> {
  const cols = spec.columns.filter((col) => col.total);
  const acc: Record<string, number> = Object.fromEntries(cols.map((col) => [col.key, 0]));
  for (const row of rows) addToTotals(spec, acc, row);
  return finishTotals(spec, acc);
}

/** Running totals (amounts kept in cents): add one row. */
export function addToTotals(spec: TableSpec, acc: Record<string, number>, row: Row): void {
  for (const col of spec.columns) {
    if (!col.total) continue;
    const v = row[col.key];
    if (typeof v !== 'number') continue;
    acc[col.key] = (acc[col.key] ?? 0) + (col.kind === 'amount' ? Math.round(v * 100) : v);
  }
}

export function finishTotals(spec: TableSpec, acc: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const col of spec.columns) if (col.total) out[col.key] = col.kind === 'amount' ? (acc[col.key] ?? 0) / 100 : (acc[col.key] ?? 0);
  return out;
}

/** Focus-item label 'Z1 …title' for a code, the code itself when unknown. */
export function focusItemLabel(policy: CountyPolicy, code: string | null | undefined): string {
  if (!code) return '';
  const f = policy.focusItems.find((x) => x.code === code);
  return f ? `${f.code} ${f.title}` : code;
}

export const ASSISTANCE_KIND_ZH: Readonly<Record<string, string>> = {
  URBAN_DIBAO: '城市低保',
  RURAL_DIBAO: '农村低保',
  TEKUN_DISPERSED: '分散特困',
  TEKUN_CENTRALIZED: '集中特困',
};

export const FILING_STATUS_ZH: Readonly<Record<string, string>> = {
  SUBMITTED: '待审核',
  MORE_INFO_REQUESTED: '待补充材料',
  APPROVED: '同意',
  REJECTED: '不同意',
};

/** A staff member's post in table 2 (职务): the short role names, a village cadre written out in full. */
export const STAFF_ROLE_ZH: Readonly<Record<string, string>> = { ...STAFF_ROLE_SHORT_LABELS, VILLAGE_COMMITTEE: '村（居）委会成员' };
