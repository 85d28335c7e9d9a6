/**
 * The statutory tables of a reporting cycle, written at its cut-off for the
 * 专班 office's message (domain.md §1.7, §1.9): 长子 attachments 1–6, 文水 the
 * weekly progress table (`tablesForPolicy`), under
 * `<dataDir>/reports/<county>/<cycle kind>/<period>/`.
 *
 * Safe to retry: the files have fixed names and each is written to a
 * temporary name first and renamed into place (a reader never sees half a
 * workbook); once the notification that carries them exists, the files are
 * left as they were sent and the same list is returned.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { Database } from './deps.js';
import { ReportInputError, tablesForPolicy, tableFileName, writeTable } from '../services/reports/index.js';
import { notificationAttachments, XLSX_MIME, type NotificationAttachment } from '../domain/tables/attachments.js';
import type { CountyPolicy } from '../domain/policy/schema.js';

export interface CycleTablesInput {
  countyRegionId: number;
  /** 'progress' | 'phase-summary'. */
  kind: string;
  /** The cycle's period key (ReportCycle.period). */
  period: string;
  policy: CountyPolicy;
  /** Dedupe key of the notification the files go with. */
  dedupeKey: string;
}

/** The data folder of the worker: `Database.dataDir`, else JIUZHU_DATA_DIR, else ./.data (as infra/config.ts). */
export function dataDirOf(db: Database): string {
  return path.resolve(db.dataDir ?? process.env.JIUZHU_DATA_DIR ?? './.data');
}

const safeSegment = (s: string) => s.replace(/[^\w.-]+/g, '_').replace(/^\.+/, '_') || '_';

/** `reports/<county>/<kind>/<period>` (relative, '/'-separated). */
export function cycleTablesFolder(input: Pick<CycleTablesInput, 'countyRegionId' | 'kind' | 'period'>): string {
  return ['reports', String(input.countyRegionId), safeSegment(input.kind), safeSegment(input.period)].join('/');
}

export function createCycleTableActivities(db: Database) {
  return {
    async writeCycleTables(input: CycleTablesInput): Promise<NotificationAttachment[]> {
      const sent = await db.prisma.notification.findUnique({ where: { dedupeKey: input.dedupeKey }, select: { attachments: true } });
      if (sent) return notificationAttachments(sent.attachments);
      const dataDir = dataDirOf(db);
      const folder = cycleTablesFolder(input);
      const dir = path.join(dataDir, ...folder.split('/'));
      fs.mkdirSync(dir, { recursive: true });
      const out: NotificationAttachment[] = [];
      for (const table of tablesForPolicy(input.policy)) {
        const fileName = tableFileName(table, input.period);
        const final = path.join(dir, fileName);
        const tmp = path.join(dir, `.${crypto.randomUUID()}.tmp`);
        try {
          await writeTable(db.prisma, table, { countyRegionId: input.countyRegionId, period: input.period, policy: input.policy, file: tmp });
          fs.renameSync(tmp, final);
        } catch (error) {
          fs.rmSync(tmp, { force: true });
          if (error instanceof ReportInputError) throw ApplicationFailure.nonRetryable(error.message, 'ReportInputError');
          throw error;
        }
        out.push({ path: `${folder}/${fileName}`, fileName, mime: XLSX_MIME });
      }
      return out;
    },
  };
}

export type CycleTableActivities = ReturnType<typeof createCycleTableActivities>;
