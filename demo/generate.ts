// The demo county as plain data: regions, staff, households, enrolments, a payment ledger, death and
// custody lists, declared relatives, monitored persons, a few applications under review, and a few
// planted problems whose finding keys are known in advance. Deterministic for (preset, seed, scale, today): a Faker of its own is seeded,
// nothing reads the clock. Written by load.ts.
import { base, Faker, zh_CN } from '@faker-js/faker';

import { IdNumberAllocator } from '../domain/identity/index.js';
import { enrolmentKeyPart, findingKey, staffKeyPart } from '../domain/matching/index.js';
import { getPreset, paymentDeadline, type CountyPolicy, type PaymentKind } from '../domain/policy/index.js';
import { addCalendarDays, daysInMonth, isValidLocalDate, makeLocalDate, type LocalDate } from '../domain/time/index.js';

export type DemoPreset = 'wenshui' | 'zhangzi';
export const DEMO_PRESETS: readonly DemoPreset[] = ['wenshui', 'zhangzi'];

export type AssistanceKind = 'URBAN_DIBAO' | 'RURAL_DIBAO' | 'TEKUN_DISPERSED' | 'TEKUN_CENTRALIZED';
import type { StaffRole } from '../domain/roles.js';

export type { StaffRole };

/** The finding kinds the demo plants (death_review_overdue follows from the deaths paid after). */
export const PLANTED_KINDS = [
  'paid_after_death',
  'death_review_overdue',
  'paid_in_prison',
  'payment_late',
  'payment_short',
  'payment_wrong_payee',
  'undeclared_near_relative',
] as const;
export type PlantedKind = (typeof PLANTED_KINDS)[number];

export interface DemoOptions {
  preset: DemoPreset;
  seed?: number;
  /** 1 = about 3,000 households; 0.05 = about 150. */
  scale?: number;
  /** 'YYYY-MM-DD': the ledger ends with the last period due before this day. Default: today (Beijing). */
  today: LocalDate;
  /**
   * Another county name (tests that share one database); default the preset's. Its ID numbers then
   * get an area code of their own (14xxxx from the name), so two demo counties never share a number.
   */
  countyName?: string;
}

/** A 6-digit area code for a county name other than the preset's: 14 + 4 digits from the name (FNV-1a). */
export function areaCodeFor(countyName: string): string {
  let h = 0x811c9dc5;
  for (const ch of countyName) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `14${String(5000 + (h % 5000)).padStart(4, '0')}`;
}

export interface GenStaff {
  name: string;
  idNumber: string;
  phone: string;
  role: StaffRole;
  unit: string;
  /** 'county' | township index | [township, village] */
  at: { level: 'COUNTY' } | { level: 'TOWNSHIP'; t: number } | { level: 'VILLAGE'; t: number; v: number };
  /** What the person does, for the summary (组长, 股长 …). */
  title: string;
}

export interface GenMember {
  name: string;
  idNumber: string;
  relationToHead: string;
  status: 'ALIVE' | 'DEAD' | 'IN_PRISON';
}

export interface GenPayment {
  period: string;
  dueDate: LocalDate;
  amountDue: number;
  amountPaid: number;
  paidDate: LocalDate;
  payeeKind: 'HOUSEHOLD' | 'INSTITUTION' | 'OTHER';
  payeeName: string;
  accountMasked: string | null;
}

export interface GenHousehold {
  t: number;
  v: number;
  members: GenMember[];
  enrolment: {
    kind: AssistanceKind;
    /** Index into institutions (集中特困). */
    institution: number | null;
    monthlyAmount: number;
    startDate: LocalDate;
    endDate: LocalDate | null;
    status: 'ACTIVE' | 'ENDED';
  };
  payments: GenPayment[];
}

export interface GenApplication {
  t: number;
  v: number;
  name: string;
  idNumber: string;
  kind: AssistanceKind;
  householdSize: number;
  /** Monthly amount applied for (yuan). */
  monthlyAmount: number;
  acceptedAt: LocalDate;
  relative: number | null;
}

