// `importFile`: one file into the database, in one transaction, all or nothing (or only the valid rows
// with acceptValid), idempotent by the file's SHA-256. Used by `jiuzhu import` and by the benchmark.
//
//   inspect (hash, format, encoding) → already imported? → transaction {
//     ImportBatch row (unique kind + hash: a concurrent import of the same file waits, then stops)
//     stream rows → header → per row: zod (domain/import) + file checks → chunk of 5000
//       → writer: database checks (household on the roster? staff known?) + multi-row upserts
//       (payments and roster: the chunk goes to a staging table — COPY on PostgreSQL, INSERT on PGlite —
//        and after the last one the database checks and the writes run as set-based SQL over the whole
//        file; a first load re-creates the written tables' foreign keys once instead of per row: bulk.ts)
//     any refused row and not acceptValid → roll back
//     stored rows changed (their old versions kept in ImportChange by the writers): dry run → roll back
//       and show them; not allowChanges → roll back and refuse, showing the count and the first few
//     else batch counts + one audit entry → commit }
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  cellText,
  createCellsParser,
  HeaderFinder,
  isBlankRow,
  IMPORT_KIND_LABELS,
  matchHeader,
  normalizeHeader,
  RosterFileChecks,
  type Cell,
  type CellsParser,
  type HeaderMatch,
  type ImportKind,
  type RosterRow,
  type RowTypes,
} from '../../domain/import/index.js';
import { getPreset, type CountyPolicy, type WorkCalendar } from '../../domain/index.js';
import { appendAudit } from '../../infra/audit-chain.js';
import { databaseUrlOf, type PrismaClient } from '../../infra/db/client.js';
import { loadCalendar, loadCountyPolicy } from '../county.js';
import { batchChanges, type ImportChangeSummary } from './changes.js';
import { defaultErrorFilePath, ErrorFileWriter, sensitiveColumns } from './error-file.js';
import { resolveHashKey } from '../../infra/hash-key.js';
import { CountyRegions, type Tx } from './regions.js';
import { inspectFile, readRowBatches, readRows, type SourceInfo, type TextEncoding } from './source.js';
import type { EntityCounts, Item, KindWriter, Rejection, StagedWriter, WriterContext } from './writers/common.js';
import { copyImportUrl, createPaymentsWriter } from './writers/payments.js';
import { createDeathsWriter, createPrisonWriter } from './writers/records.js';
import { createMonitoredWriter } from './writers/monitored.js';
import { createApplicationsWriter } from './writers/applications.js';
import { createRelativesWriter } from './writers/relatives.js';
import { createRosterWriter } from './writers/roster.js';
import { createStaffWriter } from './writers/staff.js';
import { CopyTarget } from './writers/stage.js';
import { toChinaDate } from '../../domain/time/instants.js';

export {
  caseEvidenceChanges,
  CHANGE_TABLE_LABELS,
  findingEvidenceChanges,
  formatCaseEvidenceChanges,
  formatChange,
  formatEvidenceChange,
  type CaseEvidenceChange,
  type ImportChangeSummary,
} from './changes.js';
export { ERROR_FILE_SUFFIX, defaultErrorFilePath } from './error-file.js';
export { DEV_HASH_KEY, DEV_HASH_KEY_WARNING, resolveHashKey } from '../../infra/hash-key.js';
export { ENCODING_LABELS, parseEncodingName, SourceError, type SourceInfo, type TextEncoding } from './source.js';
export { ENTITY_LABELS, type EntityCounts } from './writers/common.js';

export interface ImportProgress {
  bytesRead: number;
  totalBytes: number;
  /** Data rows read so far (blank rows and rows above the header not counted). */
  rows: number;
  accepted: number;
  rejected: number;
}

