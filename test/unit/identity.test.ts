import { describe, expect, it } from 'vitest';
import {
  IdNumberError,
  ageOn,
  bankAccountSchema,
  birthDateFromIdNumber,
  checkIdNumber18,
  computeCheckDigit,
  convert15To18,
  idNumberInputSchema,
  idNumberSchema,
  isValidIdNumber,
  isValidMobile,
  luhnValid,
  maskBankCard,
  maskIdNumber,
  maskIdNumbersInText,
  maskMobile,
  mobileSchema,
  normalizeIdNumber,
  parseIdNumber,
  sexFromIdNumber,
} from '../../domain/identity/index.js';
import { hashIdNumber } from '../../domain/identity/id-hash.js';

describe('GB 11643 check digit', () => {
  it('11010519491231002X is valid (sum 167, 167 mod 11 = 2 → X)', () => {
    expect(computeCheckDigit('11010519491231002')).toBe('X');
    expect(isValidIdNumber('11010519491231002X')).toBe(true);
    expect(isValidIdNumber('11010519491231002x')).toBe(true);
  });

  it('other hand-computed vectors', () => {
    expect(computeCheckDigit('11010519491231003')).toBe('8'); // sum 169 → 169 mod 11 = 4 → '10X98765432'[4] = '8'
    expect(isValidIdNumber('110105194912310038')).toBe(true);
    expect(computeCheckDigit('11010520000229123')).toBe('5'); // sum 150 → 7 → '5'
    expect(isValidIdNumber('110105200002291235')).toBe(true);
  });

  it('a changed digit makes the number invalid', () => {
    expect(checkIdNumber18('11010519491231003X')).toBe('checksum');
    expect(checkIdNumber18('11010519491231002X'.replace(/^1/, '2'))).not.toBeNull();
    expect(checkIdNumber18('110105194912310029')).toBe('checksum');
    expect(() => normalizeIdNumber('11010519491231003X')).toThrow('身份证号校验位错误');
  });

  it('impossible birth dates are rejected', () => {
    expect(checkIdNumber18('110105199902301234')).toBe('birthDate'); // 1999-02-30
    expect(checkIdNumber18('110105190002291234')).toBe('birthDate'); // 1900 is not a leap year
    expect(checkIdNumber18('110105199913011234')).toBe('birthDate'); // month 13
    expect(checkIdNumber18('110105209901011234', '2024-10-10')).toBe('birthDate'); // future
    expect(() => normalizeIdNumber('110105199902301234')).toThrow(/出生日期无效/);
  });

  it('format and area errors', () => {
    expect(checkIdNumber18('1101051949123100')).toBe('format');
    expect(checkIdNumber18('11010519491231002Y')).toBe('format');
    expect(checkIdNumber18('000105194912310021')).toBe('area');
    expect(() => normalizeIdNumber('abc')).toThrow(IdNumberError);
  });
});

describe('15-digit legacy numbers', () => {
  it('converts by inserting 19 and computing the check digit', () => {
    expect(convert15To18('110105491231002')).toBe('11010519491231002X');
    expect(convert15To18('130503670401001')).toBe('130503196704010016'); // sum 182 → 6 → '6'
    expect(normalizeIdNumber(' 110105 491231 002 ')).toBe('11010519491231002X');
  });

  it('rejects an impossible legacy birth date', () => {
    expect(() => normalizeIdNumber('110105990230123')).toThrow(/出生日期无效/);
  });
});

