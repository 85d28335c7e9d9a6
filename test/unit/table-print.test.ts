/**
 * Every statutory table prints legibly on A4 landscape: the page setup read back from the written
 * .xlsx (fit to one page wide, any number tall, A4, landscape, the rows above the data repeated on
 * every page), text wrapped rather than running into the next column, the notes and the signature
 * line spanning the table after the last row, and the column widths small enough that fitting to
 * the page width keeps a legible scale. (LibreOffice is not installed on the build machine: the
 * page setup is asserted in the file.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { HEADER_ROWS, PRINT_WIDTH_BUDGET, printWidths, writeTableXlsx } from '../../services/reports/xlsx.js';
import { TABLE_IDS, TABLE_SPECS, type Row } from '../../domain/tables/index.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-print-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A4 landscape between 0.4" margins: 297 mm − 2 × 10.2 mm; a width unit of Calibri 11 is ~7 px = 1.85 mm. */
const PRINTABLE_MM = 297 - 2 * 0.4 * 25.4;
const MM_PER_WIDTH_UNIT = 1.85;

function sampleRows(id: (typeof TABLE_IDS)[number], n: number): Row[] {
  const spec = TABLE_SPECS[id];
  return Array.from({ length: n }, (_, i) =>
    Object.fromEntries(
      spec.columns.map((c) => [
        c.key,
        c.kind === 'text' ? `第${i + 1}行：${'较长的说明文字，用于检查换行'.repeat(3)}` : c.kind === 'count' ? i : c.kind === 'amount' ? 123456.78 : c.kind === 'date' ? '2026-12-07' : '2026-12-07T01:30:00.000Z',
      ]),
    ),
  );
}

describe('statutory tables on A4 landscape', () => {
  for (const id of TABLE_IDS) {
    it(`${id}: page setup, repeated header rows, wrapped text, signature after the last row, legible scale`, async () => {
      const spec = TABLE_SPECS[id];
      const file = path.join(dir, `${id}.xlsx`);
      const rows = sampleRows(id, 60);
      await writeTableXlsx(file, spec, { unitName: '长子县', periodLabel: '2026年12月', notes: ['未报送单位（2个）：甲镇人民政府、乙镇人民政府'.repeat(4)] }, rows);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(file);
      const ws = wb.worksheets[0]!;
      expect(ws.pageSetup).toMatchObject({ paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: `1:${HEADER_ROWS}` });
      // Header and every text cell wrap; numbers are aligned, not overflowing.
      spec.columns.forEach((c, i) => {
        expect(ws.getRow(HEADER_ROWS).getCell(i + 1).alignment?.wrapText).toBe(true);
        const cell = ws.getRow(HEADER_ROWS + 1).getCell(i + 1);
        if (c.kind === 'text') expect(cell.alignment?.wrapText).toBe(true);
      });
      // The unit/period line, the notes and the signature line span all columns (merged), after the totals.
      const last = ws.getColumn(spec.columns.length).letter;
      const merges = (ws.model as unknown as { merges: string[] }).merges;
      expect(merges).toContain(`A2:${last}2`);
      const signRow = ws.getColumn(1).values.findIndex((v) => typeof v === 'string' && v.startsWith('填报人：'));
      expect(signRow).toBeGreaterThan(HEADER_ROWS + rows.length + 1);
      expect(merges).toContain(`A${signRow}:${last}${signRow}`);
      const noteRow = ws.getColumn(1).values.findIndex((v) => typeof v === 'string' && v.startsWith('未报送单位'));
      expect(merges).toContain(`A${noteRow}:${last}${noteRow}`);
      // Widths: within the budget, so fitting to the width keeps the print scale at 80 % or more.
      const widths = spec.columns.map((_, i) => ws.getColumn(i + 1).width ?? 9)  // exceljs reads the default width 9 back as undefined;
      expect(widths).toEqual(printWidths(spec));
      const total = widths.reduce((a, b) => a + b, 0);
      expect(total).toBeLessThanOrEqual(PRINT_WIDTH_BUDGET);
      const scale = Math.min(1, PRINTABLE_MM / (total * MM_PER_WIDTH_UNIT));
      expect(scale).toBeGreaterThanOrEqual(0.8);
      // An amount or date column keeps room for its value (they do not wrap).
      spec.columns.forEach((c, i) => {
        if (c.kind === 'amount') expect(widths[i]).toBeGreaterThanOrEqual(Math.min(c.width, 12));
        if (c.kind === 'date') expect(widths[i]).toBeGreaterThanOrEqual(Math.min(c.width, 11));
      });
    });
  }

  it('narrows a table wider than the budget, the text columns most', () => {
    const wide = { ...TABLE_SPECS['zhangzi-1'], columns: [...TABLE_SPECS['zhangzi-1'].columns, { key: 'x', header: '备注', kind: 'text' as const, width: 120 }] };
    const w = printWidths(wide);
    expect(w.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(PRINT_WIDTH_BUDGET);
    expect(w.at(-1)).toBeLessThan(120);
  });
});
