import type { Database } from './deps.js';
import { createCaseActivities } from './cases.js';
import { createComplaintActivities } from './complaints.js';
import { createCycleActivities } from './cycles.js';
import { createCycleTableActivities } from './cycle-tables.js';
import { createNoticeActivities } from './notices.js';
import { createNotifyActivities } from './notify.js';
import { createPrisonExitActivities } from './prison-exit.js';
import { createFilingActivities } from './filings.js';
import { createApplicationActivities } from './applications.js';
import { createRectificationActivities } from './rectification.js';
import { createFindingWorkActivities } from './findings-work.js';
import { createPhaseSummaryActivities } from './phase-summary.js';

export type { Database } from './deps.js';

/** All activities the worker registers, bound to their dependencies. */
export function createActivities(db: Database) {
  return {
    ...createNoticeActivities(db),
    ...createNotifyActivities(db),
    ...createCaseActivities(db),
    ...createPrisonExitActivities(db),
    ...createComplaintActivities(db),
    ...createFilingActivities(db),
    ...createApplicationActivities(db),
    ...createRectificationActivities(db),
    ...createCycleActivities(db),
    ...createCycleTableActivities(db),
    ...createFindingWorkActivities(db),
    ...createPhaseSummaryActivities(db),
  };
}

export type Activities = ReturnType<typeof createActivities>;
