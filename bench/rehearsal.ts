/**
 * `npm run bench -- --suite rehearsal`: the whole campaign rehearsal of the demo county,
 * `jiuzhu simulate --county zhangzi --from 2026-04-01 --to 2026-10-31` as a process (sources through
 * tsx, as in development; `--compiled` for dist/), on a fresh database `<db>_bench_rehearsal` of
 * DATABASE_URL's server (else `bash scripts/postgres.sh`), with JIUZHU_SIMULATE_PROFILE=1.
 *
 * Reported: wall time (goal ≤ 60 s), the profile the rehearsal prints (phases, steps, activities, its
 * CPU), the summary lines, the load average before and after (the machine is shared). Results go to
 * bench/results/<date>-rehearsal.json with the command.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GOAL_SECONDS = 60;

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const loadavg = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const baseUrl = process.env.DATABASE_URL ?? execFileSync('bash', [path.join(root, 'scripts/postgres.sh')], { encoding: 'utf8' }).trim().split('\n').pop()!.replace(/^DATABASE_URL=/, '');
const dbName = `${new URL(baseUrl).pathname.slice(1) || 'postgres'}_bench_rehearsal`;
const admin = new pg.Client({ connectionString: baseUrl });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
await admin.query(`CREATE DATABASE "${dbName}"`);
const url = new URL(baseUrl);
url.pathname = `/${dbName}`;

const from = argValue('from') ?? '2026-04-01';
const to = argValue('to') ?? '2026-10-31';
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-bench-rehearsal-'));
const args = ['bin/jiuzhu.js', 'simulate', '--county', 'zhangzi', '--from', from, '--to', to, '--out', out];
const loadBefore = loadavg();
const t0 = Date.now();
const { stdout, stderr, code } = await new Promise<{ stdout: string; stderr: string; code: number | null }>((resolve, reject) => {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url.toString(), JIUZHU_SIMULATE_PROFILE: '1', ...(process.argv.includes('--compiled') ? {} : { JIUZHU_FROM_SOURCE: '1' }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let so = '';
  let se = '';
  child.stdout.on('data', (d: Buffer) => (so += d.toString()));
  child.stderr.on('data', (d: Buffer) => (se += d.toString()));
  child.on('error', reject);
  child.on('close', (c) => resolve({ stdout: so, stderr: se, code: c }));
});
const wallSeconds = (Date.now() - t0) / 1000;
const loadAfter = loadavg();
fs.rmSync(out, { recursive: true, force: true });
if (!process.argv.includes('--keep')) await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
await admin.end();
if (code !== 0) {
  console.error(stderr);
  throw new Error(`jiuzhu simulate exited ${code}`);
}

const profile = stderr.split('\n').filter((l) => l.startsWith('[simulate]'));
const lines = stdout.split('\n');
const summary = lines.slice(lines.lastIndexOf('汇总：')).filter((l) => l.trim() && !l.includes('统计表：'));
console.log(`\nrehearsal: jiuzhu simulate --county zhangzi --from ${from} --to ${to} (PostgreSQL, fresh database)`);
console.log(` wall ${wallSeconds.toFixed(1)} s (goal ≤ ${GOAL_SECONDS} s: ${wallSeconds <= GOAL_SECONDS ? 'met' : 'NOT met'}); load average ${loadBefore} before, ${loadAfter} after`);
for (const l of profile) console.log(` ${l}`);
for (const l of summary) console.log(` ${l}`);

const stamp = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
const file = path.join(root, 'bench/results', `${stamp}-rehearsal.json`);
fs.mkdirSync(path.dirname(file), { recursive: true });
fs.writeFileSync(
  file,
  `${JSON.stringify({ at: new Date().toISOString(), command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(), node: process.version, cpus: os.cpus().length, loadBefore, loadAfter, wallSeconds, goalSeconds: GOAL_SECONDS, profile, summary }, null, 2)}\n`,
);
console.log(`\nresults: ${path.relative(root, file)}`);
