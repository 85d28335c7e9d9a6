/**
 * `npm run bench`: the benchmarks (not tests; never part of vitest). Suites:
 *
 *   npm run bench                              # every suite
 *   npm run bench -- --suite matching          # cross-matching (below; `jiuzhu match` compiled, as in production; --from-source for tsx)
 *   npm run bench -- --suite webhook           # Feishu webhook vs the bare SDK handler (bench/webhook.ts)
 *   npm run bench -- --suite tables            # the six statutory tables vs bare SQL, 20k and 500k members (bench/tables.ts)
 *   npm run bench -- --suite loading           # roster and payments import vs the COPY + index builds + VACUUM ANALYZE floor, 100k rows (--sizes 1m) (bench/loading.ts)
 *   npm run bench -- --suite rehearsal         # `jiuzhu simulate` of the demo county, April–October, goal ≤ 60 s (bench/rehearsal.ts; not in 'all')
 *
 * The matching suite:
 *
 *   npm run bench                              # 10k and 100k members
 *   npm run bench -- --sizes 10k,100k,1m       # also 1 M members (≈ 13 M payments; many minutes)
 *   npm run bench -- --sizes 10k --no-import   # skip the import measurement
 *   npm run bench -- --keep                    # keep the generated databases
 *   npm run bench -- --keep --reuse            # … and reuse them next time (no generation)
 *
 * Database: DATABASE_URL if set, else `bash scripts/postgres.sh` (a throw-away
 * PostgreSQL). Each size gets a fresh database <db>_bench_<members> on that
 * server, dropped afterwards unless --keep. Each size runs in a child process
 * (bench/run-size.ts) so its peak memory is its own.
 *
 * Reported per size: the floor (../shared/perf-floor.md, bench/floor.ts: nine bare INSERT … SELECT
 * statements in one transaction on the same data, same database, same run), then `jiuzhu match` as a
 * process end to end (start-up, statements, findings stored with evidence, JSON lines written), first
 * run and rerun (`--full`), each as a ratio to the floor (goal ≤ 2); then one more month of payments and the
 * incremental re-match after it (goal ≤ 0.1 of the floor), then a full run that must change nothing. `--reuse` keeps an already
 * generated database of the size. Results go to bench/results/<date>-<sizes>.json with the command.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { FINDING_KIND_INFO } from '../domain/matching/index.js';
import type { CliRun, SizeResult } from './run-size.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim());
  if (!m) throw new Error(`--sizes: “${text}” is not a size like 10k, 100k or 1m`);
  const n = Number(m[1]) * (m[2]?.toLowerCase() === 'k' ? 1e3 : m[2]?.toLowerCase() === 'm' ? 1e6 : 1);
  return Math.round(n);
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function databaseUrl(): { url: string; how: string } {
  const env = process.env.DATABASE_URL?.trim();
  if (env) return { url: env, how: 'DATABASE_URL' };
  const out = execFileSync('bash', [path.join(root, 'scripts/postgres.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const line = out.trim().split('\n').pop() ?? '';
  const url = line.replace(/^DATABASE_URL=/, '');
  if (!/^postgres(ql)?:\/\//.test(url)) throw new Error(`scripts/postgres.sh did not print a DATABASE_URL: ${line}`);
  return { url, how: 'scripts/postgres.sh' };
}

function runSize(members: number, url: string, extra: string[]): Promise<SizeResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--max-old-space-size=4096', path.join(root, 'bin/run-ts.js'), path.join(root, 'bench/run-size.ts'), '--members', String(members), '--url', url, ...extra], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      if (code !== 0 || !line) return reject(new Error(`bench size ${members} failed (exit ${code})`));
      resolve(JSON.parse(line.slice('BENCH_RESULT '.length)) as SizeResult);
    });
  });
}

const s = (ms: number) => (ms / 1000).toFixed(2);
/** runMatching's phases, in seconds (older results files have none). */
const phaseLine = (p: Record<string, number> | undefined) =>
  p ? ['planMs', 'setupMs', 'clearMs', 'restMs', 'summaryMs', 'linesMs', 'pruneMs'].filter((k) => k in p).map((k) => `${k.replace(/Ms$/, '')} ${s(p[k]!)}`).join(', ') : '—';
const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : '—');
const pad = (text: string, n: number) => {
  let w = 0;
  for (const ch of text) w += /[\u2e80-\uffff]/.test(ch) ? 2 : 1;
  return text + ' '.repeat(Math.max(0, n - w));
};
const lpad = (text: string, n: number) => ' '.repeat(Math.max(0, n - text.length)) + text;

function cliLine(label: string, c: CliRun, floorMs: number): string {
  return `   ${pad(label, 26)}${lpad(s(c.ms), 8)} s  ${lpad(ratio(c.ms, floorMs), 6)}×   matching ${s(c.matchMs)} s, start-up and exit ${s(c.ms - c.matchMs)} s, ${c.found} findings, ${c.lines} JSON lines, maxRSS ${c.maxRssMib} MiB, load ${c.load}${c.full ? '' : ' (incremental)'}\n${pad('', 29)}of the matching: ${phaseLine(c.phases)}`;
}

