/** County policy: schema, presets, loading and derived deadlines/cycles. */
export * from './schema.js';
export * from './load.js';
export * from './compute.js';
export * from './shift.js';
