// `jiuzhu import <kind> <file>`: a county file into the database (see docs/import.md). Prints a summary on
// stdout and the refused rows on stderr (ID numbers masked); the full list goes to `<file>.错误行.csv`.
// Exit code: 0 imported (or already imported), 1 nothing written (refused rows, header, database error),
// 2 usage (unknown kind, missing file, unknown encoding).
import fs from 'node:fs';
import path from 'node:path';

import cliProgress from 'cli-progress';

import { IMPORT_KIND_LABELS, IMPORT_KINDS, isImportKind, maskSensitive } from '../../domain/import/index.js';
import type { AppConfig } from '../../infra/config.js';
import { openDatabaseForCli } from '../../infra/db/open-for-cli.js';
import { loadCountyPolicy } from '../../services/county.js';
import { policyForCounty } from './match.js';
import { queueWorkAfter, type QueueWorkOptions } from './work.js';
import {
  DEV_HASH_KEY_WARNING,
  ENCODING_LABELS,
  ENTITY_LABELS,
  formatChange,
  importFile,
  parseEncodingName,
  resolveHashKey,
  SourceError,
  type ImportResult,
  type TextEncoding,
} from '../../services/import/index.js';
import { formatChinaDateTime } from '../../domain/time/instants.js';

export interface ImportCommandOptions {
  county?: string;
  acceptValid?: boolean;
  /** --allow-changes: apply changes to stored rows (their previous versions are kept). */
  allowChanges?: boolean;
  /** --dry-run: check and list, write nothing. */
  dryRun?: boolean;
  /** false with --no-progress. */
  progress?: boolean;
  /** utf8 | gb18030 | utf16le; default detected (or JIUZHU_IMPORT_ENCODING). */
  encoding?: string;
  /** Test seam: how the work the import asks for reaches Temporal. */
  connect?: QueueWorkOptions['connect'];
}

/** Kinds whose rows open work by themselves (issue 13): deaths, custody, applications. */
const WORK_KINDS = new Set(['deaths', 'prison', 'applications']);

/** Rows listed on the console; the error file has them all. */
const CONSOLE_ERRORS = 20;

