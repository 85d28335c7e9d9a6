// Telegram's parse_mode handling, as far as a fake needs it: turn HTML,
// MarkdownV2 or legacy Markdown into plain text + entities (UTF-16 offsets),
// or fail with the Bot API's "can't parse entities" wording, so that text the
// real API would refuse is refused here too. Common real failures it catches:
// an unescaped "." "-" "(" in MarkdownV2, a raw "<" or a <br> in HTML.
import type { MessageEntity } from 'grammy/types';

export type ParseMode = 'HTML' | 'MarkdownV2' | 'Markdown';

export type ParsedText = { text: string; entities: MessageEntity[] } | { error: string };

export const PARSE_MODES: readonly string[] = ['HTML', 'MarkdownV2', 'Markdown'];

const byteOffset = (src: string, index: number) => Buffer.byteLength(src.slice(0, index), 'utf8');

function sortEntities(entities: MessageEntity[]): MessageEntity[] {
  return entities.filter((e) => e.length > 0).sort((a, b) => a.offset - b.offset || b.length - a.length);
}

/** Parses `text` per `parseMode` (undefined: plain text, no entities). */
export function parseFormattedText(text: string, parseMode: string | undefined): ParsedText {
  if (parseMode === undefined || parseMode === '') return { text, entities: [] };
  // The Bot API matches parse_mode case-insensitively.
  switch (parseMode.toLowerCase()) {
    case 'html':
      return parseHtml(text);
    case 'markdownv2':
      return parseMarkdownV2(text);
    case 'markdown':
      return parseMarkdown(text);
    default:
      return { error: 'unsupported parse_mode' };
  }
}

// ---------------------------------------------------------------- HTML

const HTML_TAGS: Record<string, MessageEntity['type'] | 'span' | 'a' | 'tg-emoji'> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  'tg-spoiler': 'spoiler',
  span: 'span',
  a: 'a',
  code: 'code',
  pre: 'pre',
  blockquote: 'blockquote',
  'tg-emoji': 'tg-emoji',
};

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

interface OpenTag {
  name: string;
  start: number;
  attrs: Record<string, string>;
}

function parseAttrs(raw: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of raw.matchAll(/([a-zA-Z-]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g)) {
    attrs[m[1]!.toLowerCase()] = decodeHtml(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return attrs;
}

function decodeHtml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? whole;
  });
}

function parseHtml(src: string): ParsedText {
  let out = '';
  const entities: MessageEntity[] = [];
  const stack: OpenTag[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === '&') {
      const m = /^&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/.exec(src.slice(i));
      if (m) {
        out += decodeHtml(m[0]);
        i += m[0].length;
        continue;
      }
      out += ch;
      i += 1;
      continue;
    }
    if (ch !== '<') {
      out += ch;
      i += 1;
      continue;
    }
    const at = byteOffset(src, i);
    const close = src.indexOf('>', i);
    if (src[i + 1] === '/') {
      if (close < 0) return { error: `Can't find end of tag at byte offset ${at}` };
      const name = src.slice(i + 2, close).trim().toLowerCase();
      const top = stack.pop();
      if (!top) return { error: `Unexpected end tag at byte offset ${at}` };
      if (top.name !== name) return { error: `Unmatched end tag at byte offset ${at}, expected "</${top.name}>", found "</${name}>"` };
      const entity = htmlEntity(top, out.length, stack);
      if (entity) entities.push(entity);
      i = close + 1;
      continue;
    }
    const nameMatch = /^<([a-zA-Z][a-zA-Z0-9-]*)/.exec(src.slice(i));
    const name = nameMatch ? nameMatch[1]!.toLowerCase() : '';
    if (!nameMatch || !(name in HTML_TAGS)) return { error: `Unsupported start tag "${name}" at byte offset ${at}` };
    if (close < 0) return { error: `Can't find end of tag at byte offset ${at}` };
    const attrs = parseAttrs(src.slice(i + 1 + name.length, close));
    if (name === 'span' && attrs.class !== 'tg-spoiler') return { error: `Tag "span" must have class "tg-spoiler" at byte offset ${at}` };
    stack.push({ name, start: out.length, attrs });
    i = close + 1;
  }
  if (stack.length) return { error: `Can't find end tag corresponding to start tag "${stack.at(-1)!.name}"` };
  return { text: out, entities: sortEntities(entities) };
}

