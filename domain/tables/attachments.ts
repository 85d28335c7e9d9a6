/**
 * Files attached to a notification (Notification.attachments): the statutory
 * tables of a cycle, stored under the data folder. Pure: the shape, its
 * parsing from the Json column, and the path check every reader applies
 * before touching the file system.
 */

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface NotificationAttachment {
  /** Path relative to the data folder, '/'-separated ('reports/12/progress/2026-11-29/附件1-….xlsx'). */
  path: string;
  /** File name shown to the recipient. */
  fileName: string;
  mime: string;
}

/**
 * A relative path that stays inside the folder it is resolved against: no
 * absolute path, no drive letter, no backslash, no '..' or '.' segment, no
 * empty segment, no control character.
 */
export function isSafeRelativePath(p: unknown): p is string {
  if (typeof p !== 'string' || p === '' || p.length > 1024) return false;
  if (/[\\\u0000-\u001f]/.test(p) || p.startsWith('/') || /^[A-Za-z]:/.test(p)) return false;
  return p.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

/** The attachments of a notification row; entries that are malformed or unsafe are dropped. */
export function notificationAttachments(value: unknown): NotificationAttachment[] {
  if (!Array.isArray(value)) return [];
  const out: NotificationAttachment[] = [];
  for (const v of value) {
    if (typeof v !== 'object' || v === null) continue;
    const a = v as Record<string, unknown>;
    if (!isSafeRelativePath(a.path) || typeof a.fileName !== 'string' || a.fileName === '' || typeof a.mime !== 'string') continue;
    out.push({ path: a.path, fileName: a.fileName, mime: a.mime });
  }
  return out;
}