/**
 * The demo's applications, in order: kinds, and which one is a village cadre's relative (a sibling:
 * not a legal supporter, so 特困 stays possible). A mix of 低保 and 特困, each in a township of its
 * own; the first three are opened on start, so the 近亲属 case is among them. 特困 first: its clocks
 * at opening reach 15 working days ahead, 低保's overall limit 30, which may cross into a year the
 * holiday data does not hold yet (the review then waits, see live.ts).
 */
const APPLICATION_PLAN: ReadonlyArray<{ kind: AssistanceKind; nearRelative: boolean }> = [
  { kind: 'TEKUN_DISPERSED', nearRelative: true },
  { kind: 'RURAL_DIBAO', nearRelative: false },
  { kind: 'TEKUN_CENTRALIZED', nearRelative: false },
  { kind: 'URBAN_DIBAO', nearRelative: false },
  { kind: 'RURAL_DIBAO', nearRelative: false },
];

export interface GenDemoCounty {
  preset: DemoPreset;
  seed: number;
  scale: number;
  today: LocalDate;
  policy: CountyPolicy;
  countyName: string;
  townships: Array<{ name: string; villages: string[] }>;
  institutions: Array<{ name: string; t: number | null }>;
  staff: GenStaff[];
  households: GenHousehold[];
  deaths: Array<{ name: string; idNumber: string; deathDate: LocalDate; source: string }>;
  prisons: Array<{ name: string; idNumber: string; custodyDate: LocalDate; releaseDate: LocalDate | null; source: string }>;
  /** Declared relatives (staff index); `filing` = an approved 近亲属备案 exists. */
  relatives: Array<{ staff: number; relativeName: string; relativeIdNumber: string; relation: string; filing: boolean }>;
  monitored: Array<{ t: number; v: number; name: string; idNumber: string; disabilityKind: string; disabilityGrade: number; identifiedAt: LocalDate; source: string; measure: string | null; measureDate: LocalDate | null }>;
  /**
   * New applications under review (低保/特困申请审核确认), in the order they are written (the first ones
   * are opened on start). `relative`: index into `relatives` when the applicant is a declared near
   * relative of staff with no filing yet (the 近亲属 rule; also a planted undeclared_near_relative).
   */
  applications: GenApplication[];
  /** First and last period of the payment ledger ('YYYY-MM'). */
  ledger: { firstPeriod: string; lastPeriod: string };
  /** Finding keys the matcher must produce (as of `today`), by kind. */
  expected: Record<PlantedKind, string[]>;
}

interface Geography {
  area: string;
  townships: string[];
  sections: string[];
}

/** Real township names (public); villages are invented. */
const GEOGRAPHY: Record<DemoPreset, Geography> = {
  wenshui: {
    area: '141121',
    townships: ['凤城镇', '开栅镇', '南庄镇', '南安镇', '刘胡兰镇', '下曲镇', '孝义镇', '南武乡', '西城乡', '北张乡', '马西乡', '西槽头乡'],
    sections: ['社会救助股', '规划财务股', '养老服务股', '社会事务股'],
  },
  zhangzi: {
    area: '140428',
    townships: ['丹朱镇', '鲍店镇', '石哲镇', '大堡头镇', '慈林镇', '色头镇', '南漳镇', '宋村镇', '常张乡', '碾张乡', '岚水乡', '南陈乡'],
    sections: ['社会救助股', '规划财务股'],
  },
};

const VILLAGE_FIRST = ['东', '西', '南', '北', '上', '下', '前', '后', '大', '小', '新', '张', '王', '李', '刘', '马', '赵', '高', '石', '河', '杨', '郭', '韩', '孙', '武', '梁', '宋', '贾', '胡', '常'];
const VILLAGE_SECOND = ['庄', '堡', '沟', '家庄', '峪', '坡', '头', '关', '营', '寨', '屯', '岭', '店', '坊', '村', '河', '洼', '湾', '旺', '城'];
const COMMUNITY = ['东街社区', '西街社区', '南关社区', '北关社区', '新华社区', '建设社区', '城北社区', '城南社区'];
const DISABILITY_KINDS = ['肢体', '视力', '听力', '言语', '智力', '精神', '多重'];