export interface ImportOptions {
  prisma: PrismaClient;
  kind: ImportKind;
  file: string;
  /** County name for regions (roster, staff): default the policy's county name (长子县). A preset code or name also picks that policy. */
  county?: string;
  /** Import the valid rows even when some are refused (default false: all or nothing). */
  acceptValid?: boolean;
  /** Apply changes to stored rows (default false: an import that would change a stored row is refused). */
  allowChanges?: boolean;
  /** Check everything and list what would change, then roll back: nothing written (the error file still is). */
  dryRun?: boolean;
  /** Who imports, kept with every changed row; default `cli:<OS user>`. */
  actor?: string;
  /** Force the CSV encoding (default: detected). */
  encoding?: TextEncoding;
  /** County policy (payment schedule, near-relative relations). Default: loadCountyPolicy(dataDir). */
  policy?: CountyPolicy;
  /** Only needed when the policy moves payment dates off non-working days; default loadCalendar(dataDir). */
  calendar?: WorkCalendar;
  /** Where policy.yaml / holiday overrides are looked up when policy / calendar are not given. Default JIUZHU_DATA_DIR or ./.data. */
  dataDir?: string;
  /** Key of the bank-account hashes; default JIUZHU_HASH_KEY (or the development default). */
  hashKey?: string;
  /** Where to write the refused rows; default `<file>.错误行.csv`. */
  errorFile?: string;
  /** "Today" in Beijing for the not-in-the-future checks (tests). */
  today?: string;
  /**
   * The database's URL, for loading the payments file's staging table with COPY on PostgreSQL (default:
   * the URL `prisma` was made with, else DATABASE_URL; with PGlite's URL, or none, INSERTs fill it).
   */
  databaseUrl?: string;
  /**
   * Bulk mode of the set-based writes (payments, roster; services/import/bulk.ts): 'auto' (default) re-creates
   * the written table's foreign keys (and some indexes) once after the write when the file is at least as
   * large as the table; 'never' keeps the per-row checks; 'always' forces it (tests).
   */
  bulkLoad?: 'auto' | 'never' | 'always';
  /** Rows per database round (default 5000). */
  chunkSize?: number;
  onProgress?: (p: ImportProgress) => void;
  /** Called once the header row is recognised (the CLI prints ignored columns). */
  onHeader?: (h: { line: number; ignored: string[] }) => void;
}

export interface RowError {
  line: number;
  reasons: string[];
}

export type ImportStatus =
  /** Written and committed (with acceptValid, possibly with refused rows). */
  | 'imported'
  /** The same file (same SHA-256) was imported before; nothing changed. */
  | 'already-imported'
  /** Some rows were refused and acceptValid was off (or no row was valid): nothing written. */
  | 'rejected'
  /** The header row is missing required columns: nothing written. */
  | 'header-error'
  /** No data rows. */
  | 'empty'
  /** Stored rows would change and allowChanges was off: nothing written (see `changes`). */
  | 'changes-refused'
  /** dryRun: everything checked, nothing written (see `changes`, `entities`). */
  | 'dry-run';

export interface ImportResult {
  status: ImportStatus;
  kind: ImportKind;
  file: string;
  sha256: string;
  source: SourceInfo;
  countyName: string;
  batchId?: number;
  previousBatch?: { id: number; createdAt: Date; accepted: number; rejected: number };
  /** Data rows (not blank, below the header). */
  rows: number;
  accepted: number;
  rejected: number;
  /** 合计/小计 rows skipped. */
  skippedTotals: number;
  /** Per table: created / updated / unchanged (only for 'imported'). */
  entities: Record<string, EntityCounts>;
  /** Regions created (roster, staff). */
  regionsCreated: { counties: number; townships: number; villages: number };
  headerLine?: number;
  headerError?: string;
  ignoredColumns: string[];
  /** The first refused rows (at most 50), for the console. */
  firstErrors: RowError[];
  /** Path of the error file when one was written. */
  errorFile?: string;
  /** Stored rows this import changes (changed, or would change): the count and the first few, masked. */
  changes: { count: number; first: ImportChangeSummary[] };
  usedDevHashKey: boolean;
  /** Tables written in bulk mode (foreign keys and some indexes re-created once after the write: bulk.ts). */
  bulkLoaded: string[];
  durationMs: number;
}

const DEFAULT_CHUNK = 5000;
const FIRST_ERRORS = 50;
/** Changes shown with a refusal or a dry run (all of them are kept in ImportChange once applied). */
export const FIRST_CHANGES = 10;
const TOTAL_ROW_WORDS = new Set(['合计', '总计', '小计', '总合计']);
/**
 * Their first characters: a text that starts with another character (not a space) is no total word,
 * also once the spaces inside are removed.
 */
const TOTAL_ROW_FIRST = new Set([...TOTAL_ROW_WORDS].map((w) => w.charCodeAt(0)));

