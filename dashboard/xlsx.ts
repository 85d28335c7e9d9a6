/**
 * The dashboard's tables as .xlsx (exceljs, in memory: the tables are
 * aggregates and a county's open cases, small). Same look as the statutory
 * tables (services/reports/xlsx.ts): merged title and scope rows, a Chinese header
 * row frozen with the rows above it, number formats, and a totals row of SUM
 * (or COUNTA) formulas carrying their computed values as cached results.
 */
import ExcelJS from 'exceljs';

import type { CellKind, CellValue } from '../domain/tables/index.js';
import { formatChinaDateTime } from '../domain/time/instants.js';
import { A4_LANDSCAPE, NUMBER_FORMATS } from '../services/reports/xlsx.js';
import { SUBMISSION_STATE_ZH, TIME_LEFT_ZH, type DashboardData } from '../readmodels/dashboard.js';

export const DASHBOARD_TABLES = ['findings', 'cases-by-kind', 'cases', 'submissions', 'trends'] as const;
export type DashboardTable = (typeof DASHBOARD_TABLES)[number];

interface Column {
  key: string;
  header: string;
  kind: CellKind;
  width: number;
  /** 'sum': SUM in the totals row; 'count': COUNTA (how many rows). */
  total?: 'sum' | 'count';
}

interface Sheet {
  title: string;
  columns: Column[];
  rows: Array<Record<string, CellValue>>;
}

export const HEADER_ROW = 3;

const col = (key: string, header: string, kind: CellKind, width: number, total?: 'sum' | 'count'): Column => ({ key, header, kind, width, ...(total ? { total } : {}) });
const yuan = (c: number) => c / 100;
const beijing = (d: Date | null) => (d ? formatChinaDateTime(d) : null);

export const TABLE_TITLES: Record<DashboardTable, string> = {
  findings: '问题线索发现情况（按乡镇、类型）',
  'cases-by-kind': '在办案件（按类型、剩余时间）',
  cases: '在办案件明细（逾期在前）',
  submissions: '本期报送情况',
  trends: '月度趋势',
};

export function sheetOf(table: DashboardTable, data: DashboardData): Sheet {
  const title = TABLE_TITLES[table];
  switch (table) {
    case 'findings':
      return {
        title,
        columns: [col('township', '乡镇（街道）', 'text', 18), col('kind', '问题类型', 'text', 16), col('count', '发现问题数（个）', 'count', 14, 'sum'), col('open', '其中未办结（个）', 'count', 14, 'sum'), col('amount', '涉及金额（元）', 'amount', 16, 'sum')],
        rows: data.findings.map((f) => ({ township: f.township, kind: f.kindZh, count: f.count, open: f.open, amount: yuan(f.amountCents) })),
      };
    case 'cases-by-kind':
      return {
        title,
        columns: [
          col('kind', '案件类型', 'text', 16),
          col('open', '在办（件）', 'count', 10, 'sum'),
          col('overdue', '已逾期', 'count', 10, 'sum'),
          col('within3', '3日内到期', 'count', 10, 'sum'),
          col('within7', '7日内到期', 'count', 10, 'sum'),
          col('later', '7日以上', 'count', 10, 'sum'),
          col('none', '无期限', 'count', 10, 'sum'),
        ],
        rows: data.casesByKind.map((k) => ({ kind: k.kindZh, open: k.open, overdue: k.overdue, within3: k.within3, within7: k.within7, later: k.later, none: k.none })),
      };
    case 'cases':
      return {
        title,
        columns: [
          col('id', '案件编号', 'text', 10),
          col('kind', '案件类型', 'text', 16, 'count'),
          col('township', '乡镇（街道）', 'text', 16),
          col('assignee', '承办人', 'text', 10),
          col('openedAt', '立案时间', 'text', 18),
          col('dueAt', '办理期限', 'text', 18),
          col('daysLeft', '剩余天数（负数为逾期天数）', 'count', 14),
          col('bucket', '时限状态', 'text', 12),
        ],
        rows: data.cases.map((c) => ({
          id: `#${c.id}`,
          kind: c.ledgerNo ? `${c.kindZh}（台账${c.ledgerNo}）` : c.kindZh,
          township: c.township,
          assignee: c.assignee,
          openedAt: beijing(c.openedAt),
          dueAt: beijing(c.dueAt),
          daysLeft: c.daysLeft,
          bucket: TIME_LEFT_ZH[c.bucket],
        })),
      };
    case 'submissions':
      return {
        title,
        columns: [
          col('cycle', '报送事项', 'text', 18),
          col('period', '期次', 'text', 12),
          col('dueAt', '报送截止', 'text', 18),
          col('unit', '报送单位', 'text', 22),
          col('state', '报送状态', 'text', 16),
          col('submittedAt', '报送时间', 'text', 18),
          col('submitted', '已报送（个）', 'count', 10, 'sum'),
          col('late', '其中逾期（个）', 'count', 10, 'sum'),
          col('missing', '未报送（个）', 'count', 10, 'sum'),
        ],
        rows: data.cycles.flatMap((c) =>
          c.units.map((u) => ({
            cycle: c.title,
            period: c.period,
            dueAt: beijing(c.dueAt),
            unit: u.unit,
            state: SUBMISSION_STATE_ZH[u.state],
            submittedAt: beijing(u.submittedAt),
            submitted: u.state === 'on-time' || u.state === 'late' ? 1 : 0,
            late: u.state === 'late' ? 1 : 0,
            missing: u.state === 'missing' || u.state === 'missing-overdue' ? 1 : 0,
          })),
        ),
      };
    case 'trends':
      return {
        title,
        columns: [
          col('month', '月份', 'text', 10),
          col('findings', '发现问题数（个）', 'count', 14, 'sum'),
          col('findingAmount', '涉及金额（元）', 'amount', 16, 'sum'),
          col('opened', '新增整改事项（项）', 'count', 14, 'sum'),
          col('completed', '完成整改事项（项）', 'count', 14, 'sum'),
          col('recovered', '追回金额（元）', 'amount', 16, 'sum'),
        ],
        rows: data.trends.map((t) => ({ month: t.month, findings: t.findings, findingAmount: yuan(t.findingCents), opened: t.rectificationsOpened, completed: t.rectificationsCompleted, recovered: yuan(t.recoveredCents) })),
      };
  }
}

