/**
 * Who may see which part of the 专班 dashboard (看板).
 *
 * - County-level staff (region = the county: 专班组长/办公室, 股室, 纪检联络,
 *   管理员) see the whole county.
 * - Township staff (乡镇经办人/负责人, region = a township) see their township
 *   and its villages only.
 * - Village cadres (村(居)委会, or anyone whose region is a village) are refused.
 *
 * Every page, data and xlsx route resolves the viewer through `resolveViewer`
 * and passes the resulting scope to the queries, which filter in SQL.
 */
import { STAFF_ROLE_SHORT_LABELS } from '../domain/import/vocabulary.js';
import type { PrismaClient } from '../infra/db/client.js';


export const VILLAGE_REFUSAL = '村(居)委会人员无权查看专班看板：看板只向县级和乡镇工作人员开放。';
export const OTHER_COUNTY_REFUSAL = '您不是本县工作人员，无权查看本县看板。';
export const INACTIVE_REFUSAL = '该人员已停用或不存在，无权查看看板。';

export interface DashboardScope {
  countyId: number;
  countyName: string;
  level: 'county' | 'township';
  /** The townships the viewer sees (all of the county's, or their own). */
  townships: Array<{ id: number; name: string }>;
  /** Every region id the viewer sees: the county itself (county level only), the townships and their villages. */
  regionIds: number[];
}

export interface DashboardViewer {
  staffId: number;
  name: string;
  role: string;
  roleZh: string;
  scope: DashboardScope;
  /** '全县' or the township's name. */
  scopeLabel: string;
}

export type ViewerResult = { ok: true; viewer: DashboardViewer } | { ok: false; message: string };

/**
 * The viewer behind a staff id, or the Chinese reason for refusing them.
 * `countyRegionId`: the county this server serves (undefined: the staff member's own).
 */
export async function resolveViewer(prisma: PrismaClient, staffId: number, countyRegionId?: number): Promise<ViewerResult> {
  const staff = await prisma.staff.findUnique({ where: { id: staffId }, include: { region: true } });
  if (!staff?.active) return { ok: false, message: INACTIVE_REFUSAL };
  const region = staff.region;
  if (region.level === 'VILLAGE' || staff.role === 'VILLAGE_COMMITTEE') return { ok: false, message: VILLAGE_REFUSAL };
  const countyId = region.level === 'COUNTY' ? region.id : region.parentId;
  if (countyId === null || (countyRegionId !== undefined && countyId !== countyRegionId)) return { ok: false, message: OTHER_COUNTY_REFUSAL };
  const county = await prisma.region.findUnique({ where: { id: countyId } });
  if (!county || county.level !== 'COUNTY') return { ok: false, message: OTHER_COUNTY_REFUSAL };

  const level = region.level === 'COUNTY' ? 'county' : 'township';
  const townships =
    level === 'county'
      ? await prisma.region.findMany({ where: { parentId: countyId, level: 'TOWNSHIP' }, select: { id: true, name: true }, orderBy: { id: 'asc' } })
      : [{ id: region.id, name: region.name }];
  const villages = await prisma.region.findMany({ where: { parentId: { in: townships.map((t) => t.id) } }, select: { id: true } });
  const regionIds = [...(level === 'county' ? [countyId] : []), ...townships.map((t) => t.id), ...villages.map((v) => v.id)];
  return {
    ok: true,
    viewer: {
      staffId: staff.id,
      name: staff.name,
      role: staff.role,
      roleZh: STAFF_ROLE_SHORT_LABELS[staff.role] ?? staff.role,
      scope: { countyId, countyName: county.name, level, townships, regionIds },
      scopeLabel: level === 'county' ? `${county.name}（全县）` : region.name,
    },
  };
}
