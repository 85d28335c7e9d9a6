// Statutory tables (统计表): column definitions, totals and periods. Pure.
export * from './spec.js';
export * from './period.js';
export * from './attachments.js';
export * from './severe-disability.js';
export * from './ledger.js';
