/**
 * Import of county files (花名册, 发放记录, 死亡/服刑名单, 近亲属申报, 工作人员):
 * pure parsing and validation of header rows and data rows. File reading and
 * database writes are in services/import. account.ts (node:crypto) is exported too:
 * do not import this barrel from workflow code.
 */
export * from './types.js';
export * from './cells.js';
export * from './columns.js';
export * from './vocabulary.js';
export * from './rows.js';
export * from './consistency.js';
export * from './account.js';
export * from './mask.js';
export * from './units.js';
