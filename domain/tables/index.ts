// Statutory tables (统计表): column definitions, totals and periods. Pure.
export * from './spec.js';
export * from './period.js';
