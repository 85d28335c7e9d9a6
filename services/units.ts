// `jiuzhu units sync`: the county's ReportingUnit rows brought in line with the policy and the staff
// roster (derivation: domain/cycles/units.ts). Idempotent: a second run changes nothing.
import { deriveReportingUnits, planUnitChanges, type RosterRole, type StoredUnit, type UnitChange } from '../domain/cycles/index.js';
import type { CountyPolicy } from '../domain/policy/index.js';
import { appendAudit } from '../infra/audit-chain.js';
import type { Prisma, PrismaClient } from '../infra/db/client.js';

type Tx = Prisma.TransactionClient;

export interface UnitSyncResult {
  changes: UnitChange[];
  /** Staff names by id (for printing the changes). */
  staffNames: Map<number, string>;
  /** Active units after the sync. */
  total: number;
}

async function readRoster(tx: Tx, countyRegionId: number) {
  const townships = await tx.region.findMany({ where: { parentId: countyRegionId, level: 'TOWNSHIP' }, select: { id: true, name: true } });
  const villageRows = await tx.region.findMany({
    where: { parentId: { in: townships.map((t) => t.id) }, level: 'VILLAGE' },
    select: { id: true, name: true, parentId: true },
  });
  const regionIds = [countyRegionId, ...townships.map((t) => t.id), ...villageRows.map((v) => v.id)];
  const staff = await tx.staff.findMany({
    where: { regionId: { in: regionIds } },
    select: { id: true, name: true, role: true, unit: true, regionId: true, active: true },
  });
  return {
    regions: { countyRegionId, townships, villages: villageRows.map((v) => ({ id: v.id, name: v.name, townshipId: v.parentId! })) },
    staff: staff.map((s) => ({ ...s, role: s.role as RosterRole })),
  };
}

/** Applies the changes in one transaction (within `tx` when given) and records them in the audit log. */
export async function syncReportingUnits(
  db: PrismaClient | Tx,
  policy: CountyPolicy,
  countyRegionId: number,
  opts: { actor?: string; dryRun?: boolean } = {},
): Promise<UnitSyncResult> {
  const work = async (tx: Tx): Promise<UnitSyncResult> => {
    const { regions, staff } = await readRoster(tx, countyRegionId);
    const desired = deriveReportingUnits(policy, regions, staff);
    const storedRows = await tx.reportingUnit.findMany({ where: { countyRegionId }, orderBy: { id: 'asc' } });
    const stored: StoredUnit[] = storedRows.map((u) => ({
      id: u.id,
      kind: u.kind,
      name: u.name,
      regionId: u.regionId,
      reporterStaffId: u.reporterStaffId,
      headStaffId: u.headStaffId,
      active: u.active,
    }));
    const changes = planUnitChanges(stored, desired);
    if (!opts.dryRun && changes.length) {
      const creates = changes.flatMap((c) => (c.action === 'create' ? [{ countyRegionId, ...c.unit }] : []));
      if (creates.length) await tx.reportingUnit.createMany({ data: creates });
      for (const c of changes) {
        if (c.action === 'update') {
          await tx.reportingUnit.update({
            where: { id: c.id },
            data: { regionId: c.unit.regionId, reporterStaffId: c.unit.reporterStaffId, headStaffId: c.unit.headStaffId, active: true },
          });
        } else if (c.action === 'deactivate') {
          await tx.reportingUnit.update({ where: { id: c.id }, data: { active: false } });
        }
      }
      await appendAudit(tx, {
        actor: opts.actor ?? 'cli:units-sync',
        action: 'units.sync',
        subjectType: 'Region',
        subjectId: String(countyRegionId),
        payload: {
          created: changes.filter((c) => c.action === 'create').length,
          updated: changes.filter((c) => c.action === 'update').map((c) => (c as { id: number }).id),
          deactivated: changes.filter((c) => c.action === 'deactivate').map((c) => (c as { id: number }).id),
        },
      });
    }
    const total = opts.dryRun
      ? desired.length
      : await tx.reportingUnit.count({ where: { countyRegionId, active: true } });
    return { changes, staffNames: new Map(staff.map((s) => [s.id, s.name])), total };
  };
  return '$transaction' in db ? (db as PrismaClient).$transaction(work, { timeout: 120_000 }) : work(db as Tx);
}
