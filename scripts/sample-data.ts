// Synthetic, coherent sample data for every kind of import: staff, a roster of 30 households in one
// county, 24 months of payments (2023-01 … 2024-12), deaths, prison records and near-relative
// declarations, with a few problems planted for `jiuzhu match` to find (listed in `planted`).
// Deterministic by default (fixed ID numbers with valid check digits); tests pass their own ID factory,
// county and institution names so that they never collide in a shared database.
import fs from 'node:fs';
import { createRequire } from 'node:module';

import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';

import { computeCheckDigit } from '../domain/identity/id-number.js';
import { createRandom } from '../domain/random.js';
import type { ImportKind } from '../domain/import/types.js';

export type SampleCell = string | number | Date | null;

export interface SampleTable {
  header: string[];
  rows: SampleCell[][];
}

export interface SampleOptions {
  /** A valid 18-digit ID for a person born on `birth` (YYYYMMDD). Default: deterministic, area 140428 (长子县). */
  id?: (birth: string, female: boolean) => string;
  county?: string;
  institution?: string;
}

export interface PlantedProblem {
  kind: string;
  description: string;
  /** Head of the household concerned (or the staff member). */
  idNumber: string;
}

export interface SampleSet {
  county: string;
  institution: string;
  tables: Record<ImportKind, SampleTable>;
  planted: PlantedProblem[];
}

/** Deterministic ID numbers: area 140428, the given birth date, a running sequence, the check digit. */
export function sequentialIds(area = '140428'): (birth: string, female: boolean) => string {
  let seq = 100;
  return (birth, female) => {
    seq += 1;
    if ((seq % 2 === 0) !== female) seq += 1; // odd = male, even = female
    const body = `${area}${birth}${String(seq % 1000).padStart(3, '0')}`;
    return body + computeCheckDigit(body);
  };
}

const SURNAMES = '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢唐于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文';
const MALE = ['建国', '志强', '德华', '春生', '国强', '文杰', '保平', '振华', '永福', '晓东', '明亮', '海军', '红旗', '长青', '宝山', '铁柱', '满仓', '俊峰'];
const FEMALE = ['秀英', '桂兰', '玉梅', '淑珍', '红霞', '丽娟', '金花', '海燕', '翠兰', '小红', '春梅', '凤英', '爱莲', '彩霞', '美玲', '巧云'];

const VILLAGES: { township: string; village: string; urban: boolean }[] = [
  { township: '丹朱镇', village: '东关社区', urban: true },
  { township: '丹朱镇', village: '西关社区', urban: true },
  { township: '鲍店镇', village: '鲍店村', urban: false },
  { township: '鲍店镇', village: '河头村', urban: false },
  { township: '石哲镇', village: '石哲村', urban: false },
  { township: '石哲镇', village: '房头村', urban: false },
];

const URBAN_PER_PERSON = 680;
const RURAL_PER_PERSON = 520;
const TEKUN_DISPERSED_MONTHLY = 1100;
const TEKUN_CENTRALIZED_MONTHLY = 1300;

type Kind = '城市低保' | '农村低保' | '分散特困' | '集中特困';

interface Person {
  name: string;
  id: string;
  relation: string;
  status: string;
}

interface Household {
  key: string;
  township: string;
  village: string;
  members: Person[];
  enrolments: { kind: Kind; amount: number; start: string; institution?: string }[];
  account: string;
}

