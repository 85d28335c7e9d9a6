/**
 * Workflow-safe subset of `domain/time`: no holiday package, no node: modules.
 * Temporal workflow code imports from here.
 */
export * from './local-date.js';
export * from './instants.js';
export * from './work-calendar.js';
export * from './deadlines.js';
