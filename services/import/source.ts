// Reading an import file as a stream of rows: CSV (UTF-8, GB18030 or UTF-16, comma or tab separated)
// through iconv-lite and papaparse, xlsx through exceljs's streaming WorkbookReader. Memory stays flat
// whatever the file size: rows are yielded one by one, nothing is collected.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { Transform, pipeline, type Readable } from 'node:stream';
import { TextDecoder } from 'node:util';

import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import Papa from 'papaparse';

import type { Cell } from '../../domain/import/index.js';

export type FileFormat = 'csv' | 'xlsx';
export type TextEncoding = 'utf8' | 'gb18030' | 'utf16le' | 'utf16be';

/** How the encoding was decided. */
export type EncodingReason = 'bom' | 'valid-utf8' | 'not-utf8' | 'override';

export interface SourceInfo {
  path: string;
  size: number;
  sha256: string;
  format: FileFormat;
  /** CSV only. */
  encoding?: TextEncoding;
  encodingReason?: EncodingReason;
  /** CSV only: ',' or '\t' or ';'. */
  delimiter?: string;
}

export interface RawRow {
  /** The row number a person sees: the Excel row, or the CSV record number (= line when no cell spans lines). */
  line: number;
  cells: Cell[];
}

export class SourceError extends Error {
  override name = 'SourceError';
}

export const ENCODING_LABELS: Record<TextEncoding, string> = {
  utf8: 'UTF-8',
  gb18030: 'GB18030',
  utf16le: 'UTF-16LE',
  utf16be: 'UTF-16BE',
};

/** Accepted spellings of an encoding override (--encoding, JIUZHU_IMPORT_ENCODING). */
export function parseEncodingName(name: string): TextEncoding {
  const n = name.trim().toLowerCase().replace(/[-_\s]/g, '');
  if (n === 'utf8' || n === 'utf8bom') return 'utf8';
  if (n === 'gb18030' || n === 'gbk' || n === 'gb2312' || n === 'cp936' || n === 'ansi') return 'gb18030';
  if (n === 'utf16le' || n === 'utf16' || n === 'unicode' || n === 'ucs2') return 'utf16le';
  if (n === 'utf16be') return 'utf16be';
  throw new SourceError(`不支持的编码“${name}”：可用 utf8、gb18030（含 GBK、GB2312）、utf16le`);
}

const HEAD_BYTES = 64 * 1024;

/**
 * One pass over the file: SHA-256, format (by content, not by name: a zip is
 * xlsx, an OLE2 file is the old .xls, anything else is text), and for text the
 * encoding: a BOM decides; else the whole file is checked as strict UTF-8
 * (fatal TextDecoder); else GB18030 (a superset of GBK and GB2312). An
 * override skips the detection.
 */
export async function inspectFile(path: string, options: { encoding?: TextEncoding } = {}): Promise<SourceInfo> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(path);
  } catch {
    throw new SourceError(`找不到文件：${path}`);
  }
  if (!stat.isFile()) throw new SourceError(`不是文件：${path}`);
  const hash = createHash('sha256');
  const headChunks: Buffer[] = [];
  let headLen = 0;
  let utf8: TextDecoder | undefined = new TextDecoder('utf-8', { fatal: true });
  let validUtf8 = true;
  for await (const chunk of fs.createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    if (headLen < HEAD_BYTES) {
      headChunks.push(chunk);
      headLen += chunk.length;
    }
    if (utf8) {
      try {
        utf8.decode(chunk, { stream: true });
      } catch {
        validUtf8 = false;
        utf8 = undefined;
      }
    }
  }
  if (utf8) {
    try {
      utf8.decode();
    } catch {
      validUtf8 = false;
    }
  }
  const head = Buffer.concat(headChunks).subarray(0, HEAD_BYTES);
  const info: SourceInfo = { path, size: stat.size, sha256: hash.digest('hex'), format: 'csv' };
  if (head.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) {
    info.format = 'xlsx';
    return info;
  }
  if (head.subarray(0, 8).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))) {
    throw new SourceError('这是旧版 Excel（.xls）文件，无法直接导入：请在 Excel 或 WPS 中“另存为” .xlsx 或 CSV 后再导入');
  }
  if (options.encoding) {
    info.encoding = options.encoding;
    info.encodingReason = 'override';
  } else if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) {
    info.encoding = 'utf8';
    info.encodingReason = 'bom';
  } else if (head[0] === 0xff && head[1] === 0xfe) {
    info.encoding = 'utf16le';
    info.encodingReason = 'bom';
  } else if (head[0] === 0xfe && head[1] === 0xff) {
    info.encoding = 'utf16be';
    info.encodingReason = 'bom';
  } else if (validUtf8) {
    info.encoding = 'utf8';
    info.encodingReason = 'valid-utf8';
  } else {
    info.encoding = 'gb18030';
    info.encodingReason = 'not-utf8';
  }
  info.delimiter = detectDelimiter(iconv.decode(head, iconvName(info.encoding)));
  return info;
}

