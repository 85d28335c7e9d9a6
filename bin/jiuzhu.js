#!/usr/bin/env node
// Entry point of the `jiuzhu` command. Runs the compiled JavaScript in dist/ when `npm run build` made
// it and no source changed since (production, Docker, `npm start`); otherwise the TypeScript sources
// through tsx (development, tests). JIUZHU_FROM_SOURCE=1 forces the sources.
import { pathToFileURL } from 'node:url';
import { currentCompiledCli } from './compiled.js';

const compiled = process.env.JIUZHU_FROM_SOURCE === '1' ? undefined : currentCompiledCli();
if (compiled) {
  await import(pathToFileURL(compiled).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../app/cli.ts');
}