describe('derived data', () => {
  it('birth date and sex', () => {
    expect(parseIdNumber('11010519491231002X')).toEqual({
      idNumber: '11010519491231002X',
      areaCode: '110105',
      provinceCode: '11',
      birthDate: '1949-12-31',
      sex: 'female',
      legacy15: false,
    });
    expect(sexFromIdNumber('110105194912310038')).toBe('male');
    expect(birthDateFromIdNumber('130503670401001')).toBe('1967-04-01');
    expect(parseIdNumber('130503670401001').legacy15).toBe(true);
    expect(sexFromIdNumber('130503670401001')).toBe('male');
    expect(ageOn('11010519491231002X', '2024-12-30')).toBe(74);
    expect(ageOn('11010519491231002X', '2024-12-31')).toBe(75);
  });

  it('masks: first 4 and last 4', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('1101**********002X');
    expect(maskIdNumber('11010519491231002x')).toBe('1101**********002X');
  });

  it('masks every ID number in free text, also one typed right after other digits', () => {
    expect(maskIdNumbersInText('户主 11010519491231002X 已核实')).toBe('户主 1101**********002X 已核实');
    // Two numbers joined once the hidden characters between them are removed (a fuzz case from CI): the
    // ID number's digits must not show, whichever number comes first.
    const joined = maskIdNumbersInText('Xs9007199254740993142135198604161839殟');
    expect(joined).not.toContain('142135198604161839');
    expect(joined).toBe(`Xs9007${'*'.repeat(26)}1839殟`);
    expect(maskIdNumbersInText('142135198604161839900719925474')).not.toContain('142135198604161839');
    expect(maskIdNumbersInText('电话 13912345678，卡号 6222020200112233')).toBe('电话 13912345678，卡号 6222020200112233');
    expect(maskIdNumber('110105491231002')).toBe('1101*******1002');
    expect(maskIdNumber('1234')).toBe('****');
  });
});

describe('zod schemas', () => {
  it('idNumberSchema normalises and speaks Chinese', () => {
    expect(idNumberSchema.parse(' 11010519491231002x ')).toBe('11010519491231002X');
    const bad = idNumberSchema.safeParse('11010519491231003X');
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.message).toBe('身份证号校验位错误');
    expect(idNumberSchema.safeParse('110105199902301234').error!.issues[0]!.message).toBe('身份证号中的出生日期无效');
    expect(idNumberSchema.safeParse('12345').error!.issues[0]!.message).toMatch(/^身份证号格式错误/);
    expect(idNumberSchema.safeParse('110105209901011234').success).toBe(false); // born in 2099
    // strict schema refuses the legacy 15-digit form; the input schema converts it
    expect(idNumberSchema.safeParse('110105491231002').success).toBe(false);
    expect(idNumberInputSchema.parse('110105491231002')).toBe('11010519491231002X');
    expect(idNumberInputSchema.safeParse('110105491231003').success).toBe(true);
    expect(idNumberInputSchema.safeParse('11010519491231003X').error!.issues[0]!.message).toBe('身份证号校验位错误');
  });

  it('mobile numbers', () => {
    expect(mobileSchema.parse('138 1234 5678')).toBe('13812345678');
    expect(isValidMobile('19912345678')).toBe(true);
    expect(isValidMobile('12812345678')).toBe(false);
    expect(isValidMobile('1381234567')).toBe(false);
    expect(mobileSchema.safeParse('12812345678').error!.issues[0]!.message).toMatch(/^手机号码格式不正确/);
    expect(maskMobile('13812345678')).toBe('138****5678');
  });

  it('bank cards', () => {
    expect(maskBankCard('6222 0202 0011 2233 445')).toBe('6222***********3445');
    expect(maskBankCard('6222020200112233')).toBe('6222********2233');
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(bankAccountSchema.safeParse('12345').error!.issues[0]!.message).toMatch(/银行卡（折）号格式不正确/);
  });
});

describe('keyed hash (activities only)', () => {
  // Expected values from: printf '11010519491231002X' | openssl dgst -sha256 -hmac KEY
  it('HMAC-SHA256 over the canonical 18-digit number', () => {
    expect(hashIdNumber('11010519491231002X', 'jiuzhu-test-key-0123456789')).toBe(
      'd70244746e8f6718330fdca732e02ca133f9bf39901b6c1953c3ee516ffadd64',
    );
    expect(hashIdNumber('110105491231002', 'jiuzhu-test-key-0123456789')).toBe(
      'd70244746e8f6718330fdca732e02ca133f9bf39901b6c1953c3ee516ffadd64',
    );
    expect(hashIdNumber('11010519491231002x', 'another-test-key-9876543210')).toBe(
      '0ec9076838a3aa33ed5bb78a9fdea9de5d40e340a24ae8381e49c5e083afe541',
    );
  });

  it('refuses short keys and invalid numbers', () => {
    expect(() => hashIdNumber('11010519491231002X', 'short')).toThrow(/密钥过短/);
    expect(() => hashIdNumber('11010519491231003X', 'jiuzhu-test-key-0123456789')).toThrow('身份证号校验位错误');
  });
});
