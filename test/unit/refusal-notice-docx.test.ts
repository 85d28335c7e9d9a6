import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';

import { DOCX_MIME, writeRefusalNoticeFile } from '../../activities/refusal-notice.js';
import { REFUSAL_LEGAL_BASIS, refusalNoticeContent } from '../../domain/cases/application.js';

/** The entries of a .zip file, read through its central directory (no zip library needed). */
function unzip(buf: Buffer): Map<string, Buffer> {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('not a zip file: no end of central directory');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory entry');
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    if (buf.readUInt32LE(local) !== 0x04034b50) throw new Error(`bad local header for ${name}`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    out.set(name, method === 0 ? Buffer.from(data) : zlib.inflateRawSync(data));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

const textOf = (xml: string) => [...xml.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join('\n');

describe('不予批准告知书 (.docx)', () => {
  it('is a valid Word document naming the applicant, the reason and the legal basis', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-notice-'));
    const reason = '家庭人均月收入 812 元，高于本县低保标准 650 元（入户调查核实）';
    const content = refusalNoticeContent({ applicantName: '王秀英', track: 'dibao', acceptedDate: '2026-11-02', decisionDate: '2026-12-01', reason, authority: '长子县民政局' });
    const file = await writeRefusalNoticeFile(dir, 'notices/7/application-42', '不予批准告知书-42.docx', content);
    expect(file).toEqual({ path: 'notices/7/application-42/不予批准告知书-42.docx', fileName: '不予批准告知书-42.docx', mime: DOCX_MIME });

    const bytes = fs.readFileSync(path.join(dir, 'notices', '7', 'application-42', '不予批准告知书-42.docx'));
    expect(bytes.subarray(0, 2).toString()).toBe('PK');
    const entries = unzip(bytes);
    expect([...entries.keys()]).toEqual(expect.arrayContaining(['[Content_Types].xml', 'word/document.xml', '_rels/.rels']));
    expect(entries.get('[Content_Types].xml')!.toString()).toContain('wordprocessingml.document.main+xml');
    const xml = entries.get('word/document.xml')!.toString('utf8');
    expect(xml.startsWith('<?xml')).toBe(true);
    const text = textOf(xml);
    expect(text).toContain('不予批准告知书');
    expect(text).toContain('王秀英：');
    expect(text).toContain(`不予批准的理由：${reason}`);
    expect(text).toContain(REFUSAL_LEGAL_BASIS.dibao);
    expect(text).toContain('第二十一条');
    expect(text).toContain('2026年11月2日');
    expect(text).toContain('长子县民政局');
    expect(text).toContain('行政复议');
    // No temporary file left behind; a second write (a retried activity) replaces the file.
    expect(fs.readdirSync(path.dirname(path.join(dir, file.path)))).toEqual(['不予批准告知书-42.docx']);
    await writeRefusalNoticeFile(dir, 'notices/7/application-42', '不予批准告知书-42.docx', { ...content, salutation: '王秀英（更正）：' });
    expect(textOf(unzip(fs.readFileSync(path.join(dir, file.path))).get('word/document.xml')!.toString('utf8'))).toContain('王秀英（更正）：');
  });

  it('cites the 特困 rules for a 特困 application', () => {
    const c = refusalNoticeContent({ applicantName: '李四', track: 'tekun', acceptedDate: '2026-11-02', decisionDate: '2026-12-01', reason: '有法定赡养人且具备赡养能力', authority: '文水县民政局' });
    expect(c.paragraphs.join('')).toContain('特困人员认定办法');
    expect(c.paragraphs.join('')).toContain('特困供养申请');
  });
});
