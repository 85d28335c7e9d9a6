// The import's fast paths (issue 15, loading) against the plain ones they stand for, property-tested:
// the cells parser (cells by column index, the previous row's text remembered) gives what the keyed
// row parser gives; yuanToCents' digit loop what the split gave; RosterFileChecks.firsts marks the
// first accepted line of each household, member and enrolment (what DISTINCT ON … ORDER BY line picked);
// RepeatedKeys never says "no repeat" when a key came twice.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  COLUMNS,
  createCellsParser,
  createRowParser,
  FIRST_ENROLMENT,
  FIRST_HOUSEHOLD,
  FIRST_MEMBER,
  IMPORT_KINDS,
  matchHeader,
  RepeatedKeys,
  RosterFileChecks,
  rowValues,
  yuanToCents,
  yuanToCentsSlow,
  type Cell,
  type RosterRow,
} from '../../domain/import/index.js';
import { computeCheckDigit } from '../../domain/identity/index.js';
import { DEFAULT_NEAR_RELATIONS } from '../../domain/policy/schema.js';

const ctx = { today: '2026-11-22', nearRelations: DEFAULT_NEAR_RELATIONS };

function id(n: number): string {
  const b = `14042819${String(60 + (n % 30)).padStart(2, '0')}0101${String(100 + n).slice(-3)}`;
  return b + computeCheckDigit(b);
}

/** Cell values a county file may hold for a field: valid ones, mistakes, blanks, Excel numbers and dates. */
function pool(field: string): Cell[] {
  const blanks: Cell[] = ['', null, undefined, '  '];
  if (/idnumber$/i.test(field)) return [id(1), id(2), id(3), id(1).toLowerCase(), '14042819600101123', '1.40428E+17', 140428196001011, ` ${id(2)} `, ...blanks];
  if (/date$|At$/.test(field)) return ['2024-01-05', '2024/1/5', '2024年1月5日', '20240105', '2024-02-30', '2030-01-01', '1899-01-01', 45000, new Date(Date.UTC(2024, 4, 8)), 'x', ...blanks];
  if (field === 'month') return ['2024-05', '2024/5', '2024年5月', '202405', '2024-13', '2024-05-08', 45413, new Date(Date.UTC(2024, 4, 1)), 'x', ...blanks];
  if (/amount|Amount/.test(field)) return ['520', '520.00', '1,200.50', '￥680', '680元', '0', '-1', '12.345', '12.340', 0, 520, 12.5, 'x', ...blanks];
  if (field === 'kind') return ['城市低保', '农村低保', '分散特困', '集中特困', '城镇低保', '低保户', ...blanks];
  if (field === 'status') return ['正常', '死亡', '服刑', '在保', '失踪', ...blanks];
  if (field === 'account') return ['6217000011112222333', '6217-0000-1111-2222', '123', 6217000011112, 1.2e18, ...blanks];
  if (field === 'relation') return ['本人', '配偶', '父亲', '妻子', '岳父', '同事', ...blanks];
  if (field === 'role') return ['村委会成员', '股室经办人', '乡镇负责人', '厨师', ...blanks];
  if (field === 'phone') return ['13800138000', '+86 138-0013-8000', '12345', ...blanks];
  if (field === 'disabilityKind') return ['肢体', '智力残疾', '精神残疾人', '其他', ...blanks];
  if (field === 'disabilityGrade') return ['一级', '2', '四级', '五级', ...blanks];
  if (field === 'householdSize') return ['3', '3人', '21', 'x', ...blanks];
  return ['张三', '张 三', '本户', '丹朱镇', '东关村', 'Ma Li', 'x'.repeat(201), 7, true, ...blanks];
}

describe('cells parser = keyed row parser', () => {
  for (const kind of IMPORT_KINDS) {
    it(`${kind}: the same result for every row, in any column order, with optional columns left out`, () => {
      const columns = COLUMNS[kind];
      fc.assert(
        fc.property(
          fc.shuffledSubarray([...columns], { minLength: columns.length }).chain((order) =>
            fc.tuple(
              fc.constant(order),
              fc.subarray(order.filter((c) => !c.required)),
              fc.array(fc.tuple(...order.map((c) => fc.constantFrom(...pool(c.field)))), { minLength: 1, maxLength: 30 }),
            ),
          ),
          ([order, dropped, rows]) => {
            const kept = order.filter((c) => !dropped.includes(c));
            const header = kept.map((c) => c.label);
            const { fields } = matchHeader(kind, header);
            const keyed = createRowParser(kind, ctx);
            const cellsParser = createCellsParser(kind, ctx, fields);
            for (const full of rows) {
              const cells = order.map((c, i) => (dropped.includes(c) ? undefined : full[i])).filter((_, i) => !dropped.includes(order[i]!));
              expect(cellsParser(cells)).toEqual(keyed(rowValues(fields, cells)));
            }
          },
        ),
        { numRuns: 150 },
      );
    });
  }
});