export async function runImport(config: AppConfig, kind: string, file: string, opts: ImportCommandOptions = {}): Promise<number> {
  const out = (line: string) => process.stdout.write(maskSensitive(line) + '\n');
  const err = (line: string) => process.stderr.write(maskSensitive(line) + '\n');

  if (!isImportKind(kind)) {
    err(`未知的导入类型“${kind}”。可用：${IMPORT_KINDS.map((k) => `${k}（${IMPORT_KIND_LABELS[k]}）`).join('、')}`);
    return 2;
  }
  if (!fs.existsSync(file)) {
    err(`无法导入：找不到文件：${file}`);
    return 2;
  }
  let encoding: TextEncoding | undefined;
  try {
    const name = opts.encoding ?? process.env.JIUZHU_IMPORT_ENCODING;
    encoding = name ? parseEncodingName(name) : undefined;
    if (kind === 'payments' && resolveHashKey().isDevDefault) err(DEV_HASH_KEY_WARNING);
  } catch (e) {
    err((e as Error).message);
    return 2;
  }

  const showBar = opts.progress !== false && process.stderr.isTTY === true;
  const bar = showBar
    ? new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format: '导入中 |{bar}| {percentage}% | {rows} 行 | 错误 {rejected} 行 | 用时 {duration_formatted}',
          hideCursor: true,
          clearOnComplete: true,
          fps: 5,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;

  let db: Awaited<ReturnType<typeof openDatabaseForCli>> | undefined;
  let result: ImportResult;
  let workLines: string[] = [];
  try {
    db = await openDatabaseForCli(config);
    let started = false;
    result = await importFile({
      prisma: db.prisma,
      kind,
      file,
      county: opts.county,
      acceptValid: opts.acceptValid === true,
      allowChanges: opts.allowChanges === true,
      dryRun: opts.dryRun === true,
      encoding,
      dataDir: config.dataDir,
      onHeader: ({ ignored }) => {
        if (ignored.length > 0) {
          bar?.stop();
          started = false;
          err(`提示：以下列不属于${IMPORT_KIND_LABELS[kind]}，已忽略：${ignored.join('、')}`);
        }
      },
      onProgress: (p) => {
        if (!bar) return;
        if (!started) {
          bar.start(Math.max(1, p.totalBytes), 0, { rows: 0, rejected: 0 });
          started = true;
        }
        bar.update(p.bytesRead, { rows: p.rows, rejected: p.rejected });
      },
    });
    bar?.stop();
    if (result.status === 'imported' && WORK_KINDS.has(kind)) {
      const county = await db.prisma.region.findFirst({ where: { level: 'COUNTY', name: result.countyName }, select: { id: true, name: true } });
      if (county) {
        const policy = policyForCounty(county.name, () => loadCountyPolicy(config.dataDir));
        workLines = await queueWorkAfter(config, db.prisma, [{ ...county, policy }], { trigger: `import-${result.batchId}`, connect: opts.connect }).catch((e: unknown) => [
          `导入已完成，但记录待开启的工作时出错：${(e as Error).message}（下次导入或比对时会补记）`,
        ]);
      }
    }
  } catch (e) {
    bar?.stop();
    if (e instanceof SourceError) {
      err(`无法导入：${e.message}`);
      return /找不到文件|不是文件/.test(e.message) ? 2 : 1;
    }
    err(`导入失败，未写入任何数据：${(e as Error).message}`);
    return 1;
  } finally {
    bar?.stop();
    await db?.close().catch(() => {});
  }

  const { stdout, stderr, exitCode } = formatImportResult(result);
  stderr.forEach(err);
  stdout.forEach(out);
  workLines.forEach(out);
  return exitCode;
}

function sourceLabel(r: ImportResult): string {
  const name = path.basename(r.file);
  if (r.source.format === 'xlsx') return `${name}（xlsx，第一个工作表）`;
  const enc = r.source.encoding ? ENCODING_LABELS[r.source.encoding] : '';
  const how = r.source.encodingReason === 'override' ? '，指定编码' : '';
  return `${name}（CSV，${enc}${how}）`;
}

