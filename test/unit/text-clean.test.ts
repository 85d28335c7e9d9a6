// The edge's text cleaner (domain/text.ts): each rule, and properties over arbitrary strings.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { checkTextLength, cleanText, MAX_MESSAGE_CHARS, textFieldSchema, textLength } from '../../domain/text.js';
import { zhParseOptions } from '../../domain/zod-zh.js';

const FORBIDDEN = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C\u200B\u200C\u2060\uFEFF\u00AD]/;
const LONE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('cleanText', () => {
  it.each([
    ['U+0000 and other C0/C1 controls', 'a\u0000b\u0001c\u001Bd\u007Fe\u0085f\u009Fg', 'abcdefg'],
    ['keeps LF and TAB, turns CR LF and CR into LF', 'a\r\nb\rc\td\ne', 'a\nb\nc\td\ne'],
    ['lone surrogates become U+FFFD, pairs stay', '\uD800x\uDC00𠀀', '\uFFFDx\uFFFD𠀀'],
    ['bidi overrides and isolates', '\u202E张三\u202C\u2066李\u2069\u202A\u202B\u202D\u2067\u2068\u200E\u200F', '张三李'],
    ['zero-width characters inside an ID number', '1101\u200B0519\u200C4912\u2060310\uFEFF02\u00AD3', '110105194912310023'],
    ['a stray zero-width joiner, but not inside an emoji sequence', '王\u200D五 👨\u200D👩\u200D👧 👍🏻\u200D👍', '王五 👨\u200D👩\u200D👧 👍🏻\u200D👍'],
    ['NFC', 'e\u0301', '\u00E9'],
    ['trims', ' \n\t 张三 \u3000', '张三'],
  ])('%s', (_name, input, expected) => {
    expect(cleanText(input)).toBe(expected);
  });

  it('is idempotent and leaves nothing forbidden, for any string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom('\u0000', '\uD800', '\uDC00', '\u202E', '\u200D', '👨', 'e', '\u0301', '\r', '张') })), (s) => {
        const c = cleanText(s);
        expect(cleanText(c)).toBe(c);
        expect(c).not.toMatch(FORBIDDEN);
        expect(c).not.toMatch(LONE);
        expect(c).toBe(c.normalize('NFC'));
        expect(c).toBe(c.trim());
      }),
      { numRuns: 500 },
    );
  });
});

describe('length is refused, never cut', () => {
  it('checkTextLength names the field, the limit and the length (characters as a person counts them)', () => {
    expect(checkTextLength('消息', '🙂'.repeat(MAX_MESSAGE_CHARS), MAX_MESSAGE_CHARS)).toBeUndefined();
    expect(checkTextLength('消息', '张'.repeat(MAX_MESSAGE_CHARS + 1), MAX_MESSAGE_CHARS)).toBe(`“消息”过长：最多 ${MAX_MESSAGE_CHARS} 字，您输入了 ${MAX_MESSAGE_CHARS + 1} 字，请精简后重新提交。`);
    expect(textLength('👨\u200D👩')).toBe(3);
  });

  it('textFieldSchema cleans first, then refuses in Chinese naming the field', () => {
    const schema = textFieldSchema('备注', 5);
    expect(schema.parse('  a\u0000b\u202Ec ')).toBe('abc');
    const msg = (v: unknown) => {
      const r = schema.safeParse(v, zhParseOptions);
      return r.success ? undefined : r.error.issues[0]!.message;
    };
    expect(msg('张三李四王五')).toContain('“备注”过长：最多 5 字');
    expect(msg('\u0000\u200B ')).toBe('请填写“备注”');
    expect(msg(undefined)).toBe('缺少“备注”');
    expect(msg(12)).toBe('“备注”应为文字');
  });
});