function isTotalRow(cells: readonly Cell[]): boolean {
  const first = cellText(cells.find((c) => cellText(c) !== ''));
  const c0 = first.charCodeAt(0);
  return (TOTAL_ROW_FIRST.has(c0) || /^\s/.test(first)) && TOTAL_ROW_WORDS.has(first.replace(/\s/g, ''));
}

/** A signal that rolls the transaction back while carrying the result out. */
class Rollback extends Error {
  constructor(readonly result: ImportResult) {
    super('rollback');
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function defaultActor(): string {
  try {
    return `cli:${os.userInfo().username}`;
  } catch {
    return 'cli';
  }
}

function todayInBeijing(): string {
  return toChinaDate(new Date());
}

/** `--county` may name a preset (zhangzi, 长子县) or just a county. */
function resolvePolicy(opts: ImportOptions): { policy: CountyPolicy; countyName: string } {
  const dataDir = opts.dataDir ?? process.env.JIUZHU_DATA_DIR ?? './.data';
  if (opts.policy) return { policy: opts.policy, countyName: opts.county ?? opts.policy.county.name };
  if (opts.county) {
    for (const code of ['zhangzi', 'wenshui']) {
      const p = getPreset(code);
      if (opts.county === code || opts.county === p.county.name) return { policy: p, countyName: p.county.name };
    }
    return { policy: loadCountyPolicy(dataDir), countyName: opts.county };
  }
  const policy = loadCountyPolicy(dataDir);
  return { policy, countyName: policy.county.name };
}

/** The chunked writers (payments and roster: staged, createPaymentsWriter / createRosterWriter). */
function createWriter(kind: Exclude<ImportKind, 'payments' | 'roster'>, ctx: WriterContext): KindWriter<RowTypes[ImportKind]> {
  switch (kind) {
    case 'deaths':
      return createDeathsWriter(ctx) as KindWriter<RowTypes[ImportKind]>;
    case 'prison':
      return createPrisonWriter(ctx) as KindWriter<RowTypes[ImportKind]>;
    case 'relatives':
      return createRelativesWriter(ctx) as KindWriter<RowTypes[ImportKind]>;
    case 'staff':
      return createStaffWriter(ctx) as KindWriter<RowTypes[ImportKind]>;
    case 'monitored':
      return createMonitoredWriter(ctx) as KindWriter<RowTypes[ImportKind]>;
    case 'applications':
      return createApplicationsWriter(ctx) as KindWriter<RowTypes[ImportKind]>;
  }
}

export async function importFile(opts: ImportOptions): Promise<ImportResult> {
  const started = Date.now();
  // Payments and rosters are staged with COPY on PostgreSQL: its connection opens from the start.
  const copyUrl = opts.kind === 'payments' || opts.kind === 'roster' ? copyImportUrl(opts.databaseUrl ?? databaseUrlOf(opts.prisma) ?? process.env.DATABASE_URL) : undefined;
  const copy = copyUrl ? new CopyTarget(copyUrl) : undefined;
  try {
    return await importWith(opts, started, copy);
  } finally {
    await copy?.discard();
  }
}

async function importWith(opts: ImportOptions, started: number, copy: CopyTarget | undefined): Promise<ImportResult> {
  const { prisma, kind } = opts;
  // Connect while the file is hashed (the client's first query costs a few hundred milliseconds);
  // a failure shows in the first real query below, as before.
  void prisma.$queryRawUnsafe('SELECT 1').catch(() => {});
  const source = await inspectFile(opts.file, { encoding: opts.encoding });
  const { policy, countyName } = resolvePolicy(opts);
  const hashKey = opts.hashKey ? { key: opts.hashKey, isDevDefault: false } : resolveHashKey();
  const base: ImportResult = {
    status: 'imported',
    kind,
    file: opts.file,
    sha256: source.sha256,
    source,
    countyName,
    rows: 0,
    accepted: 0,
    rejected: 0,
    skippedTotals: 0,
    entities: {},
    regionsCreated: { counties: 0, townships: 0, villages: 0 },
    ignoredColumns: [],
    firstErrors: [],
    changes: { count: 0, first: [] },
    usedDevHashKey: kind === 'payments' && hashKey.isDevDefault,
    bulkLoaded: [],
    durationMs: 0,
  };

  const previous = await findBatch(prisma, kind, source.sha256);
  if (previous) return { ...base, status: 'already-imported', previousBatch: previous, durationMs: Date.now() - started };

  const errorFile = new ErrorFileWriter(opts.errorFile ?? defaultErrorFilePath(opts.file));
  let calendar: WorkCalendar | undefined = opts.calendar;
  const calendarFor = () => {
    const needs = Object.values(policy.payments).some((s) => s.ifNonWorkingDay !== 'keep');
    if (needs && !calendar) calendar = loadCalendar(opts.dataDir ?? process.env.JIUZHU_DATA_DIR ?? './.data');
    return calendar;
  };

  let result: ImportResult;
  // Staging tables of the COPY path, dropped once the transaction that read them has ended.
  const afterTransaction: (() => Promise<void>)[] = [];
  try {
    result = await prisma.$transaction(
      (tx) =>
        runInTransaction(
          tx,
          { ...opts, policy, countyName, hashKey: hashKey.key, actor: opts.actor ?? defaultActor() },
          source,
          base,
          errorFile,
          calendarFor,
          afterTransaction,
          copy,
        ),
      { timeout: 24 * 3_600_000, maxWait: 10 * 60_000 },
    );
  } catch (err) {
    if (err instanceof Rollback) {
      result = err.result;
    } else {
      errorFile.discard();
      throw err;
    }
  } finally {
    for (const cleanup of afterTransaction) await cleanup();
  }
  const wroteErrors = errorFile.written;
  errorFile.close();
  if (wroteErrors) result.errorFile = errorFile.path;
  else if (result.status === 'imported' && !opts.errorFile) {
    // A list left from an earlier attempt would mislead.
    fs.rmSync(errorFile.path, { force: true });
  }
  result.durationMs = Date.now() - started;
  return result;
}

/** The cells of the rows refused by the staged path's SQL checks: the file read once more for those lines. */
async function fillCells(source: SourceInfo, rejections: Rejection[]): Promise<void> {
  const wanted = new Map(rejections.map((r) => [r.line, r]));
  let left = wanted.size;
  for await (const raw of readRows(source)) {
    const r = wanted.get(raw.line);
    if (r && r.cells.length === 0) {
      r.cells = raw.cells;
      if (--left === 0) break;
    }
  }
}

async function findBatch(db: PrismaClient | Tx, kind: ImportKind, sha256: string): Promise<ImportResult['previousBatch']> {
  const rows = await db.$queryRawUnsafe<{ id: number; createdAt: Date; accepted: number; rejected: number }[]>(
    `SELECT id, "createdAt", accepted, rejected FROM "ImportBatch" WHERE kind = $1::"ImportKind" AND "fileSha256" = $2`,
    kind,
    sha256,
  );
  return rows[0];
}

async function runInTransaction(
  tx: Tx,
  opts: ImportOptions & { policy: CountyPolicy; countyName: string; hashKey: string; actor: string },
  source: SourceInfo,
  base: ImportResult,
  errorFile: ErrorFileWriter,
  calendar: () => WorkCalendar | undefined,
  afterTransaction: (() => Promise<void>)[],
  copy: CopyTarget | undefined,
): Promise<ImportResult> {
  const { kind } = opts;
  const result: ImportResult = { ...base, firstErrors: [], entities: {}, ignoredColumns: [], bulkLoaded: [] };
  const rollback = (status: ImportStatus): never => {
    throw new Rollback({ ...result, status });
  };

  // The batch row first: a second import of the same file waits here for this one to finish.
  const inserted = await tx.$queryRawUnsafe<{ id: number }[]>(
    `INSERT INTO "ImportBatch" (kind, "fileName", "fileSha256", "rowCount", accepted, rejected)
     VALUES ($1::"ImportKind", $2, $3, 0, 0, 0) ON CONFLICT (kind, "fileSha256") DO NOTHING RETURNING id`,
    kind,
    path.basename(opts.file),
    source.sha256,
  );
  if (!inserted[0]) {
    result.previousBatch = await findBatch(tx, kind, source.sha256);
    rollback('already-imported');
  }
  const batchId = inserted[0]!.id;
  // The floor's session settings (../shared/perf-floor.md), for this transaction only: JIT compiles the
  // set-based statements anew every time (4 s of a 5 s statement at 100 k payment rows) and buys
  // nothing; sorts and hashes over a whole file stay in memory.
  await tx.$executeRawUnsafe(`SET LOCAL jit = off`);
  await tx.$executeRawUnsafe(`SET LOCAL work_mem = '64MB'`);

  const regions = new CountyRegions(tx, opts.countyName);
  const checks = kind === 'roster' ? new RosterFileChecks() : undefined;
  const ctx: WriterContext = { tx, batchId, policy: opts.policy, calendar, hashKey: opts.hashKey, regions, actor: opts.actor, bulk: { mode: opts.bulkLoad ?? 'auto', loaded: result.bulkLoaded } };
  const staged: StagedWriter<RowTypes[ImportKind]> | undefined =
    kind === 'payments'
      ? ((await createPaymentsWriter(ctx, copy)) as StagedWriter<RowTypes[ImportKind]>)
      : kind === 'roster'
        ? ((await createRosterWriter(ctx, copy, () => checks!.sizes())) as StagedWriter<RowTypes[ImportKind]>)
        : undefined;
  if (staged) afterTransaction.push(() => staged.close());
  const writer = staged ?? createWriter(kind as Exclude<ImportKind, 'payments' | 'roster'>, ctx);
  return readAndWrite(tx, opts, source, result, errorFile, rollback, batchId, regions, checks, writer, staged);
}

async function readAndWrite(
  tx: Tx,
  opts: ImportOptions & { policy: CountyPolicy; countyName: string; hashKey: string; actor: string },
  source: SourceInfo,
  result: ImportResult,
  errorFile: ErrorFileWriter,
  rollback: (status: ImportStatus) => never,
  batchId: number,
  regions: CountyRegions,
  checks: RosterFileChecks | undefined,
  writer: KindWriter<RowTypes[ImportKind]>,
  staged: StagedWriter<RowTypes[ImportKind]> | undefined,
): Promise<ImportResult> {
  const { kind } = opts;
  const rowContext = { today: opts.today ?? todayInBeijing(), nearRelations: opts.policy.nearRelatives.relations };
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK;

  // Refused rows reach the error file in line order: those refused by the row checks wait with their
  // chunk until the database checks of the same chunk are done, then both lists are merged.
  const record = (r: Rejection) => {
    errorFile.add(r.line, r.reasons, r.cells);
    if (result.firstErrors.length < FIRST_ERRORS) result.firstErrors.push({ line: r.line, reasons: r.reasons });
  };
  // The staged path finds its database refusals only after the whole file: the row checks' refusals
  // wait for them, so that the error file stays in line order.
  const held: Rejection[] = [];
  const report = staged ? (r: Rejection) => void held.push(r) : record;
  /** Refused so far, including rows of chunks still being written (decides whether to keep writing). */
  let refusedSoFar = 0;
  const writing = () => opts.acceptValid === true || refusedSoFar === 0;

  let bytesRead = 0;
  const progress = () =>
    opts.onProgress?.({ bytesRead, totalBytes: source.size, rows: result.rows, accepted: result.accepted, rejected: refusedSoFar });

  // Parsing and writing overlap: while the database works on one chunk, the next is parsed (one chunk
  // in flight at most; the transaction's queries still run one after the other). A staged writer takes
  // each row as it is checked (no items kept) and sends them per chunk.
  let items: Item<RowTypes[ImportKind]>[] = [];
  let stagedHere = 0;
  let refusedHere: Rejection[] = [];
  let inflight: Promise<void> = Promise.resolve();
  const dispatch = async () => {
    const batch = items;
    const stagedCount = stagedHere;
    const early = refusedHere;
    items = [];
    stagedHere = 0;
    refusedHere = [];
    const write = writing();
    const previous = inflight;
    inflight = (async () => {
      await previous;
      if (stagedCount > 0) await staged!.send();
      const late = batch.length > 0 ? await writer.flush(batch, write) : [];
      refusedSoFar += late.length;
      const lateLines = new Set(late.map((r) => r.line));
      result.accepted += stagedCount + batch.length - lateLines.size;
      result.rejected += early.length + late.length;
      const merged = late.length === 0 ? early : [...early, ...late].sort((a, b) => a.line - b.line);
      for (const r of merged) report(r);
      progress();
    })();
    inflight.catch(() => {}); // awaited below; this only keeps Node from calling it unhandled meanwhile
    await previous;
  };

  const finder = new HeaderFinder(kind);
  let header: HeaderMatch | undefined;
  let parse: CellsParser<ImportKind> | undefined;
  let headerKey = '';
  rows: for await (const rowBatch of readRowBatches(source, { onBytes: (b) => (bytesRead = b) })) {
    for (let b = 0; b < rowBatch.cells.length; b++) {
      const cells = rowBatch.cells[b]!;
      const line = rowBatch.lines[b]!;
      if (isBlankRow(cells)) continue;
      if (!header) {
        header = finder.offer(cells, line);
        if (header) {
          result.headerLine = line;
          result.ignoredColumns = header.ignored;
          headerKey = header.headers.map(normalizeHeader).join('\u0001');
          parse = createCellsParser(kind, rowContext, header.fields);
          errorFile.setHeader(header.headers, sensitiveColumns(header.fields));
          opts.onHeader?.({ line, ignored: header.ignored });
        } else if (finder.exhausted) {
          break rows;
        }
        continue;
      }
      // A header repeated further down (pages pasted together) and 合计 rows are not data.
      if (isTotalRow(cells)) {
        result.skippedTotals++;
        continue;
      }
      if (cells.length >= header.headers.length && cellText(cells[0]) === header.headers[0]) {
        const again = matchHeader(kind, cells);
        if (again.headers.map(normalizeHeader).join('\u0001') === headerKey) continue;
      }

      result.rows++;
      // Let database replies in (the writes of the previous chunk) instead of parsing on for long.
      if ((result.rows & 255) === 0) await yieldToEventLoop();
      const parsed = parse!(cells);
      let errors: string[];
      if (!parsed.ok) errors = parsed.errors;
      else {
        errors = checks ? checks.check(parsed.value as RosterRow, line) : [];
        if (errors.length === 0) {
          if (staged) {
            staged.stage(line, parsed.value, checks?.firsts ?? 0);
            stagedHere++;
          } else items.push({ line, row: parsed.value, cells });
        }
      }
      if (errors.length > 0) {
        refusedHere.push({ line, reasons: errors, cells });
        refusedSoFar++;
      }
      if (items.length + stagedHere + refusedHere.length >= chunkSize) await dispatch();
      else if (result.rows % 1000 === 0) progress();
    }
  }

  if (!header) {
    result.headerError = finder.giveUp();
    errorFile.setHeader([]);
    errorFile.add(finder.bestLine, [result.headerError], []);
    rollback('header-error');
  }
  await dispatch();
  await inflight;
  if (staged) {
    const late = await staged.complete((n) => opts.acceptValid === true || (refusedSoFar === 0 && n === 0));
    refusedSoFar += late.length;
    result.accepted -= late.length;
    result.rejected += late.length;
    if (late.length > 0) await fillCells(source, late);
    const all = late.length === 0 ? held : [...held, ...late].sort((a, b) => a.line - b.line);
    for (const r of all) record(r);
  }
  progress();
  writer.finish?.(result.accepted);

  if (result.rows === 0) rollback('empty');
  if (result.rejected > 0 && !opts.acceptValid) rollback('rejected');
  if (result.accepted === 0) rollback('rejected');

  result.entities = writer.counts;
  const rc = regions.created;
  result.regionsCreated = { counties: rc.county, townships: rc.townships, villages: rc.villages };
  // Stored rows this file changes: listed, and written only when asked for.
  result.changes = await batchChanges(tx, batchId, FIRST_CHANGES);
  if (opts.dryRun) rollback('dry-run');
  if (result.changes.count > 0 && !opts.allowChanges) rollback('changes-refused');
  result.batchId = batchId;
  await tx.$executeRawUnsafe(
    `UPDATE "ImportBatch" SET "rowCount" = $1, accepted = $2, rejected = $3 WHERE id = $4`,
    result.rows,
    result.accepted,
    result.rejected,
    batchId,
  );
  await appendAudit(tx, {
    actor: 'cli',
    action: `import.${kind}`,
    subjectType: 'ImportBatch',
    subjectId: String(batchId),
    payload: {
      kind,
      kindLabel: IMPORT_KIND_LABELS[kind],
      fileName: path.basename(opts.file),
      fileSha256: source.sha256,
      format: source.format,
      encoding: source.encoding ?? null,
      county: kind === 'roster' || kind === 'staff' ? opts.countyName : null,
      acceptValid: opts.acceptValid === true,
      allowChanges: opts.allowChanges === true,
      changedRows: result.changes.count,
      rows: result.rows,
      accepted: result.accepted,
      rejected: result.rejected,
      entities: result.entities,
      regionsCreated: result.regionsCreated,
    },
  });
  return result;
}