function table(r: SizeResult): string {
  const out: string[] = [];
  const g = r.generate.rows;
  const gen = 'ms' in r.generate ? `generated in ${s(r.generate.ms)} s` : 'reused';
  out.push(`\n== ${r.members.toLocaleString('en-US')} members: ${g.households} households, ${g.payments} payments (${gen}); ${r.server.split(' on ')[0]}`);
  out.push(`   ${pad('kind', 16)}${lpad('floor s', 9)}${lpad('rows', 8)}${lpad('ours s', 9)}${lpad('found', 8)}${lpad('ratio', 7)}`);
  for (const f of r.floor.kinds) {
    const o = r.product.statements.find((x) => x.kind === f.kind);
    out.push(`   ${pad(FINDING_KIND_INFO[f.kind].label, 16)}${lpad(s(f.ms), 9)}${lpad(String(f.rows), 8)}${lpad(o ? s(o.ms) : '—', 9)}${lpad(o ? String(o.found) : '—', 8)}${lpad(o ? ratio(o.ms, f.ms) : '—', 7)}`);
  }
  out.push(`   ${pad('floor (9 statements, 1 tx)', 26)}${lpad(s(r.floor.ms), 8)} s`);
  out.push(cliLine('jiuzhu match, first run', r.product, r.floor.ms));
  out.push(cliLine('jiuzhu match, rerun', r.rerun, r.floor.ms));
  if (r.incremental) {
    const i = r.incremental;
    out.push(`   + ${i.payments} payments for ${i.month}:`);
    out.push(cliLine('jiuzhu match (after it)', i.incremental, r.floor.ms));
    out.push(cliLine('jiuzhu match (again)', i.full, r.floor.ms));
    out.push(
      `   the two runs: ${i.agree ? 'the same findings (the full run found nothing new, cleared and reopened nothing)' : 'DIFFERENT findings (or the re-match was not incremental)'}; ` +
        `re-match / floor = ${ratio(i.incremental.ms, r.floor.ms)} end to end, ${ratio(i.incremental.matchMs, r.floor.ms)} for the matching itself (goal ≤ 0.10)`,
    );
  }
  if (r.import && 'rosterRows' in r.import) {
    out.push(`   import: roster ${r.import.rosterRows} rows in ${s(r.import.rosterMs)} s = ${r.import.rosterRowsPerSecond} rows/s; payments ${r.import.paymentRows} rows in ${s(r.import.paymentsMs)} s = ${r.import.paymentRowsPerSecond} rows/s`);
  } else if (r.import) {
    out.push(`   import: skipped (${r.import.skipped})`);
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  const sizes = (argValue('sizes') ?? '10k,100k').split(',').map(parseSize);
  const extra = ['--no-import', '--keep', '--reuse', '--no-incremental'].filter((f) => process.argv.includes(f));
  const db = databaseUrl();
  // `jiuzhu match` as production runs it: the compiled code of `npm run build` (bin/jiuzhu.js uses dist/
  // when it is current). --from-source measures the TypeScript sources through tsx instead.
  if (process.argv.includes('--from-source')) process.env.JIUZHU_FROM_SOURCE = '1';
  else {
    const { currentCompiledCli } = (await import(pathToFileURL(path.join(root, 'bin/compiled.js')).href)) as { currentCompiledCli(): string | undefined };
    if (!currentCompiledCli()) execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  }
  console.log(`bench: jiuzhu from ${process.env.JIUZHU_FROM_SOURCE === '1' ? 'the sources (tsx)' : 'dist/ (compiled)'}`);
  console.log(`bench: database from ${db.how} (${db.url.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:***@')}); sizes ${sizes.join(', ')}`);
  const results: SizeResult[] = [];
  for (const members of sizes) {
    const r = await runSize(members, db.url, extra);
    results.push(r);
    console.log(table(r));
  }
  const stamp = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
  const file = path.join(root, 'bench/results', `${stamp}-${(argValue('sizes') ?? '10k,100k').replaceAll(',', '-')}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    `${JSON.stringify({ at: new Date().toISOString(), command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(), node: process.version, cpus: (await import('node:os')).cpus().length, results }, null, 2)}\n`,
  );
  console.log(`\nresults: ${path.relative(root, file)}`);
  if (results.some((r) => r.incremental && !r.incremental.agree)) {
    console.log('WARNING: two runs on the same data disagree on the findings.');
    process.exitCode = 1;
  }
}

const suite = argValue('suite') ?? 'all';
if (!['all', 'matching', 'webhook', 'tables', 'loading', 'rehearsal'].includes(suite)) throw new Error(`--suite: “${suite}” is not one of all, matching, webhook, tables, loading, rehearsal`);
if (suite === 'all' || suite === 'matching') await main();
if (suite === 'all' || suite === 'webhook') await import('./webhook.js');
if (suite === 'all' || suite === 'tables') await import('./tables.js');
if (suite === 'all' || suite === 'loading') await import('./loading.js');
if (suite === 'rehearsal') await import('./rehearsal.js');
