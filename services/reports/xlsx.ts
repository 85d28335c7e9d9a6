/**
 * The workbook writer of the statutory tables: one sheet with a merged title
 * row, a merged unit-and-period row, the Chinese header row (frozen with the
 * rows above it), the data rows with number formats (amounts `#,##0.00`,
 * counts `0`, dates `yyyy-mm-dd`), a totals row whose cells are SUM formulas
 * carrying their computed values as cached results (readers that do not
 * recalculate still show the numbers), then notes and the signature line.
 * Printable on A4 landscape (A4_LANDSCAPE): fit to one page wide, rows above
 * the data repeated on every page, text wrapped, wide tables' text columns
 * narrowed to keep the scale legible, the signature line after the last row.
 *
 * Rows are streamed (exceljs WorkbookWriter, each row committed as written):
 * memory stays flat however many rows the query yields.
 */
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { addToTotals, finishTotals, type CellKind, type CellValue, type Row, type TableSpec } from '../../domain/tables/index.js';

export const NUMBER_FORMATS: Readonly<Record<CellKind, string | undefined>> = {
  text: '@',
  count: '0',
  amount: '#,##0.00',
  date: 'yyyy-mm-dd',
  datetime: 'yyyy-mm-dd hh:mm',
};

/** Rows above the data: title, unit and period, header. */
export const HEADER_ROWS = 3;

/**
 * A4 landscape, fit to one page wide and as many pages tall as needed, the
 * title, unit/period and header rows repeated on every page, narrow margins,
 * centred (paper submissions).
 */
export const A4_LANDSCAPE: Partial<ExcelJS.PageSetup> = {
  paperSize: 9,
  orientation: 'landscape',
  fitToPage: true,
  fitToWidth: 1,
  fitToHeight: 0,
  printTitlesRow: `1:${HEADER_ROWS}`,
  horizontalCentered: true,
  margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.6, header: 0.3, footer: 0.3 },
};

/**
 * Character widths A4 landscape holds at a legible scale: about 150 at 100 %
 * (277 mm between the margins); up to this many the fit-to-width scale stays
 * at or above ~85 %.
 */
export const PRINT_WIDTH_BUDGET = 175;

/** The narrowest a column of each kind may get (a number or date never wraps; text and headers do). */
const MIN_WIDTH: Readonly<Record<CellKind, number>> = { text: 6, count: 6, amount: 12, date: 11, datetime: 16 };

/**
 * Column widths for print: the spec's widths, narrowed together (text
 * columns wrap, number and date columns down to what their values need) when
 * the table is wider than the budget.
 */
export function printWidths(spec: TableSpec): number[] {
  const fit = (f: number) => spec.columns.map((c) => Math.max(Math.min(c.width, MIN_WIDTH[c.kind]), Math.floor(c.width * f)));
  const sum = (w: number[]) => w.reduce((a, b) => a + b, 0);
  let f = 1;
  let w = fit(f);
  while (sum(w) > PRINT_WIDTH_BUDGET && f > 0.3) {
    f -= 0.01;
    w = fit(f);
  }
  return w;
}

export interface TableMeta {
  /** 填报单位: the county's name. */
  unitName: string;
  /** Period label, e.g. '2024年5月' or '2024年5月1日至2024年5月14日'. */
  periodLabel: string;
  /** Lines printed under the totals (missing units, remarks). */
  notes?: string[];
}

export interface WrittenTable {
  file: string;
  rows: number;
  totals: Record<string, number>;
}

const CHINA_OFFSET_MS = 8 * 3_600_000;
/** U+3000, the full-width space of Chinese forms. */
const IDEOGRAPHIC_SPACE = '\u3000';

function cellValue(kind: CellKind, v: CellValue): ExcelJS.CellValue {
  if (v === null || v === undefined || v === '') return null;
  if (kind === 'date' && typeof v === 'string') return new Date(`${v.slice(0, 10)}T00:00:00.000Z`);
  // Excel has no time zones: show the Beijing wall clock.
  if (kind === 'datetime' && typeof v === 'string') return new Date(Date.parse(v) + CHINA_OFFSET_MS);
  return v;
}

const thin: Partial<ExcelJS.Borders> = {
  top: { style: 'thin' },
  left: { style: 'thin' },
  bottom: { style: 'thin' },
  right: { style: 'thin' },
};

