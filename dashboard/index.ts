export { registerDashboard, DASHBOARD_FORBIDDEN, type DashboardRoutesOptions } from './routes.js';
export { resolveViewer, VILLAGE_REFUSAL, type DashboardScope, type DashboardViewer } from '../readmodels/dashboard-scope.js';
export * from '../readmodels/dashboard.js';
export { dashboardXlsx, DASHBOARD_TABLES, type DashboardTable } from './xlsx.js';