function htmlEntity(tag: OpenTag, end: number, stack: OpenTag[]): MessageEntity | undefined {
  const offset = tag.start;
  const length = end - tag.start;
  const kind = HTML_TAGS[tag.name]!;
  switch (kind) {
    case 'span':
      return { type: 'spoiler', offset, length };
    case 'a': {
      const href = tag.attrs.href ?? '';
      const user = /^tg:\/\/user\?id=(\d+)$/.exec(href);
      if (user) return { type: 'text_mention', offset, length, user: { id: Number(user[1]), is_bot: false, first_name: '' } };
      return href ? { type: 'text_link', offset, length, url: href } : undefined;
    }
    case 'tg-emoji':
      return { type: 'custom_emoji', offset, length, custom_emoji_id: tag.attrs['emoji-id'] ?? '' };
    case 'code': {
      const parent = stack.at(-1);
      const lang = /^language-(.+)$/.exec(tag.attrs.class ?? '');
      if (parent?.name === 'pre' && lang) {
        parent.attrs['data-language'] = lang[1]!;
        return undefined; // becomes the pre entity's language
      }
      return { type: 'code', offset, length };
    }
    case 'pre': {
      const language = tag.attrs['data-language'];
      return language ? { type: 'pre', offset, length, language } : { type: 'pre', offset, length };
    }
    case 'blockquote':
      return { type: 'expandable' in tag.attrs ? 'expandable_blockquote' : 'blockquote', offset, length };
    default:
      return { type: kind, offset, length } as MessageEntity;
  }
}

// ---------------------------------------------------------------- MarkdownV2

const MDV2_RESERVED = new Set('_*[]()~`>#+-=|{}.!'.split(''));
const MDV2_NAMES: Record<string, string> = {
  bold: 'Bold',
  italic: 'Italic',
  underline: 'Underline',
  strikethrough: 'Strikethrough',
  spoiler: 'Spoiler',
  text_link: 'TextUrl',
};

interface OpenMd {
  type: 'bold' | 'italic' | 'underline' | 'strikethrough' | 'spoiler' | 'text_link';
  start: number;
  srcIndex: number;
}