export async function writeTableXlsx(file: string, spec: TableSpec, meta: TableMeta, rows: AsyncIterable<Row> | Iterable<Row>): Promise<WrittenTable> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: true, useSharedStrings: false });
  workbook.creator = 'jiuzhu';
  workbook.created = new Date();
  const sheet = workbook.addWorksheet(spec.title.slice(0, 31).replace(/[\\/?*[\]:]/g, ''), {
    views: [{ state: 'frozen', xSplit: 0, ySplit: HEADER_ROWS }],
    pageSetup: A4_LANDSCAPE,
    headerFooter: { oddFooter: '&C第 &P 页，共 &N 页', evenFooter: '&C第 &P 页，共 &N 页' },
  });
  const widths = printWidths(spec);
  sheet.columns = spec.columns.map((col, i) => ({ key: col.key, width: widths[i] }));
  const last = sheet.getColumn(spec.columns.length).letter;

  const title = sheet.getRow(1);
  title.getCell(1).value = spec.title;
  title.getCell(1).font = { bold: true, size: 16 };
  title.getCell(1).alignment = { horizontal: 'center', vertical: 'middle' };
  title.height = 30;
  sheet.mergeCells(`A1:${last}1`);
  title.commit();

  const sub = sheet.getRow(2);
  sub.getCell(1).value = `填报单位：${meta.unitName}${IDEOGRAPHIC_SPACE.repeat(2)}统计期间：${meta.periodLabel}`;
  sub.getCell(1).alignment = { horizontal: 'left', vertical: 'middle', wrapText: true };
  sheet.mergeCells(`A2:${last}2`);
  sub.commit();

  const header = sheet.getRow(3);
  spec.columns.forEach((col, i) => {
    const cell = header.getCell(i + 1);
    cell.value = col.header;
    cell.font = { bold: true };
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    cell.border = thin;
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };
  });
  header.height = 36;
  header.commit();

  const acc: Record<string, number> = {};
  let n = 0;
  for await (const data of rows) {
    const row = sheet.getRow(HEADER_ROWS + 1 + n);
    spec.columns.forEach((col, i) => {
      const cell = row.getCell(i + 1);
      cell.value = cellValue(col.kind, data[col.key] ?? null);
      const fmt = NUMBER_FORMATS[col.kind];
      if (fmt && col.kind !== 'text') cell.numFmt = fmt;
      cell.border = thin;
      cell.alignment = col.kind === 'text' ? { wrapText: true, vertical: 'top' } : { vertical: 'top', horizontal: col.kind === 'date' || col.kind === 'datetime' ? 'center' : 'right' };
    });
    row.commit();
    addToTotals(spec, acc, data);
    n += 1;
  }
  const totals = finishTotals(spec, acc);

  const totalRow = sheet.getRow(HEADER_ROWS + 1 + n);
  const labelIndex = spec.columns.findIndex((col) => col.key === spec.totalLabelColumn);
  spec.columns.forEach((col, i) => {
    const cell = totalRow.getCell(i + 1);
    cell.border = thin;
    cell.font = { bold: true };
    if (i === labelIndex) cell.value = '合计';
    if (!col.total) return;
    const letter = sheet.getColumn(i + 1).letter;
    const result = totals[col.key] ?? 0;
    cell.value = n === 0 ? 0 : { formula: `SUM(${letter}${HEADER_ROWS + 1}:${letter}${HEADER_ROWS + n})`, result };
    cell.numFmt = NUMBER_FORMATS[col.kind] ?? '0';
  });
  totalRow.commit();

  let r = HEADER_ROWS + n + 3;
  // Notes and the signature line span the table (merged, wrapped): nothing runs over the page edge.
  for (const note of meta.notes ?? []) {
    const row = sheet.getRow(r);
    row.getCell(1).value = note;
    row.getCell(1).alignment = { wrapText: true, vertical: 'top' };
    sheet.mergeCells(`A${r}:${last}${r}`);
    row.commit();
    r += 1;
  }
  const sign = sheet.getRow(r + 1);
  sign.getCell(1).value = ['填报人：', '审核人：', '填报日期：'].join(IDEOGRAPHIC_SPACE.repeat(6));
  sign.getCell(1).alignment = { horizontal: 'left', vertical: 'middle' };
  sheet.mergeCells(`A${r + 1}:${last}${r + 1}`);
  sign.commit();

  sheet.commit();
  await workbook.commit();
  return { file, rows: n, totals };
}
