/**
 * The statutory calendar (Asia/Shanghai): civil dates, instants, working days
 * with 调休, holiday overrides and deadline arithmetic.
 * Workflow code: import `./core.js` instead (no `chinese-days`).
 */
export * from './core.js';
export * from './overrides.js';
export * from './chinese-days-source.js';
export * from './calendar.js';
