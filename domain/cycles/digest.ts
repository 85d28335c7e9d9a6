/** The daily digest (每日待办): one message per staff member, least time left first. Pure. */
import { chinaDateTimeText, timeLeftText } from './texts.js';

export interface DigestItem {
  kind: 'case' | 'report' | 'filing';
  /** Workflow id or row reference (no personal data). */
  ref: string;
  title: string;
  /** First late instant, ISO-8601; null when there is no deadline. */
  dueAt: string | null;
}

/** Least time left first; items without a deadline last; ties by title then ref. */
export function sortDigestItems(items: readonly DigestItem[]): DigestItem[] {
  const t = (i: DigestItem) => (i.dueAt === null ? Number.POSITIVE_INFINITY : Date.parse(i.dueAt));
  return [...items].sort((a, b) => t(a) - t(b) || a.title.localeCompare(b.title) || a.ref.localeCompare(b.ref));
}

/** The digest text of one staff member (null when nothing is open: nobody gets an empty digest). */
export function digestText(date: string, items: readonly DigestItem[], nowMs: number): string | null {
  if (items.length === 0) return null;
  const sorted = sortDigestItems(items);
  const lines = [`【每日待办】${date}，您有${sorted.length}项待办（按剩余时间排序）：`];
  sorted.forEach((item, i) => {
    const when = item.dueAt === null ? '无期限' : `截止${chinaDateTimeText(Date.parse(item.dueAt))}，${timeLeftText(nowMs, Date.parse(item.dueAt))}`;
    lines.push(`${i + 1}. ${item.title}（${when}）`);
  });
  return lines.join('\n');
}