const thin: Partial<ExcelJS.Borders> = { top: { style: 'thin' }, left: { style: 'thin' }, bottom: { style: 'thin' }, right: { style: 'thin' } };

/** One table of the dashboard as an .xlsx file (bytes). */
export async function dashboardXlsx(table: DashboardTable, data: DashboardData, meta: { scopeLabel: string; viewer: string }): Promise<Buffer> {
  const sheetSpec = sheetOf(table, data);
  const wb = new ExcelJS.Workbook();
  wb.creator = 'jiuzhu';
  wb.created = new Date(data.generatedAt);
  const ws = wb.addWorksheet(sheetSpec.title.slice(0, 31).replace(/[\\/?*[\]:]/g, ''), {
    views: [{ state: 'frozen', xSplit: 0, ySplit: HEADER_ROW }],
    pageSetup: { ...A4_LANDSCAPE, printTitlesRow: `1:${HEADER_ROW}` },
  });
  const cols = sheetSpec.columns;
  ws.columns = cols.map((c) => ({ key: c.key, width: c.width }));
  const last = ws.getColumn(cols.length).letter;

  ws.getCell('A1').value = `${meta.scopeLabel}专班看板 · ${sheetSpec.title}`;
  ws.getCell('A1').font = { bold: true, size: 14 };
  ws.getCell('A1').alignment = { horizontal: 'center', vertical: 'middle' };
  ws.getRow(1).height = 26;
  ws.mergeCells(`A1:${last}1`);
  ws.getCell('A2').value = `统计范围：${meta.scopeLabel}\u3000\u3000生成时间：${formatChinaDateTime(new Date(data.generatedAt))}\u3000\u3000导出人：${meta.viewer}`;
  ws.mergeCells(`A2:${last}2`);

  const header = ws.getRow(HEADER_ROW);
  cols.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.value = c.header;
    cell.font = { bold: true };
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    cell.border = thin;
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };
  });
  header.height = 32;

  const sums: Record<string, number> = {};
  sheetSpec.rows.forEach((data, r) => {
    const row = ws.getRow(HEADER_ROW + 1 + r);
    cols.forEach((c, i) => {
      const cell = row.getCell(i + 1);
      const v = data[c.key] ?? null;
      cell.value = v === '' ? null : v;
      const fmt = NUMBER_FORMATS[c.kind];
      if (fmt && c.kind !== 'text') cell.numFmt = fmt;
      cell.border = thin;
      if (c.total === 'sum' && typeof v === 'number') sums[c.key] = Math.round(((sums[c.key] ?? 0) + v) * 100) / 100;
    });
  });

  const n = sheetSpec.rows.length;
  const totals = ws.getRow(HEADER_ROW + 1 + n);
  cols.forEach((c, i) => {
    const cell = totals.getCell(i + 1);
    cell.border = thin;
    cell.font = { bold: true };
    if (i === 0) cell.value = '合计';
    const letter = ws.getColumn(i + 1).letter;
    const range = `${letter}${HEADER_ROW + 1}:${letter}${HEADER_ROW + Math.max(n, 1)}`;
    if (c.total === 'sum') {
      cell.value = n === 0 ? 0 : { formula: `SUM(${range})`, result: sums[c.key] ?? 0 };
      cell.numFmt = NUMBER_FORMATS[c.kind] ?? '0';
    } else if (c.total === 'count') {
      cell.value = n === 0 ? 0 : { formula: `COUNTA(${range})`, result: n };
      cell.numFmt = '0';
    }
  });
  const out = await wb.xlsx.writeBuffer();
  return Buffer.from(out as ArrayBuffer);
}
