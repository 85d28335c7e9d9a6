/** Security review finding 4: the embedded PGlite is served on a socket in a private folder, the data folder is 0700. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import pg from 'pg';
import { describe, expect, it } from 'vitest';

import { startPgliteServer } from '../../infra/db/pglite-server.js';

describe('embedded PGlite', () => {
  it('listens on no TCP port, only on a socket only the owner can reach, and the data folder is 0700', async () => {
    const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jz-priv-')), 'data');
    fs.mkdirSync(dataDir, { mode: 0o755 });
    const server = await startPgliteServer({ dataDir });
    try {
      expect(server.url).not.toContain('127.0.0.1');
      expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
      const run = path.join(dataDir, 'run');
      expect(fs.statSync(run).mode & 0o777).toBe(0o700);
      expect(fs.statSync(path.join(run, '.s.PGSQL.5432')).isSocket()).toBe(true);
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      expect((await client.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
      await client.end();
    } finally {
      await server.close();
      fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
    }
  });
});
