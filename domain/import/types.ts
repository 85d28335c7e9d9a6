/**
 * Shared types of the file import (导入): the kinds of file, the raw cell
 * values a reader hands over, and the result of parsing one row.
 */

/** The kinds of file `jiuzhu import` understands (same names as the ImportKind enum of the schema). */
export const IMPORT_KINDS = ['roster', 'payments', 'deaths', 'prison', 'relatives', 'staff', 'monitored', 'applications'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export const IMPORT_KIND_LABELS: Record<ImportKind, string> = {
  roster: '花名册',
  payments: '发放记录',
  deaths: '死亡名单',
  prison: '服刑（羁押）名单',
  relatives: '近亲属申报',
  staff: '工作人员名单',
  monitored: '新增监测对象（重残人员）名单',
  applications: '救助申请登记表',
};

export function isImportKind(value: string): value is ImportKind {
  return (IMPORT_KINDS as readonly string[]).includes(value);
}

/**
 * One cell as a reader delivers it: CSV gives strings; xlsx gives strings,
 * numbers, booleans, dates (date-formatted cells, UTC midnight) or rich
 * values (formula results, rich text, hyperlinks) that the reader flattens.
 * Empty cells are null or undefined.
 */
export type Cell = string | number | boolean | Date | null | undefined;

/** The row's cells by canonical field name (see columns.ts). */
export type RowValues = Readonly<Record<string, Cell>>;

export type RowResult<T> = { ok: true; value: T } | { ok: false; errors: string[] };
