// Pure case rules (workflow-safe: no node built-ins, no chinese-days).
export * from './decision.js';
export * from './overpayment.js';
export * from './texts.js';
export * from './ids.js';
export * from './kinds.js';
export * from './prison-exit.js';
export * from './complaint.js';
export * from './clock.js';
export * from './near-relative.js';
export * from './application.js';
export * from './rectification.js';
export * from './finding-work.js';