function iconvName(e: TextEncoding): string {
  return e === 'utf16be' ? 'utf-16be' : e === 'utf16le' ? 'utf-16le' : e;
}

/** The separator of the first non-empty line outside quotes: tab or semicolon if they beat commas. */
export function detectDelimiter(text: string): string {
  const line = text.split(/\r\n|\n|\r/).find((l) => l.trim() !== '') ?? '';
  const counts = { ',': 0, '\t': 0, ';': 0 };
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === ',' || ch === '\t' || ch === ';')) counts[ch]++;
  }
  if (counts['\t'] > counts[','] && counts['\t'] >= counts[';']) return '\t';
  if (counts[';'] > counts[',']) return ';';
  return ',';
}

/** Counts bytes as they go by (progress). */
function byteCounter(onBytes: (total: number) => void): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      total += chunk.length;
      onBytes(total);
      cb(null, chunk);
    },
  });
}

/** Consecutive rows of the file: `cells[i]` is the row a person sees as `lines[i]`. */
export interface RowBatch {
  lines: number[];
  cells: Cell[][];
}

/** The rows of the file, in order, blank ones included (the caller skips them). */
export async function* readRows(info: SourceInfo, options: { onBytes?: (bytes: number) => void } = {}): AsyncGenerator<RawRow> {
  for await (const batch of readRowBatches(info, options)) {
    for (let i = 0; i < batch.cells.length; i++) yield { line: batch.lines[i]!, cells: batch.cells[i]! };
  }
}

/**
 * The same rows as readRows, a batch at a time (a CSV: the records of one input chunk; xlsx: one row):
 * a large file's reader then pays one round through the event loop per batch, not per row.
 */
export function readRowBatches(info: SourceInfo, options: { onBytes?: (bytes: number) => void } = {}): AsyncGenerator<RowBatch> {
  return info.format === 'xlsx' ? readXlsxBatches(info, options) : readCsvBatches(info, options);
}

/**
 * Line endings to '\n' (CRLF, and a lone CR as old Mac files have), across chunk boundaries, so that
 * a file mixing endings still splits into the right rows.
 */
function normalizeNewlines(): Transform {
  let pendingCr = false;
  return new Transform({
    decodeStrings: false,
    readableObjectMode: false,
    transform(chunk: string | Buffer, _enc, cb) {
      let text = (pendingCr ? '\r' : '') + String(chunk);
      pendingCr = text.endsWith('\r');
      if (pendingCr) text = text.slice(0, -1);
      cb(null, text.replace(/\r\n?/g, '\n'));
    },
    flush(cb) {
      cb(null, pendingCr ? '\n' : '');
    },
  });
}

