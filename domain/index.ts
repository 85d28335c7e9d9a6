/**
 * The pure domain core. Barrel for CLI, bot and activities.
 *
 * Temporal workflow code should import narrower modules instead:
 * `domain/time/core.js` (no holiday package), `domain/policy/schema.js`,
 * `domain/policy/compute.js`, `domain/identity/index.js`.
 * The keyed ID hash (node:crypto) is only in `domain/identity/id-hash.js`.
 */
export * from './errors.js';
export * from './zod-zh.js';
export * from './time/index.js';
export * from './policy/index.js';
export * from './identity/index.js';
export * from './deadline-query.js';
