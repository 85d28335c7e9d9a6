/**
 * A batch of notifications at one instant (a cycle's prompts to every unit,
 * a reminder round, the morning digests): one `notify` activity each.
 *
 * Runs recorded after the patch `notify-side-by-side` schedule the whole batch
 * in one workflow task and wait for all of it, so a county of 100 villages
 * takes one round trip instead of 100. Runs recorded before it replay one
 * after another, as they were recorded. Each activity keeps its own retries
 * and dedupe key, so a failure of one never re-sends the others.
 */
import { patched } from '@temporalio/workflow';

export const NOTIFY_SIDE_BY_SIDE_PATCH = 'notify-side-by-side';

export async function forEachSideBySide<T>(items: readonly T[], send: (item: T) => Promise<void>): Promise<void> {
  if (items.length === 0) return;
  if (patched(NOTIFY_SIDE_BY_SIDE_PATCH)) {
    await Promise.all(items.map((item) => send(item)));
    return;
  }
  for (const item of items) await send(item);
}
