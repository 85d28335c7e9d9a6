/**
 * Daily digest (每日待办): one run per county and working day
 * (`daily-digest:<county>:<date>`, started by the tick only on working days).
 * Each staff member with open items (cases assigned to them, their units'
 * missing reports of open cycles, filings awaiting them) gets ONE message,
 * least time left first; nobody with nothing open gets anything.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { CycleActivities } from '../activities/cycles.js';
import type { NotifyActivities } from '../activities/notify.js';
import { chinaDateOf, digestText } from '../domain/cycles/index.js';
import { forEachSideBySide } from './notify-side-by-side.js';

const acts = proxyActivities<CycleActivities & NotifyActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

export interface DailyDigestInput {
  countyRegionId: number;
  /** The working day ('YYYY-MM-DD', Asia/Shanghai); default: today in workflow time. */
  date?: string;
}

export async function dailyDigest(input: DailyDigestInput): Promise<{ date: string; sent: number[] }> {
  const { workflowId } = workflowInfo();
  const date = input.date ?? chinaDateOf(Date.now());
  const items = await acts.collectDigestItems({ countyRegionId: input.countyRegionId });
  const sent: number[] = [];
  const nowMs = Date.now();
  await forEachSideBySide(Object.keys(items).map(Number).sort((a, b) => a - b), async (staffId) => {
    const text = digestText(date, items[staffId] ?? [], nowMs);
    if (text === null) return;
    await acts.notify({
      recipientStaffId: staffId,
      kind: 'digest',
      text,
      dedupeKey: `digest:${input.countyRegionId}:${date}:staff:${staffId}`,
      workflowId,
      sentAt: new Date(nowMs).toISOString(),
    });
    sent.push(staffId);
  });
  return { date, sent: sent.sort((a, b) => a - b) };
}
