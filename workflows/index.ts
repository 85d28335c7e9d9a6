// Every workflow the worker runs. Workflow code is bundled for the Temporal
// sandbox: import only deterministic code (domain/, activity types).
export { scheduledNotice } from './scheduled-notice.js';
export { deathReview } from './death-review.js';
export { prisonExit } from './prison-exit.js';
export { complaint } from './complaint.js';
export { nearRelativeFiling } from './near-relative-filing.js';
export { applicationReview } from './application-review.js';
export { rectificationItem } from './rectification-item.js';
export { progressReportCycle } from './progress-report-cycle.js';
export { paymentDeadlineWatch } from './payment-deadline-watch.js';
export { dailyDigest } from './daily-digest.js';
export { villageMonthlyChain } from './village-monthly-chain.js';
export { cycleTick } from './cycle-tick.js';
export { findingsToWork } from './findings-to-work.js';
