// Every workflow the worker runs. Workflow code is bundled for the Temporal
// sandbox: import only deterministic code (domain/, activity types).
export { scheduledNotice } from './scheduled-notice.js';
export { deathReview } from './death-review.js';
export { progressReportCycle } from './progress-report-cycle.js';
