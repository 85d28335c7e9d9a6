import { pino, type Logger } from 'pino';

/**
 * One JSON logger for the process. Personal data never goes in here unmasked:
 * the redact paths below are a safety net, callers mask first.
 */
export function createLogger(level: string = process.env.JIUZHU_LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { service: 'jiuzhu' },
    redact: {
      paths: ['*.idNumber', '*.bankAccount', '*.idCard', 'idNumber', 'bankAccount', '*.appSecret', '*.encryptKey'],
      censor: '[已屏蔽]',
    },
  });
}

export const logger = createLogger();
