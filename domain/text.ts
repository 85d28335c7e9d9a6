/**
 * Free text as it arrives at a front (a chat message, a form answer, a button's value, a console
 * request's field), made safe before anything validates or stores it. Pure.
 *
 * `cleanText` (one rule for every front):
 *   - CR LF and lone CR become LF;
 *   - C0 and C1 control characters are removed except LF and TAB (U+0000 among them: PostgreSQL
 *     refuses it in text and jsonb columns);
 *   - a lone UTF-16 surrogate (no valid character) becomes U+FFFD;
 *   - bidi embedding/override/isolate controls (U+202A–U+202E, U+2066–U+2069) and the directional
 *     marks U+200E, U+200F, U+061C are removed: they make "张三" display as something else;
 *   - zero-width characters (U+200B, U+200C, U+2060, U+FEFF, U+180E, U+00AD soft hyphen) are removed,
 *     and U+200D (zero-width joiner) too unless it joins two emoji (family emoji stay intact), so an
 *     ID number or a name cannot carry invisible differences;
 *   - NFC normalisation, then surrounding white space trimmed.
 *
 * Length is never cut: `checkTextLength` / `textFieldSchema` refuse overlong input with a Chinese
 * sentence naming the field.
 */
import { z } from 'zod';

/** The most characters a chat message or console line may have (Telegram allows 4096, forms far less). */
export const MAX_MESSAGE_CHARS = 2000;

// C0 except \t (09) and \n (0A); DEL; C1.
const CONTROLS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
const BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;
const ZERO_WIDTH = /[\u200B\u200C\u2060\uFEFF\u180E\u00AD]/g;
// A ZWJ between two pictographs (an optional variation selector or skin tone before it) is part of an emoji sequence.
const STRAY_ZWJ = /(?<!\p{Extended_Pictographic}(?:\uFE0F|[\u{1F3FB}-\u{1F3FF}])?)\u200D|\u200D(?!\p{Extended_Pictographic})/gu;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The cleaned form of a free-text input (see the file comment). Idempotent. */
export function cleanText(raw: string): string {
  return raw
    .replace(LONE_SURROGATE, '\uFFFD')
    .replace(/\r\n?/g, '\n')
    .replace(CONTROLS, '')
    .replace(BIDI, '')
    .replace(ZERO_WIDTH, '')
    .replace(STRAY_ZWJ, '')
    .normalize('NFC')
    .trim();
}

/** Cleans every string value of a flat record (keys too: they name fields). */
export function cleanTextRecord(values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) out[cleanText(k)] = cleanText(v);
  return out;
}

/** Characters as a person counts them (an emoji or a CJK character outside the BMP is one). */
export const textLength = (s: string) => [...s].length;

/** The refusal for an overlong input: names the field, the limit and what was sent. */
export function tooLongText(field: string, max: number, length: number): string {
  return `“${field}”过长：最多 ${max} 字，您输入了 ${length} 字，请精简后重新提交。`;
}

/** undefined when `text` fits, else the Chinese refusal naming the field. */
export function checkTextLength(field: string, text: string, max: number): string | undefined {
  const n = textLength(text);
  return n > max ? tooLongText(field, max, n) : undefined;
}

/**
 * A zod string field for free text: cleaned first, then checked (required, at most `max` characters),
 * every message in Chinese naming the field.
 */
export function textFieldSchema(field: string, max: number, options: { min?: number } = {}) {
  const min = options.min ?? 1;
  return z
    .string({ error: (iss) => (iss.input === undefined ? `缺少“${field}”` : `“${field}”应为文字`) })
    .transform(cleanText)
    .superRefine((s, ctx) => {
      const n = textLength(s);
      if (n < min) ctx.addIssue({ code: 'custom', message: min <= 1 ? `请填写“${field}”` : `“${field}”至少 ${min} 个字` });
      else if (n > max) ctx.addIssue({ code: 'custom', message: tooLongText(field, max, n) });
    });
}
