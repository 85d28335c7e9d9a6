import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';

import { openDatabase } from '../../infra/db/index.js';
import { startPgliteServer } from '../../infra/db/pglite-server.js';
import { testDatabaseUrl } from '../support/database.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-open-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('openDatabase', () => {
  it('embedded PGlite: migrates, serves pg clients, keeps data across restarts', async () => {
    const dataDir = tempDir();
    const first = await openDatabase({ dataDir });
    try {
      expect(first.kind).toBe('pglite');
      // Served on a socket in the private data folder, not on a TCP port (anyone on the machine could connect as superuser).
      expect(first.url).toMatch(/^postgresql:\/\/postgres@localhost\/postgres\?host=.*%2Frun&application_name=jiuzhu-pglite$/);
      await first.prisma.notice.create({ data: { workflowId: 'wf-persist', note: 'kept' } });
      // A second process must not open the same directory while it is served.
      await expect(startPgliteServer({ dataDir })).rejects.toThrow(/in use/);
      // Plain pg clients reach it too, several at once, and survive an SQL error.
      const pool = new pg.Pool({ connectionString: first.url, max: 4 });
      await expect(pool.query('SELECT * FROM "NoSuchTable"')).rejects.toThrow();
      const counts = await Promise.all([1, 2, 3, 4].map(() => pool.query('SELECT count(*)::int AS n FROM "Notice"')));
      expect(counts.map((r) => r.rows[0].n)).toEqual([1, 1, 1, 1]);
      await pool.end();
    } finally {
      await first.close();
    }
    expect(fs.existsSync(path.join(dataDir, 'pglite'))).toBe(true);

    const second = await openDatabase({ dataDir });
    try {
      expect(await second.prisma.notice.findUnique({ where: { workflowId: 'wf-persist' } })).toMatchObject({ note: 'kept' });
    } finally {
      await second.close();
    }
  }, 180_000);

  it('with a database URL: uses it as is', async () => {
    const url = testDatabaseUrl();
    const db = await openDatabase({ databaseUrl: url, dataDir: tempDir() });
    try {
      expect(db.kind).toBe('postgresql');
      expect(db.url).toBe(url);
      const record = await db.prisma.notice.create({ data: { workflowId: `wf-${Date.now()}-${Math.random()}`, note: 'n' } });
      expect(record.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(record.createdAt).toBeInstanceOf(Date);
      const event = await db.prisma.processedEvent.upsert({ where: { id: `ev-${record.id}` }, create: { id: `ev-${record.id}`, platform: 'test' }, update: {} });
      expect(event.receivedAt).toBeInstanceOf(Date);
    } finally {
      await db.close();
    }
  });
});
