export { registerDashboard, DASHBOARD_FORBIDDEN, type DashboardRoutesOptions } from './routes.js';
export { resolveViewer, VILLAGE_REFUSAL, type DashboardScope, type DashboardViewer } from './scope.js';
export * from './queries.js';
export { dashboardXlsx, DASHBOARD_TABLES, type DashboardTable } from './xlsx.js';
