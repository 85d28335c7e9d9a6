// Whom a report accuses (被举报人): a staff member of the county, chosen by 编号 or by name from the staff
// list. Used by the chat complaint form and the 专班 office's intake form; the answer 「无」 means the
// report accuses no staff member (an ordinary complaint about a matter).
import type { PrismaClient } from '../../prisma/generated/client.js';
import { countyOfRegion } from './permissions.js';

export const NO_ACCUSED_ANSWERS = new Set(['无', '没有', '否', '不涉及']);

export interface AccusedStaff {
  id: number;
  name: string;
  unit: string;
}

/** null: no accusation («无»); an AccusedStaff; or a Chinese reason naming the field. */
export async function resolveAccusedStaff(prisma: PrismaClient, countyId: number, typed: string): Promise<AccusedStaff | null | string> {
  const answer = typed.replace(/\s/g, '');
  if (NO_ACCUSED_ANSWERS.has(answer)) return null;
  const idMatch = /^(?:编号)?(\d{1,9})$/.exec(answer);
  const candidates = idMatch
    ? await prisma.staff.findMany({ where: { id: Number(idMatch[1]), active: true } })
    : await prisma.staff.findMany({ where: { name: answer, active: true }, orderBy: { id: 'asc' } });
  const inCounty: typeof candidates = [];
  for (const s of candidates) if ((await countyOfRegion(prisma, s.regionId)) === countyId) inCounty.push(s);
  if (inCounty.length === 1) return { id: inCounty[0]!.id, name: inCounty[0]!.name, unit: inCounty[0]!.unit };
  if (inCounty.length > 1) {
    return `被举报人：本县有 ${inCounty.length} 名工作人员叫“${answer}”（${inCounty.map((s) => `编号 ${s.id}，${s.unit}`).join('；')}），请改填编号。`;
  }
  return `被举报人：本县在职工作人员中找不到“${answer}”。请填写被举报工作人员的姓名或编号；不针对工作人员的，请回复“无”。`;
}