const midx = (ym: string) => Number(ym.slice(0, 4)) * 12 + Number(ym.slice(5, 7)) - 1;
const ymOf = (i: number) => `${String(Math.floor(i / 12)).padStart(4, '0')}-${String((i % 12) + 1).padStart(2, '0')}`;
const firstDay = (ym: string): LocalDate => `${ym}-01`;
const lastDay = (ym: string): LocalDate => makeLocalDate(Number(ym.slice(0, 4)), Number(ym.slice(5, 7)), daysInMonth(Number(ym.slice(0, 4)), Number(ym.slice(5, 7))));
const paymentKindOf = (k: AssistanceKind): PaymentKind => (k === 'TEKUN_DISPERSED' ? 'tekunDispersed' : k === 'TEKUN_CENTRALIZED' ? 'tekunCentralized' : 'dibao');
const round10 = (n: number) => Math.round(n / 10) * 10;

/** Households at a scale: villages per township and households per village. */
export function demoSize(scale: number): { villagesPerTownship: number; householdsPerVillage: number } {
  const villagesPerTownship = Math.min(30, Math.max(2, Math.round(8 * Math.sqrt(scale))));
  const householdsPerVillage = Math.max(4, Math.ceil((3000 * scale) / (12 * villagesPerTownship)));
  return { villagesPerTownship, householdsPerVillage };
}

