/**
 * 重残人员 (domain.md §1.9, attachment 4): disability grade 1 or 2 (一级、二级)
 * of any kind, or grade 3 (三级) of the intellectual (智力) or mental (精神)
 * kind. Only these monitored persons belong in table 4.
 */

export const DISABILITY_KINDS = ['肢体', '视力', '听力', '言语', '智力', '精神', '多重'] as const;
export type DisabilityKind = (typeof DISABILITY_KINDS)[number];

export function isSevereDisability(kind: string, grade: number): boolean {
  if (!Number.isInteger(grade)) return false;
  if (grade === 1 || grade === 2) return true;
  return grade === 3 && (kind === '智力' || kind === '精神');
}

const GRADE_ZH = ['', '一级', '二级', '三级', '四级'];

/** '智力三级'. */
export function disabilityLabel(kind: string, grade: number): string {
  return `${kind}${GRADE_ZH[grade] ?? `${grade}级`}`;
}

/** 已纳入保障情况 of table 4. */
export type Coverage = '特困' | '单人保' | '低保' | '未纳入';

/**
 * What a person already receives, from their active enrolments (the kind and
 * the size of the household enrolled): 特困 first; 低保 of a household of one
 * is 单人保 (单人户施保, the usual way a 重残 person is covered apart from the
 * family); else 低保; none: 未纳入.
 */
export function coverageOf(enrolments: ReadonlyArray<{ kind: string; householdSize: number }>): Coverage {
  if (enrolments.some((e) => e.kind.startsWith('TEKUN'))) return '特困';
  const dibao = enrolments.filter((e) => e.kind.endsWith('DIBAO'));
  if (dibao.some((e) => e.householdSize === 1)) return '单人保';
  return dibao.length ? '低保' : '未纳入';
}
