#!/usr/bin/env node
// `npm run build`: compiles the product to JavaScript in dist/ (tsconfig.build.json; the generated
// Prisma client included), then stamps the build so that bin/jiuzhu.js runs it. A failed compile
// removes the stamp: the CLI then keeps running the sources.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { DIST, ROOT, STAMP } from '../bin/compiled.js';

const require = createRequire(import.meta.url);
if (!fs.existsSync(path.join(ROOT, 'prisma', 'generated', 'client.ts'))) {
  console.error('build: prisma/generated is missing; run `npx prisma generate` first');
  process.exit(1);
}
fs.rmSync(STAMP, { force: true });
const started = Date.now();
const tsc = require.resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit', cwd: ROOT });
if (r.status !== 0) {
  console.error(`build: tsc failed (exit ${r.status ?? r.signal})`);
  process.exit(1);
}
fs.mkdirSync(DIST, { recursive: true });
fs.writeFileSync(STAMP, `${new Date(started).toISOString()}\n`);
// Dated when the compile started: a source saved while tsc ran makes the build stale, not current.
fs.utimesSync(STAMP, new Date(started), new Date(started));
console.error(`build: dist/ ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
