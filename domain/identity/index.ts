/**
 * Workflow-safe identity helpers. The keyed hash (node:crypto) is NOT
 * re-exported here: import `./id-hash.js` from activities, CLI or bot.
 */
export * from './id-number.js';
export * from './contact.js';
export * from './generate.js';