function months(from: string, to: string): string[] {
  const out: string[] = [];
  let y = Number(from.slice(0, 4));
  let m = Number(from.slice(5, 7));
  while (`${y}-${String(m).padStart(2, '0')}` <= to) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

export function buildSamples(opts: SampleOptions = {}): SampleSet {
  const id = opts.id ?? sequentialIds();
  const county = opts.county ?? '长子县';
  const institution = opts.institution ?? '长子县中心敬老院';
  const rnd = createRandom(20241001); // the same sequence on every run
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const usedNames = new Set<string>();
  const personName = (female: boolean, surname?: string): string => {
    for (;;) {
      const n = (surname ?? pick([...SURNAMES])) + pick(female ? FEMALE : MALE);
      if (!usedNames.has(n)) {
        usedNames.add(n);
        return n;
      }
    }
  };
  const birth = (fromYear: number, toYear: number) => {
    const y = fromYear + Math.floor(rnd() * (toYear - fromYear + 1));
    const m = 1 + Math.floor(rnd() * 12);
    const d = 1 + Math.floor(rnd() * 28);
    return `${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`;
  };
  const account = () => '6217' + Array.from({ length: 15 }, () => Math.floor(rnd() * 10)).join('');

  // ---------------------------------------------------------------- staff
  const staffSpec: { name: string; female: boolean; role: string; unit: string; township?: string; village?: string }[] = [
    { name: '王建军', female: false, role: '股室负责人', unit: '社会救助股' },
    { name: '李红梅', female: true, role: '股室经办人', unit: '社会救助股' },
    { name: '张志刚', female: false, role: '专班组长/副组长', unit: `${county}民政局` },
    { name: '赵丽', female: true, role: '专班办公室', unit: '社会救助股' },
    { name: '刘强', female: false, role: '纪检联络', unit: '驻局纪检监察组' },
    { name: '陈静', female: true, role: '管理员', unit: '社会救助股' },
    { name: '孙伟', female: false, role: '乡镇负责人', unit: '丹朱镇人民政府', township: '丹朱镇' },
    { name: '周敏', female: true, role: '乡镇经办人', unit: '丹朱镇便民服务中心', township: '丹朱镇' },
    { name: '吴磊', female: false, role: '乡镇经办人', unit: '鲍店镇人民政府', township: '鲍店镇' },
    { name: '郑芳', female: true, role: '乡镇经办人', unit: '石哲镇人民政府', township: '石哲镇' },
    { name: '冯海', female: false, role: '村(居)委会成员', unit: '东关社区居民委员会', township: '丹朱镇', village: '东关社区' },
    { name: '韩梅', female: true, role: '村(居)委会成员', unit: '河头村村民委员会', township: '鲍店镇', village: '河头村' },
    { name: '杨光', female: false, role: '村(居)委会成员', unit: '房头村村民委员会', township: '石哲镇', village: '房头村' },
  ];
  const staff = staffSpec.map((s, i) => {
    usedNames.add(s.name);
    return { ...s, id: id(birth(1968, 1992), s.female), phone: `139${String(35460000 + i * 1371).padStart(8, '0')}` };
  });
  const staffByName = (n: string) => staff.find((s) => s.name === n)!;

  // ---------------------------------------------------------------- households
  const households: Household[] = [];
  const planted: PlantedProblem[] = [];
  VILLAGES.forEach((v, vi) => {
    for (let k = 0; k < 4; k++) {
      const size = 1 + ((vi + k) % 4);
      const headFemale = rnd() < 0.35;
      const surname = pick([...SURNAMES]);
      const head: Person = { name: personName(headFemale, surname), id: id(birth(1940, 1975), headFemale), relation: '本人', status: '正常' };
      const members: Person[] = [head];
      if (size >= 2) members.push({ name: personName(!headFemale), id: id(birth(1940, 1975), !headFemale), relation: '配偶', status: '正常' });
      for (let c = 2; c < size; c++) {
        const f = rnd() < 0.5;
        members.push({ name: personName(f, surname), id: id(birth(1995, 2015), f), relation: '子女', status: '正常' });
      }
      const perPerson = v.urban ? URBAN_PER_PERSON : RURAL_PER_PERSON;
      const start = `${2018 + ((vi + k) % 5)}-${String(1 + ((vi * 4 + k) % 12)).padStart(2, '0')}-01`;
      households.push({
        key: `${v.village}#${k}`,
        township: v.township,
        village: v.village,
        members,
        enrolments: [{ kind: v.urban ? '城市低保' : '农村低保', amount: perPerson * size, start }],
        account: account(),
      });
    }
  });
  // 分散特困: one single elderly person in each rural village.
  VILLAGES.filter((v) => !v.urban).forEach((v, i) => {
    const f = i % 2 === 1;
    households.push({
      key: `${v.village}#特困`,
      township: v.township,
      village: v.village,
      members: [{ name: personName(f), id: id(birth(1935, 1950), f), relation: '本人', status: '正常' }],
      enrolments: [{ kind: '分散特困', amount: TEKUN_DISPERSED_MONTHLY, start: `201${5 + i}-07-01` }],
      account: account(),
    });
  });
  // 集中特困: two residents of the county home for the aged.
  for (const v of [VILLAGES[1]!, VILLAGES[4]!]) {
    households.push({
      key: `${v.village}#集中`,
      township: v.township,
      village: v.village,
      members: [{ name: personName(false), id: id(birth(1932, 1948), false), relation: '本人', status: '正常' }],
      enrolments: [{ kind: '集中特困', amount: TEKUN_CENTRALIZED_MONTHLY, start: '2016-03-01', institution }],
      account: account(),
    });
  }
  const hh = (key: string) => households.find((h) => h.key === key)!;

  // ---------------------------------------------------------------- planted problems (roster side)
  // A staff relative enrolled: 冯海 (东关社区 committee member) is the son of the head of 东关社区#0.
  const relativeHome = hh('东关社区#0');
  usedNames.delete(relativeHome.members[0]!.name);
  relativeHome.members[0] = { ...relativeHome.members[0]!, name: '冯秀英', id: id('19480312', true), relation: '本人' };
  planted.push({ kind: 'undeclared_near_relative', description: '东关社区：户主冯秀英是社区居委会成员冯海的母亲（已申报近亲属，未见近亲属备案）', idNumber: relativeHome.members[0].id });

  // The same person in two households: a child of 鲍店村#1 is also the head of 河头村#1.
  const twice = hh('鲍店村#1').members.find((m) => m.relation === '子女')!;
  const other = hh('河头村#1');
  other.members = [{ ...twice, relation: '本人' }];
  other.enrolments[0]!.amount = RURAL_PER_PERSON;
  planted.push({ kind: 'duplicate_enrolment', description: `同一人同时在鲍店村和河头村两户中享受农村低保（鲍店村一户的子女又是河头村一户的户主）`, idNumber: twice.id });

  // One household in two kinds: the 分散特困 person of 房头村 also receives 农村低保.
  const dual = hh('房头村#特困');
  dual.enrolments.push({ kind: '农村低保', amount: RURAL_PER_PERSON, start: '2022-09-01' });
  planted.push({ kind: 'duplicate_enrolment', description: '房头村：同一户同时享受分散特困和农村低保', idNumber: dual.members[0]!.id });

  // A death already known to the roster (status 死亡) in a two-person household; payments were reduced.
  const knownDeath = hh('石哲村#1');
  knownDeath.members[1] = { ...knownDeath.members[1]!, status: '死亡' };

  // ---------------------------------------------------------------- deaths and prison
  const deathHousehold = hh('鲍店村#2'); // one person
  const deathHead = deathHousehold.members[0]!;
  const deathSpouseHousehold = hh('西关社区#2');
  const deadSpouse = deathSpouseHousehold.members[1]!;
  const outsider = { name: personName(false), id: id('19391105', false) };
  const deaths: SampleCell[][] = [
    [deathHead.name, deathHead.id, '2024-03-15', '县公安局户籍注销'],
    [deadSpouse.name, deadSpouse.id, '2024-06-02', '殡葬管理所火化记录'],
    [knownDeath.members[1]!.name, knownDeath.members[1]!.id, '2023-09-10', '村委会报告'],
    [outsider.name, outsider.id, '2024-01-20', '县公安局户籍注销'],
  ];
  planted.push({ kind: 'paid_after_death', description: `鲍店村：户主${deathHead.name}于2024-03-15死亡，此后仍按月发放低保金至2024-12`, idNumber: deathHead.id });
  planted.push({ kind: 'death_review_overdue', description: `西关社区：成员${deadSpouse.name}于2024-06-02死亡，3个月内未调整保障金额`, idNumber: deathSpouseHousehold.members[0]!.id });

  const prisonTekun = hh('河头村#特困').members[0]!;
  const prisonSon = hh('石哲村#3').members.find((m) => m.relation === '子女')!;
  const outsider2 = { name: personName(false), id: id('19850716', false) };
  const prison: SampleCell[][] = [
    [prisonTekun.name, prisonTekun.id, '2024-02-20', null, '县司法局'],
    [prisonSon.name, prisonSon.id, '2023-11-08', '2024-08-30', '县公安局看守所'],
    [outsider2.name, outsider2.id, '2022-05-09', '2023-05-08', '县司法局'],
  ];
  planted.push({ kind: 'paid_in_prison', description: `河头村：分散特困人员${prisonTekun.name}自2024-02-20服刑，此后仍按季度发放供养金`, idNumber: prisonTekun.id });
  planted.push({ kind: 'paid_in_prison', description: `石哲村：成员${prisonSon.name}于2023-11-08至2024-08-30服刑，期间该户保障金额未调整`, idNumber: hh('石哲村#3').members[0]!.id });

  // ---------------------------------------------------------------- payments
  const ALL = months('2023-01', '2024-12');
  const payments: SampleCell[][] = [];
  const paidOn = (month: string, day: number) => `${month}-${String(day).padStart(2, '0')}`;
  const late: Record<string, number> = { '2024-05': 17, '2024-06': 21, '2024-07': 15 };
  const lateHh = hh('西关社区#1');
  const shortHh = hh('房头村#2');
  const wrongHh = hh('东关社区#2');
  const missingHh = hh('鲍店村#0');
  const backpayHh = hh('河头村#2');
  const cadre = staffByName('冯海');
  const cadreAccount = account();
  planted.push({ kind: 'payment_late', description: '西关社区：2024年5、6、7月低保金分别于17日、21日、15日发放（应在10日前）', idNumber: lateHh.members[0]!.id });
  planted.push({ kind: 'payment_short', description: '房头村：2024年7、8月实发少于应发', idNumber: shortHh.members[0]!.id });
  planted.push({ kind: 'payment_wrong_payee', description: '东关社区：2024年6–9月低保金打入社区居委会成员冯海的账户', idNumber: wrongHh.members[0]!.id });
  planted.push({ kind: 'payment_missing', description: '鲍店村：2024年8、9月没有发放记录，10月未发放', idNumber: missingHh.members[0]!.id });
  const centralized = hh('西关社区#集中');
  planted.push({ kind: 'payment_wrong_payee', description: '西关社区：集中特困2024年第三季度供养金发给了本户而不是供养机构', idNumber: centralized.members[0]!.id });
  const lateTekun = hh('石哲村#特困');
  planted.push({ kind: 'payment_late', description: '石哲村：分散特困2024年第二季度供养金于2024-04-25发放（应在4月10日前）', idNumber: lateTekun.members[0]!.id });
  const institutionAccount = account();

  for (const h of households) {
    const head = h.members[0]!;
    for (const e of h.enrolments) {
      const quarterly = e.kind === '分散特困' || e.kind === '集中特困';
      const list = ALL.filter((m) => m >= e.start.slice(0, 7) && (!quarterly || ['01', '04', '07', '10'].includes(m.slice(5))));
      for (const m of list) {
        const due = quarterly ? e.amount * 3 : e.amount;
        let paid: number | null = due;
        let date: string | null = paidOn(m, 3 + Math.floor(rnd() * 7));
        let payee = e.kind === '集中特困' ? institution : '本户';
        let acct = e.kind === '集中特困' ? institutionAccount : h.account;
        if (h === missingHh && (m === '2024-08' || m === '2024-09')) continue;
        if (h === missingHh && m === '2024-10') {
          paid = 0;
          date = null;
        }
        if (h === lateHh && late[m]) date = paidOn(m, late[m]);
        if (h === shortHh && (m === '2024-07' || m === '2024-08')) paid = due - 240;
        if (h === wrongHh && m >= '2024-06' && m <= '2024-09') {
          payee = cadre.name;
          acct = cadreAccount;
        }
        if (h === backpayHh && m === '2024-01') {
          paid = 0;
          date = null;
        }
        if (h === backpayHh && m === '2024-02') paid = due * 2; // 补发一月: 实发 > 应发 is allowed
        if (h === centralized && m === '2024-07') {
          payee = '本户';
          acct = h.account;
        }
        if (h === lateTekun && m === '2024-04') date = '2024-04-25';
        payments.push([head.id, head.name, e.kind, m, due, paid, date, payee, acct]);
      }
    }
  }

  // ---------------------------------------------------------------- relatives
  const spouseOfZhou = { name: personName(false), id: id('19800621', false) };
  const brotherOfHan = { name: personName(false, '韩'), id: id('19750403', false) };
  const fatherOfSun = { name: personName(false, '孙'), id: id('19500917', false) };
  const relatives: SampleCell[][] = [
    [cadre.name, cadre.id, cadre.role, '冯秀英', relativeHome.members[0]!.id, '母亲'],
    ['周敏', staffByName('周敏').id, '乡镇经办人', spouseOfZhou.name, spouseOfZhou.id, '配偶'],
    ['韩梅', staffByName('韩梅').id, '村(居)委会成员', brotherOfHan.name, brotherOfHan.id, '哥哥'],
    ['孙伟', staffByName('孙伟').id, '乡镇负责人', fatherOfSun.name, fatherOfSun.id, '父亲'],
  ];

  // ---------------------------------------------------------------- roster rows
  const roster: SampleCell[][] = [];
  for (const h of households) {
    const head = h.members[0]!;
    for (const e of h.enrolments) {
      // 石哲村#1: the amount after the spouse's death in 2023-09 is for one person.
      const amount = h === knownDeath ? RURAL_PER_PERSON : e.amount;
      for (const m of h.members) {
        roster.push([h.township, h.village, head.name, head.id, m.name, m.id, m.relation, e.kind, e.institution ?? null, amount, e.start, m.status]);
      }
    }
  }
  // Payments of 石哲村#1 follow the reduction from 2023-10.
  for (const p of payments) {
    if (p[0] === knownDeath.members[0]!.id && String(p[3]) >= '2023-10') {
      p[4] = RURAL_PER_PERSON;
      p[5] = p[6] === null ? 0 : RURAL_PER_PERSON;
    }
  }

  // ---------------------------------------------------------------- monitored (附件4)
  // Made last, so the ID numbers and names above stay as they were.
  // 重残 = grade 1–2, or grade 3 智力/精神 (domain/tables/severe-disability.ts).
  const covered = households.find((h) => h.key === '河头村#2')!;
  const newcomer = (female: boolean, born: string) => ({ name: personName(female), id: id(born, female) });
  const m1 = newcomer(true, '19880512');
  const m2 = newcomer(false, '19670830');
  const m3 = newcomer(false, '19920217');
  const monitored: SampleCell[][] = [
    ['鲍店镇', '河头村', covered.members[0]!.name, covered.members[0]!.id, '肢体', '一级', '2024-04-08', '残联', '入户核实，已享受农村低保', '2024-04-20', null],
    ['丹朱镇', '西关社区', m1.name, m1.id, '智力', '三级', '2024-05-06', '残联', '指导申请低保（单人保）', '2024-05-10', '待乡镇审核'],
    ['石哲镇', '房头村', m2.name, m2.id, '视力', '三级', '2024-05-09', '防返贫监测', null, null, '非重残，不列入附件4'],
    ['石哲镇', null, m3.name, m3.id, '精神', '二级', '2024-05-12', '防返贫监测', null, null, null],
  ];

  // ---------------------------------------------------------------- applications (救助申请登记表)
  // Made after the monitored list, so every ID number above stays as it was.
  const a1 = newcomer(false, '19580703');
  const a2 = newcomer(true, '19751120');
  const a3 = newcomer(true, '19490215');
  const applications: SampleCell[][] = [
    ['丹朱镇', '东关社区', a1.name, a1.id, '城市低保', 2, '1360.00', '2024-06-03'],
    ['鲍店镇', '鲍店村', a2.name, a2.id, '农村低保', 3, '1560.00', '2024-06-11'],
    ['石哲镇', '石哲村', a3.name, a3.id, '分散特困', 1, '1100.00', '2024-06-18'],
  ];

  return {
    county,
    institution,
    planted,
    tables: {
      staff: {
        header: ['姓名', '身份证号', '手机号', '角色', '所属单位', '乡镇', '村(社区)'],
        rows: staff.map((s) => [s.name, s.id, s.phone, s.role, s.unit, s.township ?? null, s.village ?? null]),
      },
      roster: {
        header: ['乡镇', '村(社区)', '户主姓名', '户主身份证号', '成员姓名', '成员身份证号', '与户主关系', '救助类型', '供养机构', '月保障金额', '纳入日期', '状态'],
        rows: roster,
      },
      payments: {
        header: ['户主身份证号', '户主姓名', '救助类型', '发放月份', '应发金额', '实发金额', '发放日期', '收款方', '收款账号'],
        rows: payments,
      },
      deaths: { header: ['姓名', '身份证号', '死亡日期', '来源'], rows: deaths },
      prison: { header: ['姓名', '身份证号', '羁押(入狱)日期', '释放日期', '来源'], rows: prison },
      relatives: { header: ['工作人员姓名', '工作人员身份证号', '岗位', '亲属姓名', '亲属身份证号', '关系'], rows: relatives },
      monitored: {
        header: ['乡镇', '村(社区)', '姓名', '身份证号', '残疾类别', '残疾等级', '认定日期', '信息来源', '采取措施', '措施日期', '备注'],
        rows: monitored,
      },
      applications: {
        header: ['乡镇', '村(社区)', '申请人姓名', '申请人身份证号', '救助类型', '家庭人口', '申请金额', '受理日期'],
        rows: applications,
      },
    },
  };
}

// ---------------------------------------------------------------- writing files

function csvField(v: SampleCell): string {
  if (v === null) return '';
  const s = v instanceof Date ? v.toISOString().slice(0, 10) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function tableToCsv(t: SampleTable): string {
  return [t.header, ...t.rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

export type CsvEncoding = 'utf8' | 'utf8bom' | 'gb18030';

export function writeCsv(file: string, t: SampleTable, encoding: CsvEncoding): void {
  const text = tableToCsv(t);
  const bytes = encoding === 'gb18030' ? iconv.encode(text, 'gb18030') : Buffer.from((encoding === 'utf8bom' ? '\ufeff' : '') + text, 'utf8');
  fs.writeFileSync(file, bytes);
}

const DATE_HEADER = /日期/;

/** exceljs zips with jszip, which stamps every entry with the current time unless its defaults say otherwise. */
const jszip = createRequire(createRequire(import.meta.url).resolve('exceljs'))('jszip') as { defaults: { date: Date | null } };

/**
 * An xlsx with an optional title row above the header; ID numbers and accounts as text, amounts as
 * numbers, dates as real Excel dates. Deterministic bytes (fixed creation times), so the file's hash
 * does not change between runs.
 */
export async function writeXlsx(file: string, t: SampleTable, options: { title?: string; sheet?: string } = {}): Promise<void> {
  const wb = new ExcelJS.Workbook();
  const fixed = new Date(Date.UTC(2024, 9, 1));
  wb.creator = 'jiuzhu';
  wb.created = fixed;
  wb.modified = fixed;
  const ws = wb.addWorksheet(options.sheet ?? 'Sheet1');
  if (options.title) {
    ws.addRow([options.title]);
    ws.mergeCells(1, 1, 1, t.header.length);
  }
  ws.addRow(t.header).font = { bold: true };
  for (const r of t.rows) {
    ws.addRow(
      r.map((v, i) => {
        if (v !== null && DATE_HEADER.test(t.header[i]!) && typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) {
          return new Date(`${v}T00:00:00Z`);
        }
        return v;
      }),
    );
  }
  t.header.forEach((h, i) => {
    const column = ws.getColumn(i + 1);
    column.width = Math.max(10, h.length * 2 + 4, /身份证|账号/.test(h) ? 22 : 0);
    if (DATE_HEADER.test(h)) column.numFmt = 'yyyy-mm-dd';
    if (/身份证|账号|手机/.test(h)) column.numFmt = '@';
  });
  const before = jszip.defaults.date;
  jszip.defaults.date = fixed;
  try {
    await wb.xlsx.writeFile(file);
  } finally {
    jszip.defaults.date = before;
  }
}

/** The shipped sample files: which kind, which file, which format. */
export const SAMPLE_FILES: { kind: ImportKind; file: string; format: 'xlsx' | CsvEncoding; title?: string }[] = [
  { kind: 'staff', file: 'staff.xlsx', format: 'xlsx', title: '长子县困难群众救助领域专项整治工作人员名单' },
  { kind: 'roster', file: 'roster.csv', format: 'gb18030' },
  { kind: 'payments', file: 'payments.csv', format: 'utf8bom' },
  { kind: 'deaths', file: 'deaths.csv', format: 'gb18030' },
  { kind: 'prison', file: 'prison.xlsx', format: 'xlsx' },
  { kind: 'relatives', file: 'relatives.csv', format: 'utf8' },
  { kind: 'monitored', file: 'monitored.xlsx', format: 'xlsx', title: '长子县2024年新增监测对象（重残人员）名单' },
  { kind: 'applications', file: 'applications.csv', format: 'utf8' },
];

/** Writes every sample file of a set into a folder; returns the paths by kind. */
export async function writeSampleSet(dir: string, set: SampleSet): Promise<Record<ImportKind, string>> {
  fs.mkdirSync(dir, { recursive: true });
  const out = {} as Record<ImportKind, string>;
  for (const f of SAMPLE_FILES) {
    const file = `${dir}/${f.file}`;
    const table = set.tables[f.kind];
    if (f.format === 'xlsx') await writeXlsx(file, table, { title: f.title?.replace('长子县', set.county) });
    else writeCsv(file, table, f.format);
    out[f.kind] = file;
  }
  return out;
}
