/**
 * The words county files use for 救助类型, 成员状态, 角色 and 亲属关系, mapped to
 * the enum values of the database schema. Matching ignores spaces, full-width
 * forms (NFKC) and the parentheses in "村(居)委会".
 */
import { RELATIONS, type Relation } from '../policy/schema.js';
import type { PaymentKind } from '../policy/schema.js';
import type { StaffRole } from '../roles.js';

export { STAFF_ROLE_LABELS, STAFF_ROLE_SHORT_LABELS, type StaffRole } from '../roles.js';

export type AssistanceKind = 'URBAN_DIBAO' | 'RURAL_DIBAO' | 'TEKUN_DISPERSED' | 'TEKUN_CENTRALIZED';
export type MemberStatus = 'ALIVE' | 'DEAD' | 'IN_PRISON';

/** Normal form of a vocabulary word: NFKC, no spaces, no parentheses. */
export function vocabKey(s: string): string {
  return s.normalize('NFKC').replace(/[\s()（）]/g, '');
}

/** Memoises a lookup by raw text (files repeat the same few words on every row). */
function memo<T>(fn: (text: string) => T): (text: string) => T {
  const cache = new Map<string, T>();
  return (text) => {
    let v = cache.get(text);
    if (v === undefined && !cache.has(text)) {
      v = fn(text);
      if (cache.size < 10_000) cache.set(text, v);
    }
    return v as T;
  };
}

function table<T extends string>(entries: Record<T, readonly string[]>): Map<string, T> {
  const map = new Map<string, T>();
  for (const [value, words] of Object.entries(entries) as [T, readonly string[]][]) {
    for (const w of words) map.set(vocabKey(w), value);
  }
  return map;
}

// ---------------------------------------------------------------- 救助类型

export const ASSISTANCE_KIND_LABELS: Record<AssistanceKind, string> = {
  URBAN_DIBAO: '城市低保',
  RURAL_DIBAO: '农村低保',
  TEKUN_DISPERSED: '分散特困',
  TEKUN_CENTRALIZED: '集中特困',
};

export const ASSISTANCE_KIND_WORDS: Record<AssistanceKind, readonly string[]> = {
  URBAN_DIBAO: ['城市低保', '城镇低保', '城市最低生活保障', '城镇最低生活保障', '城市居民最低生活保障', '城低保'],
  RURAL_DIBAO: ['农村低保', '农村最低生活保障', '农村居民最低生活保障', '农低保'],
  TEKUN_DISPERSED: ['分散特困', '分散供养特困', '分散供养特困人员', '特困分散供养', '特困(分散)', '分散供养'],
  TEKUN_CENTRALIZED: ['集中特困', '集中供养特困', '集中供养特困人员', '特困集中供养', '特困(集中)', '集中供养'],
};
const ASSISTANCE_KINDS = table(ASSISTANCE_KIND_WORDS);

export const parseAssistanceKind = memo((text: string): AssistanceKind | undefined => ASSISTANCE_KINDS.get(vocabKey(text)));

/** The payment schedule of the county policy that applies to a kind. */
export function paymentKindOf(kind: AssistanceKind): PaymentKind {
  switch (kind) {
    case 'URBAN_DIBAO':
    case 'RURAL_DIBAO':
      return 'dibao';
    case 'TEKUN_DISPERSED':
      return 'tekunDispersed';
    case 'TEKUN_CENTRALIZED':
      return 'tekunCentralized';
  }
}

// ---------------------------------------------------------------- 成员状态

export const MEMBER_STATUS_LABELS: Record<MemberStatus, string> = { ALIVE: '正常', DEAD: '死亡', IN_PRISON: '服刑' };

export const MEMBER_STATUS_WORDS: Record<MemberStatus, readonly string[]> = {
  ALIVE: ['正常', '在保', '健在', '在世', '正常享受'],
  DEAD: ['死亡', '已死亡', '去世', '已去世', '已故', '亡故', '身故'],
  IN_PRISON: ['服刑', '服刑中', '在押', '羁押', '在监', '服刑(在押)', '服刑在押', '监禁'],
};
const MEMBER_STATUSES = table(MEMBER_STATUS_WORDS);

