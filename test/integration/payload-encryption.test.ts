import { describe, expect, it } from 'vitest';
import { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { scheduledNotice } from '../../workflows/index.js';
import { EncryptionCodec, PayloadCipherError, payloadKeyFromBase64 } from '../../infra/temporal/payload-codec.js';
import { useTemporalTestContext, connectDevServer, createTestWorker, uniqueTaskQueue } from '../support/temporal.js';
import { freshIdNumber } from '../support/ids.js';

describe('personal data in Temporal payloads', () => {
  const ctx = useTemporalTestContext(connectDevServer);
  const { prisma } = ctx;

  it('never reaches the server in plain text: the stored history holds only ciphertext', async () => {
    const idNumber = freshIdNumber();
    const taskQueue = uniqueTaskQueue('codec');
    const worker = await createTestWorker({ connection: ctx.env.nativeConnection, taskQueue, db: { prisma } });
    const workflowId = `codec-${taskQueue}`;
    const note = `死亡核查：王某某 ${idNumber}`;
    const result = await worker.runUntil(
      ctx.env.client.workflow.execute(scheduledNotice, { taskQueue, workflowId, args: [{ note, dueAt: new Date().toISOString() }] }),
    );
    // Through the codec the workflow saw and stored the real text.
    expect((await prisma.notice.findUniqueOrThrow({ where: { id: result.recordId } })).note).toBe(note);

    // A client without the key reads the raw history from the server.
    const raw = new Client({ connection: ctx.env.connection });
    const history = await raw.workflow.getHandle(workflowId).fetchHistory();
    const bytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
    expect(bytes.length).toBeGreaterThan(500);
    expect(bytes.includes(Buffer.from(idNumber))).toBe(false);
    expect(bytes.includes(Buffer.from('王某某'))).toBe(false);
    expect(bytes.includes(Buffer.from('binary/encrypted'))).toBe(true);
  });

  it('refuses a payload encrypted with a key it does not have, and detects tampering', async () => {
    const a = new EncryptionCodec(payloadKeyFromBase64(Buffer.alloc(32, 1).toString('base64')));
    const b = new EncryptionCodec(payloadKeyFromBase64(Buffer.alloc(32, 2).toString('base64')));
    const payload = { metadata: { encoding: new TextEncoder().encode('json/plain') }, data: new TextEncoder().encode('"x"') };
    const [encrypted] = await a.encode([payload]);
    await expect(b.decode([encrypted!])).rejects.toBeInstanceOf(PayloadCipherError);
    const tampered = { ...encrypted!, data: Uint8Array.from(encrypted!.data!) };
    tampered.data[20] = tampered.data[20]! ^ 0xff;
    await expect(a.decode([tampered])).rejects.toThrow();
    const [roundTrip] = await a.decode([encrypted!]);
    expect(new TextDecoder().decode(roundTrip!.data!)).toBe('"x"');
  });

  it('rejects a key of the wrong length with a Chinese message', () => {
    expect(() => payloadKeyFromBase64(Buffer.alloc(16).toString('base64'))).toThrow(/32 字节/);
  });
});
