/**
 * Every notification kind a workflow or activity writes has a Chinese title on
 * its card (no card falls back to 「通知」). The kinds are read from the sources
 * (`acts.notify({ … kind: '…' })` and Notification rows written by activities).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { notificationMessage, NOTIFICATION_TITLES } from '../../bot/core/notification-buttons.js';

function notifyKinds(): Set<string> {
  const kinds = new Set<string>();
  for (const dir of ['workflows', 'activities']) {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      const src = readFileSync(join(dir, f), 'utf8');
      // A notify call (or a Notification row) and the first kind literal within its argument.
      for (const m of src.matchAll(/(?:notify\(\{|notification\.create\(\{|recipientStaffId:)[\s\S]{0,400}?kind: '([a-z-]+)'/g)) kinds.add(m[1]!);
      for (const m of src.matchAll(/escalate\('[^']+', '([a-z-]+)'/g)) kinds.add(m[1]!);
    }
  }
  return kinds;
}

describe('notification titles', () => {
  it('finds the kinds the workflows send, including the refusal notice and the complaint', () => {
    const kinds = notifyKinds();
    expect(kinds).toContain('refusal-notice');
    expect(kinds).toContain('complaint');
    expect(kinds).toContain('escalation');
  });

  it('titles every kind', () => {
    const missing = [...notifyKinds()].filter((k) => !NOTIFICATION_TITLES[k]);
    expect(missing).toEqual([]);
  });

  it('shows the title on the card', () => {
    expect(notificationMessage({ id: 1, kind: 'refusal-notice', text: 'x', actions: null, workflowId: null }).title).toBe('不予批准告知书待送达');
    expect(notificationMessage({ id: 2, kind: 'complaint', text: 'x', actions: null, workflowId: null }).title).toBe('新投诉举报');
  });
});
