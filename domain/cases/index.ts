// Pure case rules (workflow-safe: no node built-ins, no chinese-days).
export * from './decision.js';
export * from './overpayment.js';
export * from './texts.js';
export * from './ids.js';
export * from './kinds.js';
export * from './rectification.js';
