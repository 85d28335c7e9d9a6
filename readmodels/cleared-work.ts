/**
 * Open work whose finding a later match cleared (线索已消除): the opened work orders and the
 * rectification items that came from a finding, joined to that finding once it has `clearedAt`.
 * The start-up sweep counts what has not been told yet; the findings-to-work run tells it.
 */
import type { Prisma, PrismaClient } from '../infra/db/client.js';

type Db = Prisma.TransactionClient | PrismaClient;

export interface ClearedWork {
  findingId: number;
  kind: string;
  evidence: unknown;
  period: string | null;
  amount: string | null;
  clearedAt: Date;
  workflowId: string;
  /** The work order kind, or 'rectification' for an item made from the finding. */
  workKind: string;
}

/** The dedupe key of the one 「线索已消除」 notice per finding and work. */
export const clearedNoticeKey = (findingId: number, workflowId: string): string => `finding-cleared:${findingId}:${workflowId}`;

/** Cleared findings' open work in a county; `untold` keeps only work not yet told 「线索已消除」. */
export async function clearedWork(db: Db, countyRegionId: number, opts: { untold?: boolean } = {}): Promise<ClearedWork[]> {
  return db.$queryRawUnsafe<ClearedWork[]>(
    `WITH work AS (
       SELECT w."findingId" AS "findingId", w."workflowId", w.kind::text AS "workKind" FROM "WorkOrder" w
        WHERE w."countyRegionId" = $1 AND w."findingId" IS NOT NULL AND w."openedAt" IS NOT NULL AND w.kind <> 'askFiling'
       UNION
       SELECT substr(r."sourceRef", 9)::int, r."workflowId", 'rectification' FROM "RectificationItem" r
        WHERE r."countyRegionId" = $1 AND r."sourceRef" ~ '^finding:[0-9]+$' AND r.status <> 'COMPLETED')
     SELECT f.id AS "findingId", f.kind::text AS kind, f.evidence, f.period, f.amount::text AS amount, f."clearedAt",
            work."workflowId", work."workKind"
       FROM work JOIN "Finding" f ON f.id = work."findingId"
      WHERE f."clearedAt" IS NOT NULL
        AND ($2::boolean IS FALSE
             OR NOT EXISTS (SELECT 1 FROM "Notification" n WHERE n."dedupeKey" = 'finding-cleared:' || f.id || ':' || work."workflowId"))
      ORDER BY f.id, work."workflowId"`,
    countyRegionId,
    opts.untold === true,
  );
}

/**
 * How many cleared findings' work has not been told 「线索已消除」 yet, and the last such finding (the
 * start-up sweep's trigger): a run is due when the count is not 0.
 */
export async function clearedWithoutNotice(db: Db, countyRegionId: number): Promise<{ count: number; lastFindingId: number | null }> {
  const rows = await clearedWork(db, countyRegionId, { untold: true });
  return { count: rows.length, lastFindingId: rows.length ? Math.max(...rows.map((r) => r.findingId)) : null };
}