/** The console text for a result (exported for tests). Lines may contain names; ID numbers are masked by the caller too. */
export function formatImportResult(r: ImportResult): { stdout: string[]; stderr: string[]; exitCode: number } {
  const label = IMPORT_KIND_LABELS[r.kind];
  const stdout: string[] = [];
  const stderr: string[] = [];
  const listErrors = () => {
    for (const e of r.firstErrors.slice(0, CONSOLE_ERRORS)) stderr.push(`  第 ${e.line} 行：${e.reasons.join('；')}`);
    if (r.rejected > CONSOLE_ERRORS) stderr.push(`  ……其余 ${r.rejected - CONSOLE_ERRORS} 行见错误清单`);
    if (r.errorFile) stderr.push(`错误清单（全部错误行及原因）：${r.errorFile}`);
  };

  const listChanges = (into: string[]) => {
    for (const c of r.changes.first) into.push(`  ${formatChange(c)}`);
    if (r.changes.count > r.changes.first.length) into.push(`  ……其余 ${r.changes.count - r.changes.first.length} 条`);
  };
  const entityLines = (into: string[], verb = '') => {
    for (const [table, c] of Object.entries(r.entities)) {
      if (c.created + c.updated + c.unchanged === 0) continue;
      into.push(`  ${ENTITY_LABELS[table] ?? table}：${verb}新增 ${c.created}，更新 ${c.updated}，未变 ${c.unchanged}`);
    }
  };

  switch (r.status) {
    case 'changes-refused':
      stderr.push(`${label} ${sourceLabel(r)} 未导入：文件与已导入的数据不一致，将更改 ${r.changes.count} 条已存记录：`);
      listChanges(stderr);
      stderr.push('未写入任何数据。已导入的记录是核查证据，不会被悄悄改写：请核实差异；确需更正时加 --allow-changes 重新导入（每条记录更改前的版本都会保留）。');
      return { stdout, stderr, exitCode: 1 };
    case 'dry-run':
      stdout.push(`${label} ${sourceLabel(r)} 试导入（--dry-run），未写入任何数据：`);
      stdout.push(`  数据行 ${r.rows}，可导入 ${r.accepted} 行${r.rejected > 0 ? `，错误行 ${r.rejected} 行` : ''}`);
      entityLines(stdout, '将');
      if (r.changes.count > 0) {
        stdout.push(`  将更改 ${r.changes.count} 条已存记录：`);
        listChanges(stdout);
        stdout.push('  正式导入时须加 --allow-changes（更改前的版本会保留）。');
      } else stdout.push('  不更改任何已存记录。');
      if (r.rejected > 0) listErrors();
      return { stdout, stderr, exitCode: 0 };
    case 'already-imported': {
      const p = r.previousBatch;
      const when = p ? formatChinaDateTime(p.createdAt) : '';
      stdout.push(`${label} ${sourceLabel(r)} 已于 ${when} 导入过（批次 #${p?.id ?? '?'}，内容相同），本次未作任何更改。`);
      return { stdout, stderr, exitCode: 0 };
    }
    case 'header-error':
      stderr.push(`${label} ${sourceLabel(r)} 无法导入：${r.headerError ?? ''}`);
      if (r.errorFile) stderr.push(`说明已写入：${r.errorFile}`);
      return { stdout, stderr, exitCode: 1 };
    case 'empty':
      stderr.push(`${label} ${sourceLabel(r)} 在表头（第 ${r.headerLine ?? '?'} 行）下面没有数据行，未导入。`);
      return { stdout, stderr, exitCode: 1 };
    case 'rejected':
      stderr.push(`${label} ${sourceLabel(r)}：共 ${r.rows} 行数据，其中 ${r.rejected} 行有错误。`);
      listErrors();
      if (r.accepted === 0 && r.rejected > 0) stderr.push('没有可导入的正确行，未写入任何数据。');
      else stderr.push('未写入任何数据（整批导入）。请按错误清单修改后重新导入；或加 --accept-valid 只导入正确的行。');
      return { stdout, stderr, exitCode: 1 };
    case 'imported': {
      stdout.push(`${label}导入完成：${sourceLabel(r)}`);
      stdout.push(`  数据行 ${r.rows}，导入 ${r.accepted} 行${r.rejected > 0 ? `，跳过错误行 ${r.rejected} 行` : ''}${r.skippedTotals > 0 ? `，忽略合计行 ${r.skippedTotals} 行` : ''}`);
      entityLines(stdout);
      if (r.changes.count > 0) {
        stdout.push(`  更改已存记录 ${r.changes.count} 条（--allow-changes；更改前的版本已保留在批次 #${r.batchId} 的更改记录中）：`);
        listChanges(stdout);
      }
      const rc = r.regionsCreated;
      const made = [
        rc.counties ? `县 ${rc.counties} 个（${r.countyName}）` : '',
        rc.townships ? `乡镇 ${rc.townships} 个` : '',
        rc.villages ? `村(社区) ${rc.villages} 个` : '',
      ].filter(Boolean);
      if (made.length > 0) stdout.push(`  新建区划：${made.join('，')}`);
      stdout.push(`  批次 #${r.batchId}，文件 SHA-256 ${r.sha256.slice(0, 16)}…，用时 ${(r.durationMs / 1000).toFixed(1)} 秒`);
      if (r.rejected > 0) {
        stderr.push(`注意：有 ${r.rejected} 行错误未导入（--accept-valid）：`);
        listErrors();
      }
      return { stdout, stderr, exitCode: 0 };
    }
  }
}

