/**
 * Phase summaries (阶段总结): the compiled document the 专班 office reports
 * upward — each unit's summary text and the period's progress figures (table 1,
 * 文水 the weekly progress table) — as a .docx under
 * `<dataDir>/reports/<county>/phase-summary/<id>/`, and the 「已上报」 record.
 *
 * Safe to retry: the document has a fixed name and is written to a temporary
 * file and renamed into place; once the office's message that carries it
 * exists the file is left as sent; the sent record is found by its update id.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType, PageOrientation } from 'docx';

import { appendAudit } from '../infra/audit-chain.js';
import { ReportInputError, resolvePeriod, tablesForPolicy } from '../services/reports/index.js';
import { progressRows } from '../readmodels/statutory-tables.js';
import type { CompiledSummary, CycleUnit, SummarySentRecord } from '../domain/cycles/index.js';
import type { CountyPolicy } from '../domain/policy/schema.js';
import { TABLE_SPECS, type Row } from '../domain/tables/index.js';
import { notificationAttachments, type NotificationAttachment } from '../domain/tables/attachments.js';
import { cycleTablesFolder, dataDirOf } from './cycle-tables.js';
import type { Database } from './deps.js';
import { DOCX_MIME } from './refusal-notice.js';

const FONT = { ascii: 'SimSun', eastAsia: '仿宋_GB2312', hAnsi: 'SimSun' } as const;

export interface CompileSummaryInput {
  countyRegionId: number;
  cycleId: number;
  /** The summary id ('phase', 'final'). */
  period: string;
  title: string;
  units: CycleUnit[];
  policy: CountyPolicy;
  /** Workflow time, ISO-8601. */
  at: string;
  /** Dedupe key of the office's message the document goes with. */
  dedupeKey: string;
}

export interface SummaryDocumentContent {
  title: string;
  countyName: string;
  periodLabel: string;
  sections: Array<{ unitName: string; text: string | null; late: boolean }>;
  figures: { header: string[]; rows: string[][]; notes: string[] };
}

const cellText = (v: Row[string] | undefined): string => (v === null || v === undefined ? '' : String(v));

/** The compiled summary as .docx bytes: title, one heading and text per unit, the progress table. */
export function renderSummaryDocx(c: SummaryDocumentContent): Promise<Buffer> {
  const run = (text: string, bold = false, size = 28) => new TextRun({ text, bold, font: FONT, size });
  const para = (text: string) => new Paragraph({ indent: { firstLine: 560 }, spacing: { after: 120, line: 480 }, children: [run(text)] });
  const heading = (text: string) => new Paragraph({ heading: HeadingLevel.HEADING_2, spacing: { before: 240, after: 120 }, children: [run(text, true, 30)] });
  const cell = (text: string, bold = false) => new TableCell({ children: [new Paragraph({ children: [run(text, bold, 18)] })] });
  const sections = c.sections.flatMap((s, i) => [
    heading(`${i + 1}. ${s.unitName}${s.late ? '（迟报）' : ''}`),
    ...(s.text === null ? [para('未报送工作总结。')] : s.text.split(/\r?\n/).filter((l) => l.trim() !== '').map((l) => para(l.trim()))),
  ]);
  const table = new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [new TableRow({ tableHeader: true, children: c.figures.header.map((h) => cell(h, true)) }), ...c.figures.rows.map((r) => new TableRow({ children: r.map((v) => cell(v)) }))],
  });
  const doc = new Document({
    creator: 'jiuzhu',
    title: c.title,
    sections: [
      {
        properties: { page: { size: { orientation: PageOrientation.LANDSCAPE } } },
        children: [
          new Paragraph({ heading: HeadingLevel.TITLE, alignment: AlignmentType.CENTER, spacing: { after: 200 }, children: [run(`${c.countyName}${c.title}`, true, 36)] }),
          new Paragraph({ alignment: AlignmentType.CENTER, spacing: { after: 300 }, children: [run(`统计期间：${c.periodLabel}`)] }),
          new Paragraph({ heading: HeadingLevel.HEADING_1, children: [run('一、各单位工作总结', true, 32)] }),
          ...sections,
          new Paragraph({ heading: HeadingLevel.HEADING_1, spacing: { before: 360 }, children: [run('二、整治工作进展情况', true, 32)] }),
          ...(c.figures.rows.length ? [table] : [para('本期间没有进展情况报送记录。')]),
          ...c.figures.notes.map((n) => para(`注：${n}`)),
        ],
      },
    ],
  });
  return Packer.toBuffer(doc);
}

