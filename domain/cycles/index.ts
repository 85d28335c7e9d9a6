// Pure reporting-cycle rules (workflow-safe: no node built-ins, no chinese-days).
export * from './ids.js';
export * from './texts.js';
export * from './progress.js';
export * from './village.js';
export * from './payments.js';
export * from './digest.js';
export * from './plan.js';
export * from './schedule.js';
export * from './units.js';
export * from './summary.js';
