/**
 * The written refusal notice (不予批准告知书) as a Word document (.docx),
 * built with the `docx` library from the decision, and written into the data
 * folder next to the statutory tables (`<dataDir>/notices/<county>/
 * application-<id>/`). Safe to retry: the same application gets the same
 * file name, written to a temporary file and renamed into place.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, TextRun } from 'docx';

import type { RefusalNoticeContent } from '../domain/cases/application.js';
import type { NotificationAttachment } from '../domain/tables/attachments.js';

export const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

const FONT = { ascii: 'SimSun', eastAsia: '仿宋_GB2312', hAnsi: 'SimSun' } as const;

/** The notice as .docx bytes. */
export function renderRefusalNoticeDocx(content: RefusalNoticeContent): Promise<Buffer> {
  const run = (text: string, bold = false) => new TextRun({ text, bold, font: FONT, size: 32 });
  const doc = new Document({
    creator: 'jiuzhu',
    title: content.title,
    sections: [
      {
        children: [
          new Paragraph({ heading: HeadingLevel.TITLE, alignment: AlignmentType.CENTER, spacing: { after: 400 }, children: [run(content.title, true)] }),
          new Paragraph({ spacing: { after: 200 }, children: [run(content.salutation)] }),
          ...content.paragraphs.map((p) => new Paragraph({ indent: { firstLine: 640 }, spacing: { after: 200, line: 560 }, children: [run(p)] })),
          ...content.signature.map((s, i) => new Paragraph({ alignment: AlignmentType.RIGHT, spacing: { before: i === 0 ? 600 : 0 }, children: [run(s)] })),
        ],
      },
    ],
  });
  return Packer.toBuffer(doc);
}

/** Writes the notice under `dataDir` and returns it as a notification attachment (path relative to the data folder). */
export async function writeRefusalNoticeFile(dataDir: string, folder: string, fileName: string, content: RefusalNoticeContent): Promise<NotificationAttachment> {
  const dir = path.join(dataDir, ...folder.split('/'));
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${crypto.randomUUID()}.tmp`);
  try {
    fs.writeFileSync(tmp, await renderRefusalNoticeDocx(content));
    fs.renameSync(tmp, path.join(dir, fileName));
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
  return { path: `${folder}/${fileName}`, fileName, mime: DOCX_MIME };
}
