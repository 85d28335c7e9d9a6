/**
 * Import throughput: the generated roster and payments are written out as the
 * CSV files a bureau would import (Chinese headers, one member / one payment a
 * row), then read back through the real import (`importFile`, services/import) into
 * a fresh database. Files are streamed out through a cursor, so this process
 * does not hold them.
 *
 * Capped (ROSTER_CAP members, PAYMENTS_CAP payment rows) so the run stays in
 * minutes at 1 M; the figure is a rate (rows/s).
 */
import fs from 'node:fs';
import { once } from 'node:events';
import type pg from 'pg';

import { importFile } from '../services/import/index.js';
import type { PrismaClient } from '../infra/db/client.js';
import { presets } from '../domain/policy/index.js';
import { AVERAGE_HOUSEHOLD_SIZE } from './generate.js';

export const ROSTER_CAP = 100_000;
export const PAYMENTS_CAP = 200_000;

const csv = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

async function exportCsv(client: pg.Client, file: string, header: string[], sql: string): Promise<number> {
  const out = fs.createWriteStream(file);
  out.write(`\ufeff${header.join(',')}\n`);
  let n = 0;
  await client.query('BEGIN');
  try {
    await client.query(`DECLARE bench_export NO SCROLL CURSOR FOR ${sql}`);
    for (;;) {
      const { rows } = await client.query<Record<string, unknown>>('FETCH FORWARD 5000 FROM bench_export');
      for (const row of rows) {
        if (!out.write(`${Object.values(row).map(csv).join(',')}\n`)) await once(out, 'drain');
        n++;
      }
      if (rows.length < 5000) break;
    }
  } finally {
    await client.query('COMMIT');
  }
  out.end();
  await once(out, 'finish');
  return n;
}

const KIND_LABEL = `CASE e.kind WHEN 'URBAN_DIBAO' THEN '城市低保' WHEN 'RURAL_DIBAO' THEN '农村低保' WHEN 'TEKUN_DISPERSED' THEN '分散特困' ELSE '集中特困' END`;

export interface ImportFigures {
  rosterRows: number;
  rosterMs: number;
  rosterRowsPerSecond: number;
  paymentRows: number;
  paymentsMs: number;
  paymentRowsPerSecond: number;
  status: string[];
}

/** Export from `source` (the generated database) and import into `target` (empty, migrated). */
export async function measureImport(source: pg.Client, target: PrismaClient, members: number, dir: string): Promise<ImportFigures> {
  const households = Math.ceil(Math.min(members, ROSTER_CAP) / AVERAGE_HOUSEHOLD_SIZE);
  const roster = `${dir}/roster.csv`;
  const payments = `${dir}/payments.csv`;
  await exportCsv(
    source,
    roster,
    ['乡镇', '村(社区)', '户主姓名', '户主身份证号', '成员姓名', '成员身份证号', '与户主关系', '救助类型', '供养机构', '月保障金额', '纳入日期', '状态'],
    `SELECT t.name AS township, v.name AS village, h."headName", h."headIdNumber", m.name, m."idNumber", m."relationToHead",
       ${KIND_LABEL} AS kind, i.name AS institution, e."monthlyAmount", to_char(e."startDate", 'YYYY-MM-DD'), '正常'
     FROM "Household" h
     JOIN "Region" v ON v.id = h."regionId" JOIN "Region" t ON t.id = v."parentId"
     JOIN "Member" m ON m."householdId" = h.id AND m."relationToHead" <> '其他'
     JOIN "Enrolment" e ON e.id = h.id
     LEFT JOIN "Institution" i ON i.id = e."institutionId"
     WHERE h.id <= ${households}
     ORDER BY h.id, m.id`,
  );
  await exportCsv(
    source,
    payments,
    ['户主身份证号', '户主姓名', '救助类型', '发放月份', '应发金额', '实发金额', '发放日期', '收款方', '收款账号'],
    `SELECT h."headIdNumber", h."headName", ${KIND_LABEL} AS kind, p.period, p."amountDue", p."amountPaid",
       to_char(p."paidDate", 'YYYY-MM-DD'), CASE p."payeeKind" WHEN 'HOUSEHOLD' THEN '本户' ELSE p."payeeName" END, ''
     FROM "Payment" p JOIN "Household" h ON h.id = p."householdId" JOIN "Enrolment" e ON e.id = p."enrolmentId"
     WHERE h.id <= ${households} AND e.id = h.id
     ORDER BY h.id, p.period
     LIMIT ${PAYMENTS_CAP}`,
  );
  const common = { prisma: target, policy: presets.zhangzi, acceptValid: true, today: '2025-01-15' };
  const r1 = await importFile({ ...common, kind: 'roster', file: roster, errorFile: `${dir}/roster.errors.csv` });
  const r2 = await importFile({ ...common, kind: 'payments', file: payments, errorFile: `${dir}/payments.errors.csv` });
  return {
    rosterRows: r1.accepted,
    rosterMs: r1.durationMs,
    rosterRowsPerSecond: Math.round(r1.accepted / (r1.durationMs / 1000)),
    paymentRows: r2.accepted,
    paymentsMs: r2.durationMs,
    paymentRowsPerSecond: Math.round(r2.accepted / (r2.durationMs / 1000)),
    status: [`roster ${r1.status} ${r1.accepted}/${r1.rows}`, `payments ${r2.status} ${r2.accepted}/${r2.rows}`],
  };
}