describe('yuanToCents', () => {
  it('reads the digits of any text as the split did', () => {
    const digits = fc.string({ unit: fc.constantFrom('0', '1', '5', '9'), minLength: 0, maxLength: 14 });
    const shaped = fc.tuple(digits, fc.constantFrom('.', ',', 'x'), digits).map(([a, d, b]) => `${a}${d}${b}`);
    const any = fc.string({ unit: fc.constantFrom('0', '7', '.', '-', ' ', 'e', '+', '/', ':', 'a') });
    fc.assert(
      fc.property(fc.oneof(shaped, any, fc.string()), (s) => {
        expect(Object.is(yuanToCents(s), yuanToCentsSlow(s))).toBe(true);
      }),
      { numRuns: 3000 },
    );
    for (const s of ['0.00', '520.00', '999999999999.99', '1200.50', '.50', '12.5', '12.', '1.2.3', '', '00.01', '1e3.00', ' 12.00', '12.0x']) {
      expect(Object.is(yuanToCents(s), yuanToCentsSlow(s))).toBe(true);
    }
  });
});

describe('RosterFileChecks.firsts', () => {
  const rosterRow = (h: number, m: number, k: number, variant: number): RosterRow => ({
    township: variant === 1 ? '西镇' : '丹朱镇',
    village: '东关村',
    headName: `户${h}`,
    headIdNumber: `H${h}`,
    memberName: variant === 2 ? `别名${m}` : `人${m}`,
    memberIdNumber: `M${m}`,
    relation: '本人',
    kind: (['URBAN_DIBAO', 'RURAL_DIBAO', 'TEKUN_DISPERSED', 'TEKUN_CENTRALIZED'] as const)[k]!,
    institution: null,
    monthlyAmount: variant === 3 ? '1.00' : '520.00',
    startDate: '2020-01-01',
    status: 'ALIVE',
  });
  it('marks the first accepted line of each household, (household, member) and (household, kind)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(3), fc.nat(4), fc.nat(3), fc.nat(5)), { maxLength: 60 }), (spec) => {
        const checks = new RosterFileChecks();
        const seen = { h: new Set<string>(), m: new Set<string>(), e: new Set<string>() };
        spec.forEach(([h, m, k, variant], i) => {
          const row = rosterRow(h, m, k, variant);
          if (checks.check(row, i + 2).length > 0) return;
          const expected =
            (seen.h.has(row.headIdNumber) ? 0 : FIRST_HOUSEHOLD) |
            (seen.m.has(`${row.headIdNumber}|${row.memberIdNumber}`) ? 0 : FIRST_MEMBER) |
            (seen.e.has(`${row.headIdNumber}|${row.kind}`) ? 0 : FIRST_ENROLMENT);
          expect(checks.firsts).toBe(expected);
          seen.h.add(row.headIdNumber);
          seen.m.add(`${row.headIdNumber}|${row.memberIdNumber}`);
          seen.e.add(`${row.headIdNumber}|${row.kind}`);
        });
        expect(checks.sizes()).toEqual({ households: seen.h.size, members: seen.m.size, enrolments: seen.e.size });
      }),
      { numRuns: 500 },
    );
  });
});

describe('RepeatedKeys', () => {
  it('says "repeated" whenever a key came twice, and "not repeated" only when all keys differ', () => {
    const part = fc.string({ unit: fc.constantFrom('a', 'b', '1', '\u0001', '张'), maxLength: 3 });
    fc.assert(
      fc.property(fc.array(fc.tuple(part, part, part), { maxLength: 200 }), (keys) => {
        const r = new RepeatedKeys();
        for (const [a, b, c] of keys) r.add(a, b, c);
        const distinct = new Set(keys.map((k) => JSON.stringify(k))).size;
        if (distinct < keys.length) expect(r.repeated).toBe(true);
        // With these few keys a hash collision is practically impossible: no repeat → false.
        else expect(r.repeated).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
  it('keeps track through growth: 200 000 different keys, then one again', () => {
    const r = new RepeatedKeys();
    for (let i = 0; i < 200_000; i++) r.add(id(i % 900), String(i), '2024-05');
    expect(r.repeated).toBe(false);
    r.add(id(5), '5', '2024-05');
    expect(r.repeated).toBe(true);
  });
  it('tells the parts apart: ("ab", "c") is not ("a", "bc")', () => {
    const r = new RepeatedKeys();
    r.add('ab', 'c');
    r.add('a', 'bc');
    expect(r.repeated).toBe(false);
  });
});
