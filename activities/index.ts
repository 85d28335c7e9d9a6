import type { Database } from './deps.js';
import { createNoticeActivities } from './notices.js';

export type { Database } from './deps.js';

/** All activities the worker registers, bound to their dependencies. */
export function createActivities(db: Database) {
  return {
    ...createNoticeActivities(db),
  };
}

export type Activities = ReturnType<typeof createActivities>;