function parseMarkdownV2(src: string): ParsedText {
  let out = '';
  const entities: MessageEntity[] = [];
  const stack: OpenMd[] = [];
  let i = 0;
  let lineStart = true;

  const toggle = (type: OpenMd['type'], width: number) => {
    const idx = stack.map((s) => s.type).lastIndexOf(type);
    if (idx >= 0) {
      const open = stack.splice(idx, 1)[0]!;
      entities.push({ type, offset: open.start, length: out.length - open.start } as MessageEntity);
    } else {
      stack.push({ type, start: out.length, srcIndex: i });
    }
    i += width;
  };

  while (i < src.length) {
    const ch = src[i]!;
    const atLineStart = lineStart;
    lineStart = ch === '\n';
    if (ch === '\\') {
      const next = src[i + 1];
      if (next === undefined) return { error: `Character '\\' is reserved and must be escaped with the preceding '\\'` };
      out += next;
      i += 2;
      continue;
    }
    if (ch === '`') {
      const isPre = src.startsWith('```', i);
      const fence = isPre ? '```' : '`';
      const startByte = byteOffset(src, i);
      let j = i + fence.length;
      let language: string | undefined;
      if (isPre) {
        const nl = src.indexOf('\n', j);
        const firstLine = nl >= 0 ? src.slice(j, nl) : '';
        if (nl >= 0 && /^[A-Za-z0-9_+#.-]+$/.test(firstLine)) {
          language = firstLine;
          j = nl + 1;
        }
      }
      let body = '';
      let closed = false;
      while (j < src.length) {
        if (src[j] === '\\' && j + 1 < src.length) {
          body += src[j + 1];
          j += 2;
          continue;
        }
        if (src.startsWith(fence, j)) {
          closed = true;
          break;
        }
        body += src[j];
        j += 1;
      }
      if (!closed) return { error: `Can't find end of ${isPre ? 'Pre' : 'Code'} entity at byte offset ${startByte}` };
      const offset = out.length;
      out += body;
      entities.push(isPre ? (language ? { type: 'pre', offset, length: body.length, language } : { type: 'pre', offset, length: body.length }) : { type: 'code', offset, length: body.length });
      i = j + fence.length;
      continue;
    }
    if (ch === '*') {
      toggle('bold', 1);
      continue;
    }
    if (ch === '_') {
      if (src[i + 1] === '_') toggle('underline', 2);
      else toggle('italic', 1);
      continue;
    }
    if (ch === '~') {
      toggle('strikethrough', 1);
      continue;
    }
    if (ch === '|' && src[i + 1] === '|') {
      toggle('spoiler', 2);
      continue;
    }
    if (ch === '[') {
      stack.push({ type: 'text_link', start: out.length, srcIndex: i });
      i += 1;
      continue;
    }
    if (ch === ']') {
      const top = stack.at(-1);
      if (top?.type === 'text_link' && src[i + 1] === '(') {
        let j = i + 2;
        let url = '';
        while (j < src.length && src[j] !== ')') {
          if (src[j] === '\\' && j + 1 < src.length) {
            url += src[j + 1];
            j += 2;
            continue;
          }
          url += src[j];
          j += 1;
        }
        if (j >= src.length) return { error: `Can't find end of a URL at byte offset ${byteOffset(src, i + 1)}` };
        stack.pop();
        entities.push({ type: 'text_link', offset: top.start, length: out.length - top.start, url });
        i = j + 1;
        continue;
      }
    }
    if (ch === '>' && atLineStart) {
      const nl = src.indexOf('\n', i);
      const lineEnd = nl < 0 ? src.length : nl;
      // The quoted line is parsed like the rest; record the blockquote around it.
      const inner = parseMarkdownV2(src.slice(i + 1, lineEnd));
      if ('error' in inner) return inner;
      const offset = out.length;
      for (const e of inner.entities) entities.push({ ...e, offset: e.offset + offset });
      out += inner.text;
      entities.push({ type: 'blockquote', offset, length: inner.text.length });
      i = lineEnd;
      continue;
    }
    if (MDV2_RESERVED.has(ch)) return { error: `Character '${ch}' is reserved and must be escaped with the preceding '\\'` };
    out += ch;
    i += 1;
  }
  if (stack.length) {
    const open = stack[0]!;
    return { error: `Can't find end of ${MDV2_NAMES[open.type]} entity at byte offset ${byteOffset(src, open.srcIndex)}` };
  }
  return { text: out, entities: sortEntities(entities) };
}

// ---------------------------------------------------------------- Markdown (legacy)

function parseMarkdown(src: string): ParsedText {
  let out = '';
  const entities: MessageEntity[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    const startByte = byteOffset(src, i);
    if (ch === '\\' && i + 1 < src.length && '_*`['.includes(src[i + 1]!)) {
      out += src[i + 1];
      i += 2;
      continue;
    }
    if (ch === '*' || ch === '_' || ch === '`') {
      const fence = ch === '`' && src.startsWith('```', i) ? '```' : ch;
      const end = src.indexOf(fence, i + fence.length);
      if (end < 0) return { error: `Can't find end of the entity starting at byte offset ${startByte}` };
      const body = src.slice(i + fence.length, end);
      const offset = out.length;
      out += body;
      const type = fence === '```' ? 'pre' : ch === '`' ? 'code' : ch === '*' ? 'bold' : 'italic';
      entities.push({ type, offset, length: body.length } as MessageEntity);
      i = end + fence.length;
      continue;
    }
    if (ch === '[') {
      const m = /^\[([^\]]*)\]\(([^)]*)\)/.exec(src.slice(i));
      if (!m) return { error: `Can't find end of the entity starting at byte offset ${startByte}` };
      const offset = out.length;
      out += m[1];
      entities.push({ type: 'text_link', offset, length: m[1]!.length, url: m[2]! });
      i += m[0].length;
      continue;
    }
    out += ch;
    i += 1;
  }
  return { text: out, entities: sortEntities(entities) };
}
