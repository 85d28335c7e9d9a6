/**
 * 所属单位 in the staff list: which region a unit name stands for. Names are
 * written many ways ("丹朱镇", "丹朱镇人民政府", "东关村委会", "东关村村民委员会",
 * "社会救助股"); these helpers give the bare region names to look up, and tell a
 * township-like or bureau-like name from anything else. Pure.
 */

const SUFFIXES: readonly { suffix: string; add?: string }[] = [
  { suffix: '人民政府' },
  { suffix: '政府' },
  { suffix: '便民服务中心' },
  { suffix: '服务中心' },
  { suffix: '民政办公室' },
  { suffix: '民政办' },
  { suffix: '民政所' },
  { suffix: '社会事务办公室' },
  { suffix: '社会事务办' },
  { suffix: '党委' },
  { suffix: '办事处' },
  { suffix: '村民委员会', add: '村' },
  { suffix: '村委会', add: '村' },
  { suffix: '居民委员会', add: '社区' },
  { suffix: '居委会', add: '社区' },
  { suffix: '党支部' },
  { suffix: '委员会' },
];

export function normalizeUnit(unit: string): string {
  return unit.normalize('NFKC').replace(/\s+/g, '');
}

/** The unit itself, then the names left after removing a known suffix (most specific first). */
export function unitCandidates(unit: string): string[] {
  const u = normalizeUnit(unit);
  const out = [u];
  for (const { suffix, add } of SUFFIXES) {
    if (u.length > suffix.length && u.endsWith(suffix)) {
      const base = u.slice(0, -suffix.length);
      if (add && !base.endsWith(add)) out.push(base + add);
      out.push(base);
    }
  }
  return [...new Set(out)];
}

/** 镇、乡、街道 (after suffixes are removed). */
export function looksLikeTownship(name: string): boolean {
  return /^[\u3400-\u9fff]{1,12}(镇|乡|街道)$/.test(name) && !looksLikeBureau(name);
}

/** A county bureau unit: 社会救助股、民政局、专班、纪检监察组 …; such staff belong to the county. */
export function looksLikeBureau(name: string): boolean {
  return /(股|局|专班|纪检|纪委|监委|监察|办公室|领导小组|工作组)/.test(normalizeUnit(name));
}

/** "丹朱镇东关村" / "丹朱镇/东关村" → the rest after a known township name, or undefined. */
export function splitTownshipPrefix(unit: string, township: string): string | undefined {
  const u = normalizeUnit(unit);
  if (!u.startsWith(township) || u.length === township.length) return undefined;
  const rest = u.slice(township.length).replace(/^[/／\\\-—·、,，]+/, '');
  return rest === '' ? undefined : rest;
}
