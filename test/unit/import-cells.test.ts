import { describe, expect, it } from 'vitest';

import {
  cellName,
  cellText,
  excelSerialToDate,
  isBlankRow,
  maskSensitive,
  parseAccountCell,
  parseAmountCell,
  parseDateCell,
  parseIdCell,
  parseMonthCell,
  parseRequiredDateCell,
  hashBankAccount,
  protectAccount,
} from '../../domain/import/index.js';
import { computeCheckDigit } from '../../domain/identity/index.js';

const body = '14042819800101001';
const ID = body + computeCheckDigit(body);

describe('cells: text', () => {
  it('trims, folds full-width and no-break spaces, flattens line breaks', () => {
    expect(cellText('  张三 ')).toBe('张三');
    expect(cellText('\u3000东关\u00a0社区\r\n')).toBe('东关 社区');
    expect(cellText(null)).toBe('');
    expect(cellText(12)).toBe('12');
    expect(cellText(new Date(Date.UTC(2024, 1, 29)))).toBe('2024-02-29');
    expect(cellText(true)).toBe('是');
  });
  it('removes spaces between Chinese characters in names only', () => {
    expect(cellName('张  三')).toBe('张三');
    expect(cellName('Ma Li')).toBe('Ma Li');
  });
  it('recognises blank rows', () => {
    expect(isBlankRow(['', ' ', null, undefined, '\u3000'])).toBe(true);
    expect(isBlankRow(['', 'x'])).toBe(false);
  });
});

describe('cells: ID numbers', () => {
  it('accepts 18 digits, lower-case x, spaces and 15-digit legacy numbers', () => {
    expect(parseIdCell(` ${ID.slice(0, 6)} ${ID.slice(6)} `, '身份证号')).toEqual({ ok: true, value: ID });
    expect(parseIdCell('110105491231002', '身份证号')).toEqual({ ok: true, value: '11010519491231002X' });
    expect(parseIdCell(110105491231002, '身份证号')).toEqual({ ok: true, value: '11010519491231002X' });
  });
  it('names the column in the checksum, date and format messages', () => {
    const wrong = ID.slice(0, 17) + (ID[17] === '0' ? '1' : '0');
    expect(parseIdCell(wrong, '成员身份证号')).toEqual({ ok: false, message: '成员身份证号校验位错误' });
    expect(parseIdCell('140428199902300011', '户主身份证号')).toMatchObject({ ok: false, message: expect.stringContaining('户主身份证号中的出生日期无效') });
    expect(parseIdCell('12345', '身份证号')).toMatchObject({ ok: false, message: expect.stringMatching(/^身份证号格式错误/) });
    expect(parseIdCell('', '身份证号')).toEqual({ ok: false, message: '身份证号不能为空' });
  });
  it('explains IDs that Excel turned into numbers', () => {
    expect(parseIdCell(Number('140428198001010010'), '身份证号')).toMatchObject({ ok: false, message: expect.stringContaining('被存成了数字') });
    expect(parseIdCell('1.40428E+17', '身份证号')).toMatchObject({ ok: false, message: expect.stringContaining('科学计数法') });
  });
});

describe('cells: dates', () => {
  it.each([
    ['2024-01-05', '2024-01-05'],
    ['2024/1/5', '2024-01-05'],
    ['2024.1.5', '2024-01-05'],
    ['2024年1月5日', '2024-01-05'],
    ['2024 年 1 月 5 日', '2024-01-05'],
    ['20240105', '2024-01-05'],
    ['2024/1/5 0:00:00', '2024-01-05'],
    ['2024-01-05T00:00:00', '2024-01-05'],
    ['45296', '2024-01-05'],
  ])('%s → %s', (input, expected) => {
    expect(parseDateCell(input, '纳入日期')).toEqual({ ok: true, value: expected });
  });
  it('takes Excel date cells and serial numbers', () => {
    expect(parseDateCell(new Date(Date.UTC(2024, 0, 5)), 'd')).toEqual({ ok: true, value: '2024-01-05' });
    expect(parseDateCell(new Date(Date.UTC(2024, 0, 4, 23, 59, 59, 999)), 'd')).toEqual({ ok: true, value: '2024-01-05' });
    expect(parseDateCell(45296, 'd')).toEqual({ ok: true, value: '2024-01-05' });
    expect(parseDateCell(45296.75, 'd')).toEqual({ ok: true, value: '2024-01-05' });
    expect(parseDateCell(20240105, 'd')).toEqual({ ok: true, value: '2024-01-05' });
    expect(excelSerialToDate(61)).toBe('1900-03-01');
  });
  it('refuses impossible dates with the reason', () => {
    expect(parseDateCell('2024-02-30', '纳入日期')).toEqual({ ok: false, message: '纳入日期“2024-02-30”不存在：2024年2月没有30日' });
    expect(parseDateCell('2023-02-29', '死亡日期')).toMatchObject({ ok: false, message: expect.stringContaining('2023年2月没有29日') });
    expect(parseDateCell('2024-13-01', 'd')).toMatchObject({ ok: false, message: expect.stringContaining('没有13月') });
    expect(parseDateCell('昨天', '死亡日期')).toMatchObject({ ok: false, message: expect.stringContaining('无法识别') });
    expect(parseDateCell('1850-01-01', 'd')).toMatchObject({ ok: false, message: expect.stringContaining('超出范围') });
  });
  it('empty is null, or an error when required', () => {
    expect(parseDateCell('', 'd')).toEqual({ ok: true, value: null });
    expect(parseRequiredDateCell(' ', '死亡日期')).toEqual({ ok: false, message: '死亡日期不能为空' });
  });
});

