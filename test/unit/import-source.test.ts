// File reading for the import (no database): encodings, separators, line numbers, xlsx cells.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';

import { csvLine, ErrorFileWriter } from '../../services/import/error-file.js';
import { detectDelimiter, inspectFile, parseEncodingName, readRows, SourceError } from '../../services/import/source.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-import-source-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(content: Buffer | string, ext = 'csv'): string {
  const f = path.join(dir, `f${++n}.${ext}`);
  fs.writeFileSync(f, content);
  return f;
}

async function rows(f: string, encoding?: NonNullable<Parameters<typeof inspectFile>[1]>['encoding']) {
  const info = await inspectFile(f, { encoding });
  const out: { line: number; cells: unknown[] }[] = [];
  for await (const r of readRows(info)) out.push(r);
  return { info, out };
}

const TEXT = '姓名,身份证号,死亡日期\r\n张三,11010519491231002X,2024-03-15\r\n';

describe('encoding detection', () => {
  it('UTF-8 without BOM', async () => {
    const { info, out } = await rows(file(TEXT));
    expect(info).toMatchObject({ format: 'csv', encoding: 'utf8', encodingReason: 'valid-utf8', delimiter: ',' });
    expect(out[1]!.cells).toEqual(['张三', '11010519491231002X', '2024-03-15']);
  });
  it('UTF-8 with BOM (the BOM is not part of the first header)', async () => {
    const { info, out } = await rows(file(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT)])));
    expect(info).toMatchObject({ encoding: 'utf8', encodingReason: 'bom' });
    expect(out[0]!.cells[0]).toBe('姓名');
  });
  it('GB18030 (what Excel saves as "CSV" on a Chinese Windows)', async () => {
    const { info, out } = await rows(file(iconv.encode(TEXT + '䶮,11010519491231002X,2024-03-15\r\n', 'gb18030')));
    expect(info).toMatchObject({ encoding: 'gb18030', encodingReason: 'not-utf8' });
    expect(out[1]!.cells[0]).toBe('张三');
    expect(out[2]!.cells[0]).toBe('䶮'); // a 4-byte GB18030 character, not in GBK
  });
  it('UTF-16LE with BOM and tabs (Excel "Unicode text")', async () => {
    const { info, out } = await rows(file(Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(TEXT.replaceAll(',', '\t'), 'utf-16le')])));
    expect(info).toMatchObject({ encoding: 'utf16le', delimiter: '\t' });
    expect(out[1]!.cells).toEqual(['张三', '11010519491231002X', '2024-03-15']);
  });
  it('a forced encoding wins over detection', async () => {
    const f = file(iconv.encode(TEXT, 'gb18030'));
    const { info, out } = await rows(f, parseEncodingName('GBK'));
    expect(info).toMatchObject({ encoding: 'gb18030', encodingReason: 'override' });
    expect(out[1]!.cells[0]).toBe('张三');
    expect(() => parseEncodingName('latin1')).toThrow(SourceError);
  });
  it('a non-UTF-8 byte late in a large file still means GB18030', async () => {
    const big = 'a,b\n' + 'x,y\n'.repeat(100_000);
    const { info } = await rows(file(Buffer.concat([Buffer.from(big), iconv.encode('张,三\n', 'gb18030')])));
    expect(info.encoding).toBe('gb18030');
  });
});

describe('CSV rows', () => {
  it('numbers rows as Excel shows them: blank lines count, quoted line breaks do not', async () => {
    const { out } = await rows(file('a,b\r\n"x\r\ny",2\r\n\r\n,\n3,4\r5,"6"""\n'));
    expect(out.map((r) => [r.line, r.cells])).toEqual([
      [1, ['a', 'b']],
      [2, ['x\ny', '2']],
      [3, ['']],
      [4, ['', '']],
      [5, ['3', '4']],
      [6, ['5', '6"']],
    ]);
  });
  it('detects tab and semicolon separators', () => {
    expect(detectDelimiter('姓名\t身份证号\t死亡日期\n')).toBe('\t');
    expect(detectDelimiter('a;b;c')).toBe(';');
    expect(detectDelimiter('"a;b",c')).toBe(',');
  });
  it('refuses the old binary .xls format with advice', async () => {
    await expect(inspectFile(file(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), 'xls'))).rejects.toThrow(/另存为/);
    await expect(inspectFile(path.join(dir, 'missing.csv'))).rejects.toThrow(/找不到文件/);
  });
});

describe('xlsx rows', () => {
  it('streams the first sheet with real row numbers, dates, numbers, rich text and formulas', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('名单');
    ws.addRow(['长子县死亡人员名单']);
    ws.addRow(['姓名', '身份证号', '死亡日期', '金额']);
    ws.addRow(['张三', '11010519491231002X', new Date(Date.UTC(2024, 2, 15)), 12.5]);
    ws.getCell('A5').value = { richText: [{ text: '李' }, { text: '四' }] };
    ws.getCell('B5').value = 110105491231002;
    ws.getCell('C5').value = 45366;
    ws.getCell('C5').numFmt = 'yyyy-mm-dd';
    ws.getCell('D5').value = { formula: 'D3*2', result: 25 };
    wb.addWorksheet('第二页').addRow(['不读']);
    const f = path.join(dir, 'a.xlsx');
    await wb.xlsx.writeFile(f);
    const { info, out } = await rows(f);
    expect(info.format).toBe('xlsx');
    expect(out.map((r) => r.line)).toEqual([1, 2, 3, 5]);
    expect(out[2]!.cells).toEqual(['张三', '11010519491231002X', new Date(Date.UTC(2024, 2, 15)), 12.5]);
    expect(out[3]!.cells[0]).toBe('李四');
    expect(out[3]!.cells[1]).toBe(110105491231002);
    expect(out[3]!.cells[2]).toEqual(new Date(Date.UTC(2024, 2, 15)));
    expect(out[3]!.cells[3]).toBe(25);
  });
  it('a damaged xlsx is an error in Chinese', async () => {
    const f = file(Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100, 7)]), 'xlsx');
    const info = await inspectFile(f);
    await expect(async () => {
      for await (const _ of readRows(info)) void _;
    }).rejects.toThrow(/无法读取 xlsx 文件/);
  });
});

describe('error file', () => {
  it('is UTF-8 with a BOM, quotes as needed, keeps long digit strings as text for Excel and masks ID numbers', () => {
    expect(csvLine(['1', 'a,b', 'say "hi"', '140428198001010010'])).toBe('1,"a,b","say ""hi""","\t140428198001010010"\r\n');
    const f = path.join(dir, 'err.csv');
    const w = new ErrorFileWriter(f);
    w.setHeader(['姓名', '身份证号']);
    w.add(3, ['身份证号校验位错误', '姓名不能为空'], ['', '140428198001010011']);
    w.close();
    const text = fs.readFileSync(f, 'utf8');
    expect(text.startsWith('\ufeff行号,错误原因,姓名,身份证号\r\n')).toBe(true);
    expect(text).toContain('3,身份证号校验位错误；姓名不能为空,,1404**********0011');
    expect(text).not.toContain('140428198001010011');
  });
});
