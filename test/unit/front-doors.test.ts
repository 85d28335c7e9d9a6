/**
 * Every Update a workflow defines has a front door: a step contract in the
 * bot's registry that some role may take. Enumerates the exports of every
 * workflow module and every domain/steps module (no list kept by hand), so a
 * new Update without a contract fails here. Prints `front doors: N of M`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { describe, expect, it } from 'vitest';

import { CASE_STEPS } from '../../bot/core/steps/registry.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Workflows whose steps another branch (issue 12's `cases` helper) is writing:
 * their Updates are counted and printed, but not yet required. Remove a module
 * from this list as soon as its contracts are in the registry (the test fails
 * when a listed module is already fully covered, so the list cannot go stale).
 */
const PENDING_ELSEWHERE = new Set<string>([]);

function modules(dir: string): string[] {
  return fs
    .readdirSync(path.join(root, dir), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? modules(path.join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path.join(dir, e.name)] : []));
}

interface Def {
  type: 'update';
  name: string;
}
const isUpdate = (x: unknown): x is Def => typeof x === 'object' && x !== null && (x as Def).type === 'update' && typeof (x as Def).name === 'string';

describe('front doors', () => {
  it('every Update of every workflow has a step contract some role may take', async () => {
    const defs = new Map<Def, { module: string; exportName: string }>();
    for (const file of [...modules('workflows'), ...modules('domain/steps')]) {
      const mod = (await import(pathToFileURL(path.join(root, file)).href)) as Record<string, unknown>;
      for (const [exportName, value] of Object.entries(mod)) {
        if (!isUpdate(value)) continue;
        // The module that first exports it from workflows/ names it (the definition lives in domain/steps).
        const known = defs.get(value);
        if (!known || (file.startsWith('workflows/') && !known.module.startsWith('workflows/'))) defs.set(value, { module: file, exportName });
      }
    }
    const reachable = new Set<unknown>(CASE_STEPS.flatMap((k) => k.steps.filter((s) => s.roles.length > 0).map((s) => s.update)));
    const missing = [...defs].filter(([d]) => !reachable.has(d)).map(([d, where]) => ({ ...where, update: d.name }));
    console.log(`front doors: ${defs.size - missing.length} of ${defs.size}`);
    for (const m of missing) console.log(`  no front door: ${m.module} ${m.exportName} ('${m.update}')`);

    expect(defs.size).toBeGreaterThanOrEqual(28);
    expect(missing.filter((m) => !PENDING_ELSEWHERE.has(m.module))).toEqual([]);
    for (const pending of PENDING_ELSEWHERE) {
      expect(missing.some((m) => m.module === pending), `${pending} is covered now: remove it from PENDING_ELSEWHERE`).toBe(true);
    }
  });

  it('step ids are unique and short enough for a Telegram callback and a Feishu component name', () => {
    const ids = CASE_STEPS.flatMap((k) => k.steps.map((s) => s.id));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(/^[a-z0-9]+\.[a-z0-9]+$/);
      // 's:c123456789:<id>' as callback data.
      expect(Buffer.byteLength(`a:sf:c123456789:${id}`)).toBeLessThanOrEqual(64);
    }
  });
});
