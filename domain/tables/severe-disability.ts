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
