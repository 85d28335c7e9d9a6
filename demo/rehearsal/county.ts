/**
 * A small rehearsal county (the stand-in for demo's `loadDemoCounty`,
 * same call shape): regions, the 专班, per township a caseworker, a head and
 * a reporting unit (per 股室 for 文水's section units), per village a
 * committee member and a unit, and a few 低保 households per village with
 * their monthly payments, so deaths planted during the rehearsal have a
 * caseworker, a case and money to look at.
 */
import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '../../infra/db/client.js';
import { computeCheckDigit } from '../../domain/identity/index.js';
import type { CountyPolicy } from '../../domain/policy/schema.js';
import { addCalendarDays, compareLocalDates, monthKey, type LocalDate } from '../../domain/time/local-date.js';
import { createRandom } from '../../domain/random.js';

export interface RehearsalCountyOptions {
  preset: string;
  seed: number;
  /** Townships (default 3). */
  scale?: number;
  /** The rehearsal's first day: households are enrolled and paid from the month before. */
  today: LocalDate;
  policy: CountyPolicy;
  /** Last day paid (default `today` + 7 months). */
  until?: LocalDate;
}

export interface RehearsalCounty {
  countyRegionId: number;
  countyName: string;
}

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '胡', '朱', '高', '林', '何', '郭', '马', '罗'];
const GIVEN = ['建国', '秀英', '桂兰', '志强', '玉梅', '国华', '淑珍', '海燕', '明亮', '丽华', '德胜', '春花', '文斌', '凤英', '永刚', '翠兰'];
const TOWNSHIPS = ['城关镇', '丹朱镇', '鲍店镇', '石哲镇', '大堡头镇', '慈林镇', '色头镇', '南漳镇', '宋村乡', '南陈乡', '岚水乡', '碾张乡'];
const VILLAGES = ['东村', '西村', '南庄', '北庄', '前营', '后营', '河头', '坡底'];
const SECTIONS = ['社会救助股', '社会事务股', '养老服务股', '财务股'];

export async function loadRehearsalCounty(prisma: PrismaClient, opts: RehearsalCountyOptions): Promise<RehearsalCounty> {
  const rnd = createRandom(`county:${opts.preset}:${opts.seed}`);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const name = () => `${pick(SURNAMES)}${pick(GIVEN)}`;
  // ID numbers only need to be valid and unique (the database may be shared); they never reach the timeline.
  const salt = randomBytes(4).readUInt32BE(0);
  let serial = 0;
  const idNumber = (birthYear: number) => {
    serial++;
    const seq = (salt + serial) % 1000;
    const day = 1 + ((salt >>> 10) + serial) % 28;
    const month = 1 + ((salt >>> 20) + serial * 7) % 12;
    const body = `140428${birthYear}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}${String(seq).padStart(3, '0')}`;
    return body + computeCheckDigit(body);
  };
  const tag = (salt % 100000).toString(36);
  const countyName = `${opts.policy.county.name}（演练${tag}）`;
  const county = await prisma.region.create({ data: { name: countyName, level: 'COUNTY' } });
  const staff = async (role: Parameters<typeof prisma.staff.create>[0]['data']['role'], unit: string, regionId: number) =>
    (await prisma.staff.create({ data: { name: name(), idNumber: idNumber(1970 + Math.floor(rnd() * 25)), role, unit, regionId } })).id;
  await staff('TASKFORCE_OFFICE', '专班办公室', county.id);
  await staff('TASKFORCE_LEADER', '工作专班', county.id);
  const sections = opts.policy.progressReport.reportingUnits === 'section';
  if (sections) {
    for (const s of SECTIONS) {
      const reporter = await staff('SECTION_CASEWORKER', s, county.id);
      const head = await staff('SECTION_HEAD', s, county.id);
      await prisma.reportingUnit.create({ data: { countyRegionId: county.id, kind: 'SECTION', name: s, regionId: null, reporterStaffId: reporter, headStaffId: head } });
    }
  }
  const until = opts.until ?? addCalendarDays(opts.today, 214);
  const firstMonth = monthKey(addCalendarDays(`${monthKey(opts.today)}-01`, -1));
  const months: string[] = [];
  for (let m = firstMonth; compareLocalDates(`${m}-01`, until) <= 0; m = monthKey(addCalendarDays(`${m}-28`, 7))) months.push(m);
  const townships = Math.max(1, Math.min(TOWNSHIPS.length, opts.scale ?? 3));
  for (let t = 0; t < townships; t++) {
    const tName = TOWNSHIPS[t]!;
    const township = await prisma.region.create({ data: { name: tName, level: 'TOWNSHIP', parentId: county.id } });
    const reporter = await staff('TOWNSHIP_CASEWORKER', `${tName}人民政府`, township.id);
    const head = await staff('TOWNSHIP_HEAD', `${tName}人民政府`, township.id);
    if (!sections) {
      await prisma.reportingUnit.create({ data: { countyRegionId: county.id, kind: 'TOWNSHIP', name: `${tName}人民政府`, regionId: township.id, reporterStaffId: reporter, headStaffId: head } });
    }
    for (let v = 0; v < 2; v++) {
      const vName = VILLAGES[(t * 2 + v) % VILLAGES.length]!;
      const village = await prisma.region.create({ data: { name: vName, level: 'VILLAGE', parentId: township.id } });
      if (opts.policy.villageMonthlyChain.enabled) {
        const member = await staff('VILLAGE_COMMITTEE', `${vName}村委会`, village.id);
        await prisma.reportingUnit.create({ data: { countyRegionId: county.id, kind: 'VILLAGE', name: `${tName}${vName}村委会`, regionId: village.id, reporterStaffId: member, headStaffId: null } });
      }
      for (let h = 0; h < 3; h++) {
        const headName = name();
        const headId = idNumber(1940 + Math.floor(rnd() * 30));
        const household = await prisma.household.create({ data: { regionId: village.id, headName, headIdNumber: headId } });
        await prisma.member.create({ data: { householdId: household.id, name: headName, idNumber: headId, relationToHead: '本人' } });
        await prisma.member.create({ data: { householdId: household.id, name: name(), idNumber: idNumber(1940 + Math.floor(rnd() * 30)), relationToHead: '配偶' } });
        const amount = 400 + Math.floor(rnd() * 5) * 50;
        const enrolment = await prisma.enrolment.create({ data: { householdId: household.id, kind: 'RURAL_DIBAO', monthlyAmount: amount, startDate: new Date(`${firstMonth}-01`) } });
        await prisma.payment.createMany({
          data: months.map((m) => ({
            enrolmentId: enrolment.id,
            householdId: household.id,
            period: m,
            dueDate: new Date(`${m}-10`),
            amountDue: amount,
            amountPaid: amount,
            paidDate: new Date(`${m}-06`),
            payeeKind: 'HOUSEHOLD' as const,
            payeeName: headName,
          })),
        });
      }
    }
  }
  return { countyRegionId: county.id, countyName };
}
