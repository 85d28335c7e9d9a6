/**
 * The statutory-tables benchmark (not a test):
 *
 *   node bin/run-ts.js bench/tables.ts                       # 20k and 500k members
 *   node bin/run-ts.js bench/tables.ts --sizes 20k           # one size
 *   node bin/run-ts.js bench/tables.ts --sizes 20k --keep    # keep the generated database
 *
 * Database: DATABASE_URL if set, else `bash scripts/postgres.sh`. Each size
 * runs in a child process (bench/tables-size.ts) on a fresh database. For each
 * of the six Zhangzi tables of one year (2024): the bare SQL aggregation of
 * its row count and totals (baseline, same database, same run) against
 * writeTable end to end (queries + .xlsx on disk), as time and peak RSS
 * ratios (peak RSS of the process, and +MiB: what the step added to the RSS
 * it started with), and whether the totals agree. Results go to
 * bench/results/<date>-tables-<sizes>.json.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { TablesSizeResult } from './tables-size.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim());
  if (!m) throw new Error(`--sizes: “${text}” is not a size like 20k or 500k`);
  return Math.round(Number(m[1]) * (m[2]?.toLowerCase() === 'k' ? 1e3 : m[2]?.toLowerCase() === 'm' ? 1e6 : 1));
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function databaseUrl(): string {
  const env = process.env.DATABASE_URL?.trim();
  if (env) return env;
  const out = execFileSync('bash', [path.join(root, 'scripts/postgres.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return (out.trim().split('\n').pop() ?? '').replace(/^DATABASE_URL=/, '');
}

function runSize(members: number, url: string): Promise<TablesSizeResult> {
  return new Promise((resolve, reject) => {
    const extra = process.argv.includes('--keep') ? ['--keep'] : [];
    const child = spawn(process.execPath, ['--max-old-space-size=4096', path.join(root, 'bin/run-ts.js'), path.join(root, 'bench/tables-size.ts'), '--members', String(members), '--url', url, ...extra], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      if (code !== 0 || !line) return reject(new Error(`tables bench size ${members} failed (exit ${code})`));
      resolve(JSON.parse(line.slice('BENCH_RESULT '.length)) as TablesSizeResult);
    });
  });
}

const s = (ms: number) => (ms / 1000).toFixed(3);
const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(1) : '—');
const lpad = (text: string, n: number) => ' '.repeat(Math.max(0, n - text.length)) + text;

export function formatTables(r: TablesSizeResult): string {
  const out = [`\n== ${r.members.toLocaleString('en-US')} members: ${r.generate.rows.payments} payments, ${r.generate.rows.cases} death cases + ${r.extraRows.prisonCases} prison cases, ${r.extraRows.submissions} submissions, ${r.extraRows.rectificationItems} rectification items`];
  out.push(`   ${'table'.padEnd(10)}${lpad('rows', 8)}${lpad('base s', 9)}${lpad('ours s', 9)}${lpad('t ratio', 9)}${lpad('base MiB', 10)}${lpad('ours MiB', 10)}${lpad('m ratio', 9)}${lpad('+base', 7)}${lpad('+ours', 7)}${lpad('file KiB', 10)}${lpad('totals', 8)}`);
  for (const t of r.tables) {
    out.push(
      `   ${t.table.padEnd(10)}${lpad(String(t.rows), 8)}${lpad(s(t.baselineMs), 9)}${lpad(s(t.oursMs), 9)}${lpad(ratio(t.oursMs, t.baselineMs), 9)}${lpad(String(t.baselineRssMib), 10)}${lpad(String(t.oursPeakRssMib), 10)}${lpad(ratio(t.oursPeakRssMib, t.baselineRssMib), 9)}${lpad(String(t.baselineDeltaMib), 7)}${lpad(String(t.oursDeltaMib), 7)}${lpad(String(Math.round(t.fileBytes / 1024)), 10)}${lpad(t.agrees ? 'agree' : 'DIFFER', 8)}`,
    );
  }
  out.push(`   ${'all six'.padEnd(10)}${lpad('', 8)}${lpad(s(r.baselineTotalMs), 9)}${lpad(s(r.oursTotalMs), 9)}${lpad(ratio(r.oursTotalMs, r.baselineTotalMs), 9)}   maxRSS of the process ${r.maxRssEndMib} MiB`);
  return out.join('\n');
}

async function main(): Promise<void> {
  const sizesArg = argValue('sizes') ?? '20k,500k';
  const sizes = sizesArg.split(',').map(parseSize);
  const url = databaseUrl();
  console.log(`tables bench: ${url.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:***@')}; sizes ${sizes.join(', ')}`);
  const results: TablesSizeResult[] = [];
  const stamp = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
  const file = path.join(root, 'bench/results', `${stamp}-tables-${sizesArg.replaceAll(',', '-')}.json`);
  const cpus = (await import('node:os')).cpus().length;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  for (const members of sizes) {
    const r = await runSize(members, url);
    results.push(r);
    console.log(formatTables(r));
    // Written after each size, so a failure at a larger size keeps the smaller ones.
    fs.writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), command: `node bin/run-ts.js bench/tables.ts ${process.argv.slice(2).join(' ')}`.trim(), node: process.version, cpus, results }, null, 2)}\n`);
  }
  console.log(`\nresults: ${path.relative(root, file)}`);
}

await main();