export function createPhaseSummaryActivities(db: Database) {
  const { prisma } = db;
  return {
    /** Compiles the units' summary texts and the period's progress table into one .docx (audited). */
    async compilePhaseSummary(input: CompileSummaryInput): Promise<{ attachment: NotificationAttachment; compiled: CompiledSummary }> {
      const subs = await prisma.reportSubmission.findMany({ where: { cycleId: input.cycleId }, orderBy: { id: 'asc' } });
      const textOf = (data: unknown): string | null => {
        const t = (data as { text?: unknown } | null)?.text;
        return typeof t === 'string' ? t : null;
      };
      const withText = subs.filter((s) => textOf(s.data) !== null);
      const unitIds = withText.map((s) => s.unitId);
      const folder = cycleTablesFolder({ countyRegionId: input.countyRegionId, kind: 'phase-summary', period: input.period });
      const fileName = `${input.title.replace(/[\\/:*?"<>|\s]+/g, '_')}-汇编.docx`;
      const compiled: CompiledSummary = { path: `${folder}/${fileName}`, fileName, unitIds, compiledAt: input.at };
      const sent = await prisma.notification.findUnique({ where: { dedupeKey: input.dedupeKey }, select: { attachments: true } });
      const already = sent ? notificationAttachments(sent.attachments).find((a) => a.mime === DOCX_MIME) : undefined;
      if (already) return { attachment: already, compiled: { ...compiled, path: already.path, fileName: already.fileName } };

      const county = await prisma.region.findUniqueOrThrow({ where: { id: input.countyRegionId } });
      const tableId = tablesForPolicy(input.policy)[0]!;
      const spec = TABLE_SPECS[tableId];
      let periodLabel = input.title;
      let figures: SummaryDocumentContent['figures'] = { header: spec.columns.map((c) => c.header), rows: [], notes: [] };
      try {
        const period = await resolvePeriod(prisma, input.countyRegionId, input.period, input.policy);
        periodLabel = period.label;
        const t = await progressRows(prisma, { countyRegionId: input.countyRegionId, start: period.start, end: period.end, policy: input.policy, unitKind: input.policy.progressReport.reportingUnits === 'section' ? 'SECTION' : 'TOWNSHIP' });
        figures = { ...figures, rows: t.rows.map((r) => spec.columns.map((c) => cellText(r[c.key]))), notes: t.notes };
      } catch (error) {
        if (!(error instanceof ReportInputError)) throw error;
        figures.notes.push(error.message);
      }
      const content: SummaryDocumentContent = {
        title: input.title,
        countyName: county.name,
        periodLabel,
        sections: input.units.map((u) => {
          const s = withText.find((x) => x.unitId === u.id);
          return { unitName: u.name, text: s ? textOf(s.data) : null, late: s?.late ?? false };
        }),
        figures,
      };
      const dir = path.join(dataDirOf(db), ...folder.split('/'));
      fs.mkdirSync(dir, { recursive: true });
      const tmp = path.join(dir, `.${crypto.randomUUID()}.tmp`);
      try {
        fs.writeFileSync(tmp, await renderSummaryDocx(content));
        fs.renameSync(tmp, path.join(dir, fileName));
      } catch (error) {
        fs.rmSync(tmp, { force: true });
        throw error;
      }
      await appendAudit(prisma, {
        actor: 'system:phase-summary',
        action: 'phase-summary.compiled',
        subjectType: 'ReportCycle',
        subjectId: String(input.cycleId),
        payload: { path: compiled.path, unitIds, missingUnitIds: input.units.filter((u) => !unitIds.includes(u.id)).map((u) => u.id), at: input.at },
      });
      return { attachment: { path: compiled.path, fileName, mime: DOCX_MIME }, compiled };
    },

    /** Records the compiled summary as sent upward (who, when, to whom), once per update id. */
    async recordSummarySent(input: { cycleId: number; updateId: string; byStaffId: number; recipient: string; sentOn: string; recordedAt: string }): Promise<SummarySentRecord> {
      const record: SummarySentRecord = { byStaffId: input.byStaffId, recipient: input.recipient, sentOn: input.sentOn, recordedAt: input.recordedAt };
      await prisma.$transaction(async (tx) => {
        const prior = await tx.auditEntry.findFirst({ where: { subjectType: 'ReportCycle', subjectId: String(input.cycleId), action: 'phase-summary.sent-upward' } });
        if (prior) return;
        await appendAudit(tx, { actor: `staff:${input.byStaffId}`, action: 'phase-summary.sent-upward', subjectType: 'ReportCycle', subjectId: String(input.cycleId), payload: { ...record, updateId: input.updateId } });
      });
      return record;
    },
  };
}

export type PhaseSummaryActivities = ReturnType<typeof createPhaseSummaryActivities>;