/** Empty text means 正常. */
export const parseMemberStatus = memo((text: string): MemberStatus | undefined =>
  text === '' ? 'ALIVE' : MEMBER_STATUSES.get(vocabKey(text)),
);

// ---------------------------------------------------------------- 角色

export const STAFF_ROLE_WORDS: Record<StaffRole, readonly string[]> = {
  VILLAGE_COMMITTEE: ['村(居)委会成员', '村委会成员', '居委会成员', '村(居)委会', '村委会', '居委会', '村干部', '社区干部', '村两委成员', '村委委员', '村(居)干部'],
  TOWNSHIP_CASEWORKER: ['乡镇经办人', '乡镇经办', '乡镇民政经办人', '乡镇民政助理员', '民政助理员', '乡镇工作人员'],
  TOWNSHIP_HEAD: ['乡镇负责人', '乡镇分管领导', '乡镇领导', '乡镇主要负责人'],
  SECTION_CASEWORKER: ['股室经办人', '股室经办', '股室工作人员'],
  SECTION_HEAD: ['股室负责人', '股长', '股室长'],
  TASKFORCE_OFFICE: ['专班办公室', '专班办公室成员', '专班办'],
  TASKFORCE_LEADER: ['专班组长/副组长', '专班组长', '专班副组长', '组长', '副组长'],
  DISCIPLINE_LIAISON: ['纪检联络', '纪检联络员', '纪检监察联络员'],
  ADMIN: ['管理员', '系统管理员'],
};
const STAFF_ROLES = table(STAFF_ROLE_WORDS);

export const parseStaffRole = memo((text: string): StaffRole | undefined => STAFF_ROLES.get(vocabKey(text)));

// ---------------------------------------------------------------- 亲属关系

/** Everyday words for each relation of the policy (RELATIONS in domain/policy/schema.ts). */
export const RELATION_WORDS: Record<Relation, readonly string[]> = {
  spouse: ['配偶', '妻子', '丈夫', '夫妻', '爱人', '妻', '夫', '老婆', '老公'],
  parent: ['父母', '父亲', '母亲', '父', '母', '爸爸', '妈妈'],
  child: ['子女', '儿子', '女儿', '子', '女', '长子', '次子', '长女', '次女'],
  sibling: ['兄弟姐妹', '兄弟', '姐妹', '哥哥', '弟弟', '姐姐', '妹妹', '兄', '弟', '姐', '妹'],
  paternalGrandparent: ['祖父母', '祖父', '祖母', '爷爷', '奶奶'],
  maternalGrandparent: ['外祖父母', '外祖父', '外祖母', '外公', '外婆', '姥爷', '姥姥'],
  grandchildViaSon: ['孙子女', '孙子', '孙女'],
  grandchildViaDaughter: ['外孙子女', '外孙', '外孙女'],
  spouseParent: ['配偶的父母', '岳父', '岳母', '公公', '婆婆'],
  spouseSibling: ['配偶的兄弟姐妹', '大伯子', '小叔子', '大姑子', '小姑子', '内兄', '内弟', '大姨子', '小姨子'],
  childSpouse: ['子女的配偶', '儿媳', '儿媳妇', '女婿'],
  parentSibling: ['伯叔姑舅姨', '伯父', '伯伯', '叔叔', '叔父', '姑姑', '姑母', '舅舅', '舅父', '姨妈', '姨母'],
  siblingSpouse: ['兄弟姐妹的配偶', '嫂子', '弟媳', '姐夫', '妹夫'],
  niblings: ['侄子女、外甥子女', '侄子', '侄女', '外甥', '外甥女'],
  stepOrAdoptive: ['继父母、养父母、继子女、养子女', '继父', '继母', '养父', '养母', '继子', '继女', '养子', '养女'],
  guardian: ['监护人'],
};
const RELATION_TABLE = table(RELATION_WORDS);

export const parseRelation = memo((text: string): Relation | undefined => RELATION_TABLE.get(vocabKey(text)));

export function relationLabel(r: Relation): string {
  return RELATIONS[r];
}