describe('cells: months', () => {
  it.each([
    ['2024-05', '2024-05'],
    ['2024/5', '2024-05'],
    ['2024.5', '2024-05'],
    ['2024年5月', '2024-05'],
    ['2024年05月份', '2024-05'],
    ['202405', '2024-05'],
    ['2024-05-01', '2024-05'],
    ['2024/5/31', '2024-05'],
  ])('%s → %s', (input, expected) => {
    expect(parseMonthCell(input, '发放月份')).toEqual({ ok: true, value: expected });
  });
  it('takes Excel date cells (Excel turns "2024-05" into 2024-05-01) and serials', () => {
    expect(parseMonthCell(new Date(Date.UTC(2024, 4, 1)), 'm')).toEqual({ ok: true, value: '2024-05' });
    expect(parseMonthCell(45413, 'm')).toEqual({ ok: true, value: '2024-05' });
    expect(parseMonthCell(202405, 'm')).toEqual({ ok: true, value: '2024-05' });
  });
  it('refuses month 13 and text', () => {
    expect(parseMonthCell('2024-13', '发放月份')).toMatchObject({ ok: false, message: expect.stringContaining('没有13月') });
    expect(parseMonthCell('五月', '发放月份')).toMatchObject({ ok: false, message: expect.stringContaining('无法识别') });
    expect(parseMonthCell('', '发放月份')).toEqual({ ok: false, message: '发放月份不能为空' });
  });
});

describe('cells: amounts', () => {
  it.each([
    ['1200', '1200.00'],
    ['1,200.5', '1200.50'],
    ['￥1,200.50元', '1200.50'],
    ['0', '0.00'],
    ['.5', '0.50'],
    ['780.000', '780.00'],
  ])('%s → %s', (input, expected) => {
    expect(parseAmountCell(input, '金额')).toEqual({ ok: true, value: expected });
  });
  it('takes numbers without floating-point noise', () => {
    expect(parseAmountCell(1200.1, '金额')).toEqual({ ok: true, value: '1200.10' });
    expect(parseAmountCell(0.29, '金额')).toEqual({ ok: true, value: '0.29' });
  });
  it('refuses negative, non-numeric, 3 decimals and overflow', () => {
    expect(parseAmountCell('-520', '月保障金额')).toEqual({ ok: false, message: '月保障金额不能为负数（-520）' });
    expect(parseAmountCell(-1, '实发金额')).toMatchObject({ ok: false, message: expect.stringContaining('不能为负数') });
    expect(parseAmountCell('五百', '应发金额')).toEqual({ ok: false, message: '应发金额“五百”不是有效的金额' });
    expect(parseAmountCell('1.234', '金额')).toMatchObject({ ok: false, message: expect.stringContaining('最多两位小数') });
    expect(parseAmountCell(1.234, '金额')).toMatchObject({ ok: false, message: expect.stringContaining('最多两位小数') });
    expect(parseAmountCell('99999999999', '金额')).toMatchObject({ ok: false, message: expect.stringContaining('过大') });
    expect(parseAmountCell('', '金额')).toEqual({ ok: true, value: null });
  });
});

describe('cells: bank accounts', () => {
  it('accepts 12–19 digits, refuses the rest and Excel-mangled numbers', () => {
    expect(parseAccountCell('6217 0000 1111 2222 333', '收款账号')).toEqual({ ok: true, value: '6217000011112222333' });
    expect(parseAccountCell('', '收款账号')).toEqual({ ok: true, value: null });
    expect(parseAccountCell('12345', '收款账号')).toMatchObject({ ok: false, message: expect.stringContaining('12–19位') });
    expect(parseAccountCell(Number('6217000011112222333'), '收款账号')).toMatchObject({ ok: false, message: expect.stringContaining('被存成了数字') });
  });
  it('keeps only a mask and a keyed hash', () => {
    const key = 'k'.repeat(32);
    const p = protectAccount('6217000011112222333', key);
    expect(p.masked).toBe('6217***********2333');
    expect(p.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashBankAccount('6217 0000 1111 2222 333', key)).toBe(p.hash);
    expect(hashBankAccount('6217000011112222333', 'x'.repeat(32))).not.toBe(p.hash);
    expect(() => hashBankAccount('6217000011112222333', 'short')).toThrow(/密钥过短/);
  });
});

describe('maskSensitive', () => {
  it('masks ID numbers and account numbers in console text', () => {
    expect(maskSensitive(`第 3 行：${ID} 有误，账号 6217000011112222333`)).toBe(
      `第 3 行：${ID.slice(0, 4)}**********${ID.slice(-4)} 有误，账号 6217***********2333`,
    );
    expect(maskSensitive('第 12 行，金额 1200.50')).toBe('第 12 行，金额 1200.50');
  });
});
