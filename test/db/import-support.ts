// Helpers for the import tests: a private folder, a county of one's own, sample sets with fresh ID
// numbers, and counts scoped to that county (the database is shared with other test files).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { PrismaClient } from '../../infra/db/client.js';
import { importFile, type ImportOptions, type ImportResult } from '../../services/import/index.js';
import { getPreset } from '../../domain/index.js';
import { buildSamples, type SampleSet } from '../../scripts/sample-data.js';
import { computeCheckDigit } from '../../domain/identity/index.js';

export const policy = getPreset('zhangzi');
export const HASH_KEY = 'test-hash-key-0123456789abcdef';

export function tag(): string {
  return `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-import-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

// ID numbers unique across the test processes sharing the database: a random 4-digit tag in the area
// code (only the province digits are validated) and a random sequence base per process, a counter for
// the birth date within the process (20 160 different dates before one repeats).
const AREA = `14${String(Math.floor(Math.random() * 10000)).padStart(4, '0')}`;
const SEQ_BASE = Math.floor(Math.random() * 500) * 2;
let counter = 0;

/** A valid 18-digit ID number no other test (or process) uses; born 1940–1999. */
export function uniqueId(female = false): string {
  const n = counter++;
  const day = (n % 28) + 1;
  const month = (Math.floor(n / 28) % 12) + 1;
  const year = 1940 + (Math.floor(n / 336) % 60);
  const seq = (SEQ_BASE + (female ? 0 : 1) + 2 * Math.floor(n / 20160)) % 1000;
  const body = `${AREA}${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}${String(seq).padStart(3, '0')}`;
  return body + computeCheckDigit(body);
}

/** A sample set (30 households, 24 months of payments …) with fresh IDs, its own county and institution. */
export function freshSampleSet(): SampleSet {
  const t = tag();
  return buildSamples({
    id: (_birth, female) => uniqueId(female),
    county: `导入测试县${t}`,
    institution: `导入测试敬老院${t}`,
  });
}

export function runImport(prisma: PrismaClient, opts: Omit<ImportOptions, 'prisma'>): Promise<ImportResult> {
  return importFile({ prisma, policy, hashKey: HASH_KEY, today: '2026-11-22', ...opts });
}

export interface CountyCounts {
  counties: number;
  townships: number;
  villages: number;
  households: number;
  members: number;
  enrolments: number;
  payments: number;
  staff: number;
}

/** Counts of the registry rows under one county (by name). */
export async function countyCounts(prisma: PrismaClient, county: string): Promise<CountyCounts> {
  const rows = await prisma.$queryRawUnsafe<CountyCounts[]>(
    `WITH c AS (SELECT id FROM "Region" WHERE name = $1 AND level = 'COUNTY' AND "parentId" IS NULL),
          t AS (SELECT r.id FROM "Region" r JOIN c ON r."parentId" = c.id),
          v AS (SELECT r.id FROM "Region" r JOIN t ON r."parentId" = t.id),
          h AS (SELECT id FROM "Household" WHERE "regionId" IN (SELECT id FROM v))
     SELECT (SELECT count(*) FROM c)::int AS counties,
            (SELECT count(*) FROM t)::int AS townships,
            (SELECT count(*) FROM v)::int AS villages,
            (SELECT count(*) FROM h)::int AS households,
            (SELECT count(*) FROM "Member" WHERE "householdId" IN (SELECT id FROM h))::int AS members,
            (SELECT count(*) FROM "Enrolment" WHERE "householdId" IN (SELECT id FROM h))::int AS enrolments,
            (SELECT count(*) FROM "Payment" WHERE "householdId" IN (SELECT id FROM h))::int AS payments,
            (SELECT count(*) FROM "Staff" WHERE "regionId" IN (SELECT id FROM c UNION SELECT id FROM t UNION SELECT id FROM v))::int AS staff`,
    county,
  );
  return rows[0]!;
}

export async function batchAndAuditCount(prisma: PrismaClient, kind: string, sha256: string): Promise<{ batches: number; audits: number }> {
  const rows = await prisma.$queryRawUnsafe<{ batches: number; audits: number }[]>(
    `SELECT (SELECT count(*) FROM "ImportBatch" WHERE kind = $1::"ImportKind" AND "fileSha256" = $2)::int AS batches,
            (SELECT count(*) FROM "AuditEntry" WHERE action = 'import.' || $1 AND payload->>'fileSha256' = $2)::int AS audits`,
    kind,
    sha256,
  );
  return rows[0]!;
}

/** A CSV file from a header and rows (UTF-8, no BOM unless asked). */
export function writeCsvFile(file: string, header: string[], rows: (string | number | null)[][], bom = false): string {
  const esc = (v: string | number | null) => {
    const s = v === null ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const text = [header, ...rows].map((r) => r.map(esc).join(',')).join('\r\n') + '\r\n';
  fs.writeFileSync(file, (bom ? '\ufeff' : '') + text);
  return file;
}

/** The error file as rows of cells (BOM stripped). */
export function readErrorFile(file: string): string[][] {
  const text = fs.readFileSync(file, 'utf8');
  if (!text.startsWith('\ufeff')) throw new Error('error file has no BOM');
  return text
    .slice(1)
    .split('\r\n')
    .filter((l) => l !== '')
    .map((l) => l.split(','));
}

/** Header rows of the hand-written CSV files the import tests build. */
export const ROSTER_HEADER = ['乡镇', '村(社区)', '户主姓名', '户主身份证号', '成员姓名', '成员身份证号', '与户主关系', '救助类型', '供养机构', '月保障金额', '纳入日期', '状态'];
export const PAYMENT_HEADER = ['户主身份证号', '救助类型', '发放月份', '应发金额', '实发金额', '发放日期', '收款方', '收款账号'];
