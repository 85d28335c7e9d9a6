import type { Database } from './deps.js';
import { appendAudit } from '../infra/audit-chain.js';

export interface RecordNoticeInput {
  workflowId: string;
  note: string;
  /** Workflow time of the recording, ISO-8601. */
  recordedAt: string;
}

/**
 * Writes a due notice. Safe to retry: the workflow id is a natural key, so a
 * second attempt finds the first row and writes neither the row nor the audit
 * entry again.
 */
export function createNoticeActivities(db: Database) {
  return {
    async recordNotice(input: RecordNoticeInput): Promise<{ recordId: string; created: boolean }> {
      return db.prisma.$transaction(async (tx) => {
        const existing = await tx.notice.findUnique({ where: { workflowId: input.workflowId } });
        if (existing) return { recordId: existing.id, created: false };
        const row = await tx.notice.create({
          data: { workflowId: input.workflowId, note: input.note, createdAt: new Date(input.recordedAt) },
        });
        await appendAudit(tx, {
          actor: 'system',
          action: 'notice.recorded',
          subjectType: 'Notice',
          subjectId: row.id,
          payload: { workflowId: input.workflowId, note: input.note, recordedAt: input.recordedAt },
        });
        return { recordId: row.id, created: true };
      });
    },
  };
}

export type NoticeActivities = ReturnType<typeof createNoticeActivities>;