export function generateDemoCounty(opts: DemoOptions): GenDemoCounty {
  const seed = opts.seed ?? 1;
  const scale = opts.scale ?? 1;
  if (!(scale > 0 && scale <= 100)) throw new Error(`scale must be in (0, 100], got ${scale}`);
  if (!isValidLocalDate(opts.today)) throw new Error(`today must be YYYY-MM-DD, got ${opts.today}`);
  const today = opts.today;
  const policy = getPreset(opts.preset);
  const geo = GEOGRAPHY[opts.preset];
  const countyName = opts.countyName ?? policy.county.name;
  const f = new Faker({ locale: [zh_CN, base] });
  f.seed(seed);
  const int = (min: number, max: number) => f.number.int({ min, max });
  const pick = <T>(a: readonly T[]): T => f.helpers.arrayElement(a);
  const chance = (p: number) => f.number.float({ min: 0, max: 1 }) < p;
  const ids = new IdNumberAllocator(countyName === policy.county.name ? geo.area : areaCodeFor(countyName));
  const birth = (fromYear: number, toYear: number): LocalDate => {
    const y = int(fromYear, toYear);
    const m = int(1, 12);
    return makeLocalDate(y, m, int(1, daysInMonth(y, m)));
  };
  const person = (female: boolean, fromYear: number, toYear: number) => ({
    name: `${f.person.lastName()}${f.person.firstName(female ? 'female' : 'male')}`,
    idNumber: ids.allocate(birth(fromYear, toYear), female, int(0, 999)),
  });
  const phone = () => `1${pick(['3', '5', '8'])}${f.string.numeric(9)}`;
  const account = () => `6217 **** **** ${f.string.numeric(4)}`;

  // ── Regions ───────────────────────────────────────────────────────────
  const { villagesPerTownship, householdsPerVillage } = demoSize(scale);
  const townships = geo.townships.map((name) => {
    const villages: string[] = [];
    if (name.endsWith('镇')) villages.push(pick(COMMUNITY));
    while (villages.length < villagesPerTownship) {
      const v = `${pick(VILLAGE_FIRST)}${pick(VILLAGE_SECOND)}`.replace(/村$/, '') + '村';
      if (!villages.includes(v)) villages.push(v);
    }
    return { name, villages };
  });
  const institutions: GenDemoCounty['institutions'] = [
    { name: `${countyName}社会福利院`, t: null },
    ...[0, 3, 7].map((t) => ({ name: `${countyName}${geo.townships[t]}敬老院`, t })),
  ];

  // ── Staff: every role, with the county's 专班 as the policy describes it ───────────
  const staff: GenStaff[] = [];
  const addStaff = (role: StaffRole, unit: string, at: GenStaff['at'], title: string) => {
    const female = chance(0.4);
    staff.push({ ...person(female, 1966, 1996), phone: phone(), role, unit, at, title });
    return staff.length - 1;
  };
  const bureau = policy.county.bureau;
  const county = { level: 'COUNTY' } as const;
  for (const title of policy.taskForce.leaderTitles) addStaff('TASKFORCE_LEADER', bureau, county, `专班组长（${title}）`);
  for (const title of policy.taskForce.deputyTitles) addStaff('TASKFORCE_LEADER', bureau, county, `专班副组长（${title}）`);
  addStaff('TASKFORCE_OFFICE', policy.taskForce.office, county, '专班办公室');
  addStaff('TASKFORCE_OFFICE', policy.taskForce.office, county, '专班办公室');
  for (const section of geo.sections) {
    addStaff('SECTION_HEAD', section, county, `${section}股长`);
    addStaff('SECTION_CASEWORKER', section, county, `${section}经办人`);
    if (section === '社会救助股') addStaff('SECTION_CASEWORKER', section, county, `${section}经办人`);
  }
  addStaff('DISCIPLINE_LIAISON', `${countyName}纪委监委派驻民政局纪检监察组`, county, '纪检联络人');
  addStaff('ADMIN', `${bureau}办公室`, county, '系统管理员');
  townships.forEach((t, ti) => {
    addStaff('TOWNSHIP_HEAD', `${t.name}人民政府`, { level: 'TOWNSHIP', t: ti }, `${t.name}分管领导`);
    addStaff('TOWNSHIP_CASEWORKER', `${t.name}人民政府`, { level: 'TOWNSHIP', t: ti }, `${t.name}民政经办人`);
    t.villages.forEach((v, vi) => {
      const unit = v.endsWith('社区') ? `${v}居委会` : `${v}委会`;
      addStaff('VILLAGE_COMMITTEE', unit, { level: 'VILLAGE', t: ti, v: vi }, `${v}党支部书记`);
      addStaff('VILLAGE_COMMITTEE', unit, { level: 'VILLAGE', t: ti, v: vi }, `${v}民政协理员`);
    });
  });

  // ── Ledger window: 24 periods, the last one due before `today` ─────────────────
  const todayYm = today.slice(0, 7);
  const lastMidx = paymentDeadline(policy, 'dibao', todayYm).due < today ? midx(todayYm) : midx(todayYm) - 1;
  const firstMidx = lastMidx - 23;
  const ledger = { firstPeriod: ymOf(firstMidx), lastPeriod: ymOf(lastMidx) };
  const deadlineCache = new Map<string, LocalDate>();
  const due = (kind: PaymentKind, ym: string) => {
    const k = `${kind}:${ym}`;
    let d = deadlineCache.get(k);
    if (d === undefined) deadlineCache.set(k, (d = paymentDeadline(policy, kind, ym).due));
    return d;
  };
  /** Schedule periods of a kind in the ledger window, from a month on (quarterly kinds: the quarter's first month). */
  const periodsOf = (kind: AssistanceKind, fromMidx: number, toMidx: number): string[] => {
    const months = policy.payments[paymentKindOf(kind)].months;
    const out: string[] = [];
    for (let i = Math.max(firstMidx, fromMidx); i <= Math.min(lastMidx, toMidx); i++) {
      if (months.includes((i % 12) + 1) && due(paymentKindOf(kind), ymOf(i)) < today) out.push(ymOf(i));
    }
    return out;
  };
  const coverOf = (kind: AssistanceKind) => (kind === 'TEKUN_DISPERSED' || kind === 'TEKUN_CENTRALIZED' ? 3 : 1);
  const onTimePaidDate = (kind: AssistanceKind, ym: string): LocalDate => {
    const d = due(paymentKindOf(kind), ym);
    const day = Math.max(1, Number(d.slice(8, 10)) - int(1, 7));
    return `${ym}-${String(day).padStart(2, '0')}`;
  };

  // ── Households ─────────────────────────────────────────────────────────
  const households: GenHousehold[] = [];
  const startBefore = (): LocalDate => {
    const i = int(midx('2016-01'), firstMidx - 1);
    const ym = ymOf(i);
    return makeLocalDate(Number(ym.slice(0, 4)), Number(ym.slice(5, 7)), int(1, 28));
  };
  townships.forEach((t, ti) => {
    t.villages.forEach((v, vi) => {
      const urban = v.endsWith('社区');
      for (let h = 0; h < householdsPerVillage; h++) {
        const size = f.helpers.weightedArrayElement([
          { weight: 35, value: 1 },
          { weight: 30, value: 2 },
          { weight: 20, value: 3 },
          { weight: 15, value: 4 },
        ]);
        const headFemale = chance(size === 1 ? 0.55 : 0.3);
        const head = person(headFemale, size === 1 ? 1938 : 1955, size === 1 ? 1975 : 1990);
        const members: GenMember[] = [{ ...head, relationToHead: '本人', status: 'ALIVE' }];
        if (size >= 2) members.push({ ...person(!headFemale, 1955, 1990), relationToHead: '配偶', status: 'ALIVE' });
        for (let c = 2; c < size; c++) members.push({ ...person(chance(0.5), 2006, 2020), relationToHead: '子女', status: 'ALIVE' });
        let kind: AssistanceKind = urban ? 'URBAN_DIBAO' : 'RURAL_DIBAO';
        let institution: number | null = null;
        if (size === 1 && !urban) {
          const r = f.number.float({ min: 0, max: 1 });
          if (r < 0.16) kind = 'TEKUN_DISPERSED';
          else if (r < 0.22) {
            kind = 'TEKUN_CENTRALIZED';
            institution = int(0, institutions.length - 1);
          }
        }
        const perPerson = urban ? round10(int(600, 720)) : round10(int(420, 560));
        const monthlyAmount =
          kind === 'TEKUN_DISPERSED' ? round10(int(880, 1000)) : kind === 'TEKUN_CENTRALIZED' ? round10(int(1000, 1200)) : perPerson * size;
        // A few 低保 households enrolled during the ledger window (paid from their first month).
        const late = kind.endsWith('DIBAO') && chance(0.05);
        const startDate = late ? firstDay(ymOf(int(firstMidx + 1, lastMidx - 1))) : startBefore();
        households.push({
          t: ti,
          v: vi,
          members,
          enrolment: { kind, institution, monthlyAmount, startDate, endDate: null, status: 'ACTIVE' },
          payments: [],
        });
      }
    });
  });
  const instName = (hh: GenHousehold) => institutions[hh.enrolment.institution!]!.name;
  const fillPayments = (hh: GenHousehold, amountFor?: (ym: string) => number, toMidx = lastMidx) => {
    const e = hh.enrolment;
    const acct = e.kind === 'TEKUN_CENTRALIZED' ? null : account();
    hh.payments = periodsOf(e.kind, midx(e.startDate.slice(0, 7)), toMidx).map((ym) => {
      const amount = amountFor ? amountFor(ym) : e.monthlyAmount * coverOf(e.kind);
      return {
        period: ym,
        dueDate: due(paymentKindOf(e.kind), ym),
        amountDue: amount,
        amountPaid: amount,
        paidDate: onTimePaidDate(e.kind, ym),
        payeeKind: e.kind === 'TEKUN_CENTRALIZED' ? 'INSTITUTION' : 'HOUSEHOLD',
        payeeName: e.kind === 'TEKUN_CENTRALIZED' ? instName(hh) : hh.members[0]!.name,
        accountMasked: acct,
      };
    });
  };
  for (const hh of households) fillPayments(hh);

  // Households are drawn for one purpose each (clean events and planted problems never share one).
  const used = new Set<number>();
  const draw = (pred: (h: GenHousehold) => boolean): number | undefined => {
    const pool = households.map((h, i) => i).filter((i) => !used.has(i) && pred(households[i]!) && midx(households[i]!.enrolment.startDate.slice(0, 7)) < firstMidx);
    if (!pool.length) return undefined;
    const i = pick(pool);
    used.add(i);
    return i;
  };
  const isDibao = (h: GenHousehold) => h.enrolment.kind === 'URBAN_DIBAO' || h.enrolment.kind === 'RURAL_DIBAO';
  const count = (perScale: number, min: number) => Math.max(min, Math.round(perScale * scale));
  const inWindow = (fromBack: number, toBack: number): LocalDate => {
    const ym = ymOf(lastMidx - int(toBack, fromBack));
    return makeLocalDate(Number(ym.slice(0, 4)), Number(ym.slice(5, 7)), int(1, 28));
  };
  const expected: Record<PlantedKind, string[]> = Object.fromEntries(PLANTED_KINDS.map((k) => [k, [] as string[]])) as Record<PlantedKind, string[]>;
  const deaths: GenDemoCounty['deaths'] = [];
  const prisons: GenDemoCounty['prisons'] = [];
  const deathSources = ['公安户籍注销', '卫健死亡医学证明', '殡葬火化记录', '村（居）报告'];

  // ── Clean deaths: processed in time (停发 or 减发), and deaths of people not on the roster ────────────
  for (let n = count(6, 2); n > 0; n--) {
    const i = draw((h) => isDibao(h) && h.members.length === 1);
    if (i === undefined) break;
    const hh = households[i]!;
    const deathDate = inWindow(20, 2);
    const dm = midx(deathDate.slice(0, 7));
    hh.members[0]!.status = 'DEAD';
    hh.enrolment.status = 'ENDED';
    hh.enrolment.endDate = lastDay(ymOf(dm));
    fillPayments(hh, undefined, dm);
    deaths.push({ name: hh.members[0]!.name, idNumber: hh.members[0]!.idNumber, deathDate, source: pick(deathSources) });
  }
  for (let n = count(6, 2); n > 0; n--) {
    const i = draw((h) => isDibao(h) && h.members.length >= 2);
    if (i === undefined) break;
    const hh = households[i]!;
    const deathDate = inWindow(20, 2);
    const dm = midx(deathDate.slice(0, 7));
    const dead = hh.members[1]!;
    dead.status = 'DEAD';
    const full = hh.enrolment.monthlyAmount;
    const reduced = round10((full * (hh.members.length - 1)) / hh.members.length);
    hh.enrolment.monthlyAmount = reduced;
    fillPayments(hh, (ym) => (midx(ym) > dm ? reduced : full));
    deaths.push({ name: dead.name, idNumber: dead.idNumber, deathDate, source: pick(deathSources) });
  }
  for (let n = count(30, 3); n > 0; n--) {
    const p = person(chance(0.5), 1930, 1960);
    deaths.push({ ...p, deathDate: inWindow(23, 0), source: pick(deathSources) });
  }
  // Custody lists: people not on the roster, and a member released long before the ledger.
  for (let n = count(20, 2); n > 0; n--) {
    const p = person(chance(0.15), 1970, 2000);
    const custodyDate = inWindow(23, 1);
    prisons.push({ ...p, custodyDate, releaseDate: chance(0.3) ? addCalendarDays(custodyDate, int(90, 400)) : null, source: '司法局社区矫正/监狱通报' });
  }
  {
    const i = draw((h) => isDibao(h) && h.members.length >= 2);
    if (i !== undefined) {
      const m = households[i]!.members[0]!;
      prisons.push({ name: m.name, idNumber: m.idNumber, custodyDate: '2014-03-18', releaseDate: '2016-09-30', source: '司法局社区矫正/监狱通报' });
    }
  }

  // ── Planted: paid after death (single-member households; the death review is overdue too) ───────────
  for (let n = count(4, 2), k = 0; n > 0; n--, k++) {
    const tekun = k % 2 === 1;
    const i = draw((h) => h.members.length === 1 && (tekun ? h.enrolment.kind === 'TEKUN_DISPERSED' : isDibao(h)));
    if (i === undefined) continue;
    const hh = households[i]!;
    const m = hh.members[0]!;
    const deathDate = inWindow(9, 5);
    const dm = midx(deathDate.slice(0, 7));
    deaths.push({ name: m.name, idNumber: m.idNumber, deathDate, source: pick(deathSources) });
    for (const p of hh.payments) {
      if (midx(p.period) + coverOf(hh.enrolment.kind) - 1 > dm) {
        expected.paid_after_death.push(findingKey('paid_after_death', m.idNumber, p.period, enrolmentKeyPart(hh.enrolment.kind, m.idNumber)));
      }
    }
    expected.death_review_overdue.push(findingKey('death_review_overdue', m.idNumber));
  }
  // ── Planted: paid in custody (single-member 低保 households, still in custody) ─────────────────────
  for (let n = count(3, 2); n > 0; n--) {
    const i = draw((h) => h.members.length === 1 && isDibao(h));
    if (i === undefined) continue;
    const hh = households[i]!;
    const m = hh.members[0]!;
    const custodyDate = inWindow(10, 3);
    const cm = midx(custodyDate.slice(0, 7));
    prisons.push({ name: m.name, idNumber: m.idNumber, custodyDate, releaseDate: null, source: '公安看守所羁押通报' });
    for (const p of hh.payments) {
      if (midx(p.period) > cm) expected.paid_in_prison.push(findingKey('paid_in_prison', m.idNumber, p.period, enrolmentKeyPart(hh.enrolment.kind, m.idNumber)));
    }
  }
  const paymentKey = (kind: PlantedKind, hh: GenHousehold, p: GenPayment) => findingKey(kind, hh.members[0]!.idNumber, p.period, hh.enrolment.kind);
  const pickPayment = (hh: GenHousehold) => hh.payments[int(0, Math.max(0, hh.payments.length - 3))]!;
  // ── Planted: paid late (after the 10th), short, to the wrong payee ──────────────────────────
  for (let n = count(6, 2); n > 0; n--) {
    const i = draw((h) => isDibao(h) && h.payments.length > 3);
    if (i === undefined) continue;
    const hh = households[i]!;
    const p = pickPayment(hh);
    p.paidDate = addCalendarDays(p.dueDate, int(3, 15));
    expected.payment_late.push(paymentKey('payment_late', hh, p));
  }
  for (let n = count(6, 2); n > 0; n--) {
    const i = draw((h) => isDibao(h) && h.payments.length > 3);
    if (i === undefined) continue;
    const hh = households[i]!;
    const p = pickPayment(hh);
    p.amountPaid = p.amountDue - pick([50, 100, 120, 200]);
    expected.payment_short.push(paymentKey('payment_short', hh, p));
  }
  for (let n = count(4, 2), k = 0; n > 0; n--, k++) {
    const centralized = k % 2 === 1;
    const i = draw((h) => (centralized ? h.enrolment.kind === 'TEKUN_CENTRALIZED' : isDibao(h)) && h.payments.length > 3);
    if (i === undefined) continue;
    const hh = households[i]!;
    const p = pickPayment(hh);
    if (centralized) {
      // The institution's money paid to the person's own account.
      p.payeeKind = 'HOUSEHOLD';
      p.payeeName = hh.members[0]!.name;
      p.accountMasked = account();
    } else {
      // Paid to a village cadre's account.
      const cadre = staff.find((s) => s.at.level === 'VILLAGE' && s.at.t === hh.t && s.at.v === hh.v)!;
      p.payeeKind = 'OTHER';
      p.payeeName = cadre.name;
      p.accountMasked = account();
    }
    expected.payment_wrong_payee.push(paymentKey('payment_wrong_payee', hh, p));
  }

  // ── Declared relatives: every village cadre's spouse; approved filings; undeclared ones (planted) ────────
  const relatives: GenDemoCounty['relatives'] = [];
  staff.forEach((s, si) => {
    if (s.role !== 'VILLAGE_COMMITTEE' && s.role !== 'TOWNSHIP_CASEWORKER') return;
    const spouse = person(chance(0.5), 1966, 1996);
    relatives.push({ staff: si, relativeName: spouse.name, relativeIdNumber: spouse.idNumber, relation: '配偶', filing: false });
  });
  const cadreOf = (hh: GenHousehold) => staff.findIndex((s) => s.role === 'VILLAGE_COMMITTEE' && s.at.level === 'VILLAGE' && s.at.t === hh.t && s.at.v === hh.v);
  for (let n = count(3, 1); n > 0; n--) {
    const i = draw((h) => isDibao(h));
    if (i === undefined) continue;
    const hh = households[i]!;
    const m = hh.members[0]!;
    relatives.push({ staff: cadreOf(hh), relativeName: m.name, relativeIdNumber: m.idNumber, relation: '兄弟姐妹', filing: true });
  }
  for (let n = count(3, 2); n > 0; n--) {
    const i = draw((h) => isDibao(h));
    if (i === undefined) continue;
    const hh = households[i]!;
    const m = hh.members[0]!;
    const si = cadreOf(hh);
    relatives.push({ staff: si, relativeName: m.name, relativeIdNumber: m.idNumber, relation: pick(['兄弟姐妹', '父母', '子女']), filing: false });
    expected.undeclared_near_relative.push(findingKey('undeclared_near_relative', m.idNumber, null, staffKeyPart(staff[si]!.idNumber)));
  }

  // ── Monitored persons (重残): some already covered by an enrolment, some not (to follow up) ──────────
  const monitored: GenDemoCounty['monitored'] = [];
  const recent = (): LocalDate => addCalendarDays(today, -int(10, 150));
  for (let n = count(40, 4); n > 0; n--) {
    const covered = chance(0.5);
    const kind = pick(DISABILITY_KINDS);
    const grade = kind === '智力' || kind === '精神' ? int(1, 3) : int(1, 2);
    const identifiedAt = recent();
    if (covered) {
      const hh = pick(households);
      const m = pick(hh.members.filter((x) => x.status === 'ALIVE').length ? hh.members.filter((x) => x.status === 'ALIVE') : hh.members);
      if (monitored.some((x) => x.idNumber === m.idNumber)) continue;
      monitored.push({ t: hh.t, v: hh.v, name: m.name, idNumber: m.idNumber, disabilityKind: kind, disabilityGrade: grade, identifiedAt, source: pick(['残联', '防返贫监测']), measure: '已纳入低保（单人户施保）', measureDate: addCalendarDays(identifiedAt, int(3, 9)) });
    } else {
      const p = person(chance(0.5), 1950, 2010);
      monitored.push({ t: int(0, townships.length - 1), v: 0, ...p, disabilityKind: kind, disabilityGrade: grade, identifiedAt, source: pick(['残联', '防返贫监测']), measure: null, measureDate: null });
      const last = monitored[monitored.length - 1]!;
      last.v = int(0, townships[last.t]!.villages.length - 1);
    }
  }

  // ── Applications under review: new applicants (not on the roster), accepted in the last few days, each
  // in a township of its own (城市低保 in a 镇's 社区, the others in a village). The first is the sibling
  // of a cadre of the applicant's village, declared but without a filing: the matcher reports it and
  // the review may not be confirmed before an approved filing and a county home visit. Drawn last, so
  // everything above is the same as without them.
  const applications: GenApplication[] = [];
  const freeTownships = f.helpers.shuffle(townships.map((_, ti) => ti));
  for (const plan of APPLICATION_PLAN) {
    const urban = plan.kind === 'URBAN_DIBAO';
    const at = freeTownships.findIndex((ti) => townships[ti]!.villages.some((v) => v.endsWith('社区') === urban));
    if (at < 0) continue;
    const t = freeTownships.splice(at, 1)[0]!;
    const vs = townships[t]!.villages.flatMap((v, vi) => (v.endsWith('社区') === urban ? [vi] : []));
    const v = pick(vs);
    const tekun = plan.kind === 'TEKUN_DISPERSED' || plan.kind === 'TEKUN_CENTRALIZED';
    const householdSize = tekun ? 1 : int(1, 4);
    const p = tekun ? person(chance(0.5), 1940, 1965) : person(chance(0.5), 1960, 1995);
    const monthlyAmount = tekun ? round10(int(880, 1100)) : (urban ? round10(int(600, 720)) : round10(int(420, 560))) * householdSize;
    let relative: number | null = null;
    if (plan.nearRelative) {
      const si = staff.findIndex((s) => s.role === 'VILLAGE_COMMITTEE' && s.at.level === 'VILLAGE' && s.at.t === t && s.at.v === v);
      relatives.push({ staff: si, relativeName: p.name, relativeIdNumber: p.idNumber, relation: '兄弟姐妹', filing: false });
      relative = relatives.length - 1;
      expected.undeclared_near_relative.push(findingKey('undeclared_near_relative', p.idNumber, null, staffKeyPart(staff[si]!.idNumber)));
    }
    applications.push({ t, v, ...p, kind: plan.kind, householdSize, monthlyAmount, acceptedAt: addCalendarDays(today, -int(1, 4)), relative });
  }

  return {
    preset: opts.preset,
    seed,
    scale,
    today,
    policy,
    countyName,
    townships,
    institutions,
    staff,
    households,
    deaths,
    prisons,
    relatives,
    monitored,
    applications,
    ledger,
    expected,
  };
}

export { firstDay, lastDay };
