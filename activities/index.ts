import type { Database } from './deps.js';
import { createCaseActivities } from './cases.js';
import { createCycleActivities } from './cycles.js';
import { createNoticeActivities } from './notices.js';
import { createNotifyActivities } from './notify.js';

export type { Database } from './deps.js';

/** All activities the worker registers, bound to their dependencies. */
export function createActivities(db: Database) {
  return {
    ...createNoticeActivities(db),
    ...createNotifyActivities(db),
    ...createCaseActivities(db),
    ...createCycleActivities(db),
  };
}

export type Activities = ReturnType<typeof createActivities>;
