export { createConsoleStore, consoleChatId, ConsoleHub, CONSOLE_LOG_TTL_MS, type ConsoleEntry, type ConsoleStore } from './outbound.js';
export { registerConsole, FORBIDDEN_TEXT, type ConsoleRoutes, type ConsoleRoutesOptions } from './routes.js';
export { issueLoginToken, redeemLoginToken, sessionStaffId, ensureConsoleBinding, consoleExternalId, LOGIN_TOKEN_TTL_MS, SESSION_TTL_MS, SESSION_COOKIE } from './auth.js';
export { DEMO_BANNER } from './page.js';
export { chineseFrameworkErrors } from './http-errors.js';
