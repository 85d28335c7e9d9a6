/**
 * The layer rule of `npm run lint` (.dependency-cruiser.cjs) run on a small tree of its own: an
 * upward import and a cycle of folders are rejected, a downward import passes. (The real tree is
 * checked by `npm run lint` in CI.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';

const require = createRequire(import.meta.url);
const config = require('../../.dependency-cruiser.cjs') as IConfiguration;

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** Writes the files into a fresh folder and cruises it with the project's rules. */
async function violations(files: Record<string, string>): Promise<Array<{ rule: string; from: string; to: string }>> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-layers-'));
  dirs.push(root);
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  const cwd = process.cwd();
  process.chdir(root);
  try {
    const { output } = await cruise(Object.keys(files).map((f) => f.split('/')[0]!).filter((d, i, a) => a.indexOf(d) === i), {
      validate: true,
      ruleSet: { forbidden: config.forbidden },
      doNotFollow: { path: 'node_modules' },
    });
    const result = output as ICruiseResult;
    return result.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to }));
  } finally {
    process.chdir(cwd);
  }
}

describe('layer rule (dependency-cruiser)', () => {
  it('passes imports that go down the layers', async () => {
    expect(await violations({
      'app/cli.js': "import './../services/import.js';\n",
      'services/import.js': "import '../infra/db.js';\nimport '../domain/rule.js';\n",
      'infra/db.js': "import '../domain/rule.js';\n",
      'domain/rule.js': 'export const x = 1;\n',
    })).toEqual([]);
  });

  it('rejects an import from a lower layer up into a higher one', async () => {
    const found = await violations({
      'activities/notify.js': "import '../bot/core.js';\n",
      'bot/core.js': 'export const y = 1;\n',
    });
    expect(found).toContainEqual({ rule: 'activities-imports-downward', from: 'activities/notify.js', to: 'bot/core.js' });
  });

  it('rejects a cycle of folders inside one layer', async () => {
    const found = await violations({
      'domain/tables/spec.js': "import '../import/vocabulary.js';\n",
      'domain/import/vocabulary.js': "import '../tables/kinds.js';\n",
      'domain/tables/kinds.js': 'export const k = 1;\n',
    });
    expect(found.map((v) => v.rule)).toContain('no-folder-cycles');
  });

  it('rejects a workflow that imports a side effect', async () => {
    const found = await violations({
      'workflows/death-review.js': "import '../activities/cases.js';\n",
      'activities/cases.js': 'export const c = 1;\n',
    });
    expect(found.map((v) => v.rule)).toEqual(expect.arrayContaining(['workflows-imports-downward', 'workflows-deterministic']));
  });
});
