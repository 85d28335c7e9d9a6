// Writes docs/processes.md from the step contracts (npm run docs:processes).
import fs from 'node:fs';
import path from 'node:path';
import { CASE_STEPS } from '../domain/steps/all.js';
import { processesDocument } from '../domain/steps/diagram.js';

const out = path.join(import.meta.dirname, '..', 'docs', 'processes.md');
fs.writeFileSync(out, processesDocument(CASE_STEPS));
console.log(`已生成 ${path.relative(process.cwd(), out)}`);
