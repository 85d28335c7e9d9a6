// After `jiuzhu import` and `jiuzhu match`: the work the new data asks for (death reviews, prisoner
// exits, rectification items, application reviews, requests to file) is recorded in the database,
// then handed to the service's findings-to-work workflow. Without a reachable Temporal server the
// work waits and the service opens it when it starts (said so in Chinese).
import { recordPendingWork } from '../../activities/findings-work-record.js';
import { clearedWithoutNotice } from '../../readmodels/cleared-work.js';
import { WORK_ORDER_LABELS, type WorkOrderKind } from '../../domain/cases/finding-work.js';
import type { CountyPolicy } from '../../domain/policy/schema.js';
import type { tryConnectTemporal } from '../../services/cases/findings-to-work.js';
import { tcpReachable, temporalAddress } from '../../infra/temporal/reachable.js';
import type { AppConfig } from '../../infra/config.js';
import type { PrismaClient } from '../../infra/db/client.js';

export interface WorkCounty {
  id: number;
  name: string;
  policy: CountyPolicy;
}

export interface QueueWorkOptions {
  /** The run's natural key: `import-<batch>`, `match-<audit id>`. */
  trigger: string;
  /** Test seam: how to reach Temporal (default: the configured server, 2 s). */
  connect?: typeof tryConnectTemporal;
}

/** Records and hands over the work of these counties; returns Chinese lines for the console. */
export async function queueWorkAfter(config: AppConfig, prisma: PrismaClient, counties: WorkCounty[], opts: QueueWorkOptions): Promise<string[]> {
  const lines: string[] = [];
  const recorded: Array<{ county: WorkCounty; pending: number }> = [];
  for (const county of counties) {
    const r = await recordPendingWork(prisma, { countyRegionId: county.id, policy: county.policy });
    const parts = (Object.entries(r.recorded) as Array<[WorkOrderKind, number]>).map(([k, n]) => `${WORK_ORDER_LABELS[k]} ${n}`);
    if (parts.length) lines.push(`${county.name}：新发现待办工作 ${parts.join('，')}。`);
    if (r.skippedCount) lines.push(`${county.name}：${r.skippedCount} 条无法自动开启工作，如：${r.skipped[0]!.reason}`);
    // Cleared findings whose work was not told yet need a run too (「线索已消除」).
    const cleared = await clearedWithoutNotice(prisma, county.id);
    if (cleared.count > 0) lines.push(`${county.name}：${cleared.count} 条问题线索已消除，将通知相关承办人（事项不自动办结）。`);
    if (r.pending > 0 || cleared.count > 0) recorded.push({ county, pending: r.pending });
  }
  if (recorded.length === 0) return lines;
  const total = recorded.reduce((s, c) => s + c.pending, 0);
  // The Temporal client (≈ 1 s to load) only when a server listens.
  const connect: typeof tryConnectTemporal =
    opts.connect ??
    (async (c, timeoutMs = 2000) =>
      (await tcpReachable(temporalAddress(c), timeoutMs)) ? (await import('../../services/cases/findings-to-work.js')).tryConnectTemporal(c, timeoutMs) : undefined);
  const temporal = await connect(config);
  if (!temporal) {
    lines.push(
      total > 0
        ? `后台服务（Temporal）未运行：${total} 项待开启的工作已记录在数据库中，将在服务启动（npm start）后自动开启并通知承办人。`
        : '后台服务（Temporal）未运行：将在服务启动（npm start）后通知相关承办人。',
    );
    return lines;
  }
  try {
    const { startFindingsToWork } = await import('../../services/cases/findings-to-work.js');
    for (const { county } of recorded) {
      await startFindingsToWork(temporal.client, { taskQueue: config.temporal.taskQueue, countyRegionId: county.id, trigger: opts.trigger, policy: county.policy });
    }
    lines.push(total > 0 ? `${total} 项待开启的工作已交后台服务开启（依次通知承办人；重复导入或比对不会重复开启）。` : '已交后台服务通知相关承办人。');
  } catch (err) {
    lines.push(`无法交后台服务开启（${err instanceof Error ? err.message : String(err)}）：${total} 项工作已记录，将在服务下次启动时自动开启。`);
  } finally {
    await temporal.close().catch(() => {});
  }
  return lines;
}
