import { describe, expect, it } from 'vitest';
import { parseFormattedText } from '../fakes/telegram-text.js';

// The parse_mode rules the fake Bot API applies (see telegram-text.ts).

describe('parseFormattedText', () => {
  it('plain text has no entities', () => {
    expect(parseFormattedText('a.b (c)', undefined)).toEqual({ text: 'a.b (c)', entities: [] });
  });

  it('MarkdownV2: escapes, nesting, links, code and pre', () => {
    expect(parseFormattedText('*粗 _斜_*', 'MarkdownV2')).toEqual({
      text: '粗 斜',
      entities: [
        { type: 'bold', offset: 0, length: 3 },
        { type: 'italic', offset: 2, length: 1 },
      ],
    });
    expect(parseFormattedText('[案件](https://example.org/c?id=1\\)) 1\\-2', 'MarkdownV2')).toEqual({
      text: '案件 1-2',
      entities: [{ type: 'text_link', offset: 0, length: 2, url: 'https://example.org/c?id=1)' }],
    });
    expect(parseFormattedText('`a.b` ```ts\nx = 1;\n```', 'MarkdownV2')).toEqual({
      text: 'a.b x = 1;\n',
      entities: [
        { type: 'code', offset: 0, length: 3 },
        { type: 'pre', offset: 4, length: 7, language: 'ts' },
      ],
    });
    expect(parseFormattedText('__下划线__ ~删~ ||剧透||', 'MarkdownV2')).toMatchObject({
      entities: [
        { type: 'underline', offset: 0, length: 3 },
        { type: 'strikethrough', offset: 4, length: 1 },
        { type: 'spoiler', offset: 6, length: 2 },
      ],
    });
    expect(parseFormattedText('>引用 *粗*', 'MarkdownV2')).toMatchObject({ text: '引用 粗', entities: [{ type: 'blockquote', offset: 0, length: 4 }, { type: 'bold', offset: 3, length: 1 }] });
  });

  it('MarkdownV2: reserved characters and unclosed entities fail with the Bot API wording', () => {
    expect(parseFormattedText('第1-2条', 'MarkdownV2')).toEqual({ error: "Character '-' is reserved and must be escaped with the preceding '\\'" });
    expect(parseFormattedText('共 3 户 (低保)', 'MarkdownV2')).toEqual({ error: "Character '(' is reserved and must be escaped with the preceding '\\'" });
    expect(parseFormattedText('甲 *乙', 'MarkdownV2')).toEqual({ error: "Can't find end of Bold entity at byte offset 4" });
    expect(parseFormattedText('`abc', 'MarkdownV2')).toEqual({ error: "Can't find end of Code entity at byte offset 0" });
  });

  it('HTML: tags, entities, pre with language; errors for unknown, unclosed and raw <', () => {
    expect(parseFormattedText('<pre><code class="language-sql">select 1 &lt; 2</code></pre>', 'HTML')).toEqual({
      text: 'select 1 < 2',
      entities: [{ type: 'pre', offset: 0, length: 12, language: 'sql' }],
    });
    expect(parseFormattedText('<tg-spoiler>x</tg-spoiler><span class="tg-spoiler">y</span><u>z</u>', 'HTML')).toMatchObject({
      entities: [{ type: 'spoiler' }, { type: 'spoiler' }, { type: 'underline' }],
    });
    expect(parseFormattedText('<div>x</div>', 'HTML')).toEqual({ error: 'Unsupported start tag "div" at byte offset 0' });
    expect(parseFormattedText('1 < 2', 'HTML')).toEqual({ error: 'Unsupported start tag "" at byte offset 2' });
    expect(parseFormattedText('<b><i>x</b></i>', 'HTML')).toEqual({ error: 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"' });
    expect(parseFormattedText('x</b>', 'HTML')).toEqual({ error: 'Unexpected end tag at byte offset 1' });
  });

  it('legacy Markdown and unknown modes', () => {
    expect(parseFormattedText('*粗* _斜_ [链](http://a.b) 1.5-2', 'Markdown')).toEqual({
      text: '粗 斜 链 1.5-2',
      entities: [
        { type: 'bold', offset: 0, length: 1 },
        { type: 'italic', offset: 2, length: 1 },
        { type: 'text_link', offset: 4, length: 1, url: 'http://a.b' },
      ],
    });
    expect(parseFormattedText('*x', 'Markdown')).toEqual({ error: "Can't find end of the entity starting at byte offset 0" });
    expect(parseFormattedText('x', 'markdownv2')).toEqual({ text: 'x', entities: [] });
    expect(parseFormattedText('x', 'BBCode')).toEqual({ error: 'unsupported parse_mode' });
  });
});
