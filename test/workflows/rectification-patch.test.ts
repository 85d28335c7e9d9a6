/**
 * `patched()` in practice: the rectification workflow gained a confirmation
 * request (a card with a button for the 专班 office) after its first release.
 * A history recorded by the first release (an item that had already reported
 * completion) must still replay on today's code, which is what keeps running
 * items alive across the deploy.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { testDataConverter } from '../support/temporal.js';

const fixture = path.join(import.meta.dirname, 'fixtures/histories/rectification-completed-before-confirm-request.binpb');
const History = proto.temporal.api.history.v1.History;
const EventType = proto.temporal.api.enums.v1.EventType;

describe('rectification item: patched confirmation request', () => {
  it('replays a history recorded before the patch', async () => {
    // The history as fetchHistory() returned it, stored as binary protobuf (payloads encrypted with the test key).
    const history = History.decode(fs.readFileSync(fixture));
    const events = history.events ?? [];
    // The recorded run reported completion and sent no confirmation request (no patch marker).
    expect(events.some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED)).toBe(true);
    expect(events.some((e) => e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED)).toBe(false);
    await expect(
      Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: testDataConverter }, history, 'rectification-before-patch'),
    ).resolves.toBeUndefined();
  });
});
