// Whether dist/ (npm run build) holds a compiled copy of the sources that is current: the build's
// stamp is newer than every source file it compiles. Shared by bin/jiuzhu.js and scripts/build.mjs.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const DIST = path.join(ROOT, 'dist');
export const STAMP = path.join(DIST, '.build-stamp');
/** What tsconfig.build.json compiles (keep the two lists together). */
export const SOURCE_DIRS = ['app', 'demo', 'dashboard', 'bot', 'activities', 'services', 'readmodels', 'infra', 'workflows', 'domain', 'prisma/generated'];
const CONFIG_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];

/** Newest modification time (ms) of the compiled sources and the build's configuration. */
export function newestSourceMtime() {
  let newest = 0;
  const see = (file) => {
    const m = fs.statSync(file).mtimeMs;
    if (m > newest) newest = m;
  };
  for (const f of CONFIG_FILES) if (fs.existsSync(path.join(ROOT, f))) see(path.join(ROOT, f));
  const walk = (dir) => {
    let entries;
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    see(dir); // a file removed or renamed changes its folder
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) see(p);
    }
  };
  for (const d of SOURCE_DIRS) walk(path.join(ROOT, d));
  return newest;
}

/** The compiled CLI's path when dist/ is present and current, else undefined. */
export function currentCompiledCli() {
  const cli = path.join(DIST, 'app', 'cli.js');
  let stamp;
  try {
    stamp = fs.statSync(STAMP).mtimeMs;
    fs.accessSync(cli);
  } catch {
    return undefined;
  }
  return stamp >= newestSourceMtime() ? cli : undefined;
}
