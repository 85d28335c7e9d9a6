// The shipped sample files: up to date with scripts/sample-data.ts, and every row valid.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

import { inspectFile, readRows } from '../../services/import/source.js';
import { createRowParser, HeaderFinder, isBlankRow, RosterFileChecks, rowValues, type RosterRow } from '../../domain/import/index.js';
import { DEFAULT_NEAR_RELATIONS } from '../../domain/policy/schema.js';
import { buildSamples, SAMPLE_FILES, writeSampleSet } from '../../scripts/sample-data.js';

const samples = fileURLToPath(new URL('../../samples/', import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-samples-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('sample files', () => {
  it('are what scripts/make-samples.ts writes (byte for byte)', async () => {
    await writeSampleSet(tmp, buildSamples());
    for (const f of SAMPLE_FILES) {
      expect(fs.readFileSync(path.join(tmp, f.file)).equals(fs.readFileSync(path.join(samples, f.file))), f.file).toBe(true);
    }
  });

  it.each(SAMPLE_FILES.map((f) => [f.kind, f.file] as const))('%s (%s): every row passes the row and file checks', async (kind, file) => {
    const info = await inspectFile(path.join(samples, file));
    const parse = createRowParser(kind, { today: '2026-11-22', nearRelations: DEFAULT_NEAR_RELATIONS });
    const finder = new HeaderFinder(kind);
    const checks = new RosterFileChecks();
    let header;
    let rows = 0;
    const errors: string[] = [];
    for await (const r of readRows(info)) {
      if (isBlankRow(r.cells)) continue;
      if (!header) {
        header = finder.offer(r.cells, r.line);
        continue;
      }
      rows++;
      const p = parse(rowValues(header.fields, r.cells));
      if (!p.ok) errors.push(`${r.line}: ${p.errors.join('；')}`);
      else if (kind === 'roster') errors.push(...checks.check(p.value as RosterRow, r.line).map((e) => `${r.line}: ${e}`));
    }
    expect(header).toBeDefined();
    expect(errors).toEqual([]);
    expect(rows).toBeGreaterThan(0);
  });

  it('roster-with-errors.csv has the mistakes the docs describe', async () => {
    const info = await inspectFile(path.join(samples, 'roster-with-errors.csv'));
    expect(info.encodingReason).toBe('bom');
  });
});
