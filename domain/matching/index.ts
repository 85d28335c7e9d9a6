/**
 * Cross-matching (数据比对): the pure part. Kinds and their Chinese text,
 * finding keys, amount rules, evidence shapes and the `--json` line schema,
 * and the county policy turned into lookup tables for the SQL
 * (activities/matching runs it).
 */
export * from './kinds.js';
export * from './keys.js';
export * from './amounts.js';
export * from './tables.js';
export * from './evidence.js';
export * from './text.js';