/**
 * Rows from papaparse's callback API, a chunk (one input chunk's rows) at a time, with backpressure:
 * the parser and the input stream are paused while the consumer works on a chunk.
 * (Papa's own Duplex stream is much slower when consumed with for-await.)
 */
async function* papaChunks(input: Readable, config: Papa.ParseConfig<string[]>): AsyncGenerator<string[][]> {
  const pending: string[][][] = [];
  let parser: Papa.Parser | undefined;
  let done = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const signal = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  Papa.parse<string[]>(input as unknown as File, {
    ...config,
    chunk: (results, p) => {
      parser = p;
      pending.push(results.data);
      // The handle's pause() stops Papa but not the stream feeding it (Papa would queue the whole
      // file): pause the stream too.
      p.pause();
      input.pause();
      signal();
    },
    complete: () => {
      done = true;
      signal();
    },
    error: (err: Error) => {
      failure = err;
      signal();
    },
  } as Papa.ParseLocalConfig<string[], File>);
  for (;;) {
    if (pending.length > 0) {
      yield pending.shift()!;
      if (pending.length === 0 && !done && failure === undefined) {
        parser?.resume();
        if (pending.length === 0) input.resume();
      }
      continue;
    }
    if (failure !== undefined) throw failure instanceof Error ? failure : new Error(String(failure));
    if (done) return;
    await new Promise<void>((resolve) => (wake = resolve));
  }
}

async function* readCsvBatches(info: SourceInfo, options: { onBytes?: (bytes: number) => void }): AsyncGenerator<RowBatch> {
  const file = fs.createReadStream(info.path);
  const stages: (NodeJS.ReadableStream | NodeJS.WritableStream)[] = [file];
  if (options.onBytes) stages.push(byteCounter(options.onBytes));
  const text = normalizeNewlines();
  stages.push(iconv.decodeStream(iconvName(info.encoding ?? 'utf8')), text);
  // pipeline() destroys every stage on an error; Papa sees it as an error of `text`.
  pipeline(stages, () => {});
  // Blank lines come out as [''], so the record count stays equal to the row number a person sees in Excel.
  let line = 0;
  try {
    for await (const rows of papaChunks(text, { delimiter: info.delimiter ?? ',', newline: '\n', quoteChar: '"', skipEmptyLines: false })) {
      const lines: number[] = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) lines[i] = ++line;
      yield { lines, cells: rows };
    }
  } finally {
    file.destroy();
    text.destroy();
  }
}

async function* readXlsxBatches(info: SourceInfo, options: { onBytes?: (bytes: number) => void }): AsyncGenerator<RowBatch> {
  const file = fs.createReadStream(info.path);
  const input = options.onBytes ? file.pipe(byteCounter(options.onBytes)) : file;
  file.on('error', (err) => input.destroy(err));
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  });
  try {
    // Only the first worksheet is read.
    for await (const sheet of reader) {
      for await (const row of sheet) {
        yield { lines: [row.number], cells: [flattenRow(row.values)] };
      }
      break;
    }
  } catch (err) {
    if (err instanceof SourceError) throw err;
    throw new SourceError(`无法读取 xlsx 文件（文件可能已损坏，或不是 Excel 文件）：${(err as Error).message}`);
  } finally {
    input.destroy();
    file.destroy();
  }
}

/** exceljs row.values is 1-based and sparse; rich values are flattened to what the cell shows. */
function flattenRow(values: unknown): Cell[] {
  if (!Array.isArray(values)) return [];
  const out: Cell[] = [];
  for (let i = 1; i < values.length; i++) out.push(flattenCell(values[i]));
  return out;
}

export function flattenCell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.richText)) return (o.richText as { text?: string }[]).map((r) => r.text ?? '').join('');
    if ('result' in o) return flattenCell(o.result);
    if ('formula' in o || 'sharedFormula' in o) return null;
    if (typeof o.text === 'string') return o.text; // hyperlink
    if ('error' in o) return String(o.error);
  }
  return String(v);
}
