/**
 * Checks across the rows of one file: duplicates, and the same household or
 * enrolment written differently on two lines. The first line wins; a later line
 * that disagrees is refused with a reference to it ("与第5行…不一致"). Pure.
 *
 * Memory matters (a roster may have a million rows): per household and per
 * member only the ID string, the first line and small hashes of the other
 * fields are kept, in typed arrays. Equal text always hashes equal, so a hash
 * can at worst miss a disagreement (about 1 in 4 billion), never invent one.
 */
import type { RosterRow } from './rows.js';
import { ASSISTANCE_KIND_LABELS, type AssistanceKind } from './vocabulary.js';

const KIND_INDEX: Record<AssistanceKind, number> = { URBAN_DIBAO: 0, RURAL_DIBAO: 1, TEKUN_DISPERSED: 2, TEKUN_CENTRALIZED: 3 };

/** Flags of RosterFileChecks.firsts. */
export const FIRST_HOUSEHOLD = 1;
export const FIRST_MEMBER = 2;
export const FIRST_ENROLMENT = 4;

/** FNV-1a over UTF-16 code units, 32 bits. */
export function hash32(...parts: string[]): number {
  let h = 0x811c9dc5;
  for (const s of parts) {
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0x1f; // separator
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** A growable Int32 column. */
class IntColumn {
  private data: Int32Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Int32Array(capacity);
  }
  push(v: number): number {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length] = v;
    return this.length++;
  }
  get(i: number): number {
    return this.data[i]!;
  }
  set(i: number, v: number): void {
    this.data[i] = v;
  }
}

/**
 * Roster rows: one row per member and assistance kind. The household (户主姓名,
 * 乡镇, 村) must read the same on all its rows; so must the enrolment of one kind
 * (月保障金额, 纳入日期, 供养机构) and the member (姓名, 与户主关系, 状态). The same
 * member of the same household twice with the same kind is a duplicate. The
 * same person in two households is not refused here: that is a finding for the
 * cross-matching (duplicate_enrolment).
 */
export class RosterFileChecks {
  // Households: head ID → index.
  private readonly households = new Map<string, number>();
  private readonly hLine = new IntColumn();
  private readonly hName = new IntColumn();
  private readonly hRegion = new IntColumn();
  /** Interned "乡镇\u0001村" → index (a county has a few hundred). */
  private readonly regionIds = new Map<string, number>();
  private readonly regionNames: string[] = [];
  // Enrolments: 4 slots per household (one per kind): line (0 = none) and a hash of amount, start, institution.
  private readonly eLine = new IntColumn(4096);
  private readonly eAmount = new IntColumn(4096);
  private readonly eRest = new IntColumn(4096);
  private enrolmentCount = 0;
  // Members: member ID → index; entries of the same ID in other households are chained by mNext.
  private readonly members = new Map<string, number>();
  private readonly mHousehold = new IntColumn();
  private readonly mLine = new IntColumn();
  private readonly mKinds = new IntColumn();
  private readonly mSig = new IntColumn();
  private readonly mNext = new IntColumn();

  /**
   * What the last row `check` accepted was the first of (FIRST_HOUSEHOLD | FIRST_MEMBER | FIRST_ENROLMENT):
   * the first accepted line of its household, of its member in that household, of its household's
   * enrolment of that kind. The roster's set-based write takes those rows (the first line of each key
   * wins) without sorting the whole file for them.
   */
  firsts = 0;

  /** Different households, members (per household) and enrolments accepted so far. */
  sizes(): { households: number; members: number; enrolments: number } {
    return { households: this.households.size, members: this.mLine.length, enrolments: this.enrolmentCount };
  }

  private region(township: string, village: string): number {
    const key = `${township}\u0001${village}`;
    let id = this.regionIds.get(key);
    if (id === undefined) {
      id = this.regionNames.length;
      this.regionNames.push(key);
      this.regionIds.set(key, id);
    }
    return id;
  }

  /** Reasons to refuse the row (empty when it fits); the row is remembered only when it fits. */
  check(row: RosterRow, line: number): string[] {
    const errors: string[] = [];
    const regionId = this.region(row.township, row.village);
    const nameHash = hash32(row.headName);
    const h = this.households.get(row.headIdNumber);
    if (h !== undefined) {
      const diff: string[] = [];
      if (this.hName.get(h) !== nameHash) diff.push('户主姓名');
      const [township, village] = this.regionNames[this.hRegion.get(h)]!.split('\u0001');
      if (township !== row.township) diff.push('乡镇');
      if (village !== row.village) diff.push('村(社区)');
      if (diff.length > 0) errors.push(`同一户主身份证号在第${this.hLine.get(h)}行的${diff.join('、')}与本行不一致`);
    }

    const kind = KIND_INDEX[row.kind];
    const amountHash = hash32(row.monthlyAmount);
    const restHash = hash32(row.startDate, row.institution ?? '');
    let eSlot = -1;
    if (h !== undefined) {
      eSlot = h * 4 + kind;
      const eLine = this.eLine.get(eSlot);
      if (eLine !== 0) {
        const diff: string[] = [];
        if (this.eAmount.get(eSlot) !== amountHash) diff.push('月保障金额');
        if (this.eRest.get(eSlot) !== restHash) diff.push('纳入日期或供养机构');
        if (diff.length > 0) {
          errors.push(`同一户的${ASSISTANCE_KIND_LABELS[row.kind]}在第${eLine}行的${diff.join('、')}与本行不一致（每户每种救助类型只有一个月保障金额）`);
        }
      }
    }

    const sig = hash32(row.memberName, row.relation, row.status);
    let m: number | undefined;
    if (h !== undefined) {
      for (let i = this.members.get(row.memberIdNumber); i !== undefined && i >= 0; i = this.mNext.get(i)) {
        if (this.mHousehold.get(i) === h) {
          m = i;
          break;
        }
      }
    }
    if (m !== undefined) {
      if (this.mKinds.get(m) & (1 << kind)) {
        errors.push(`与第${this.mLine.get(m)}行重复：同一户的同一成员、同一救助类型出现了两次`);
      } else if (this.mSig.get(m) !== sig) {
        errors.push(`同一成员在第${this.mLine.get(m)}行的姓名、与户主关系或状态与本行不一致`);
      }
    }
    if (errors.length > 0) return errors;

    // Remember.
    let firsts = h === undefined ? FIRST_HOUSEHOLD : 0;
    let hi = h;
    if (hi === undefined) {
      hi = this.hLine.push(line);
      this.hName.push(nameHash);
      this.hRegion.push(regionId);
      for (let k = 0; k < 4; k++) {
        this.eLine.push(0);
        this.eAmount.push(0);
        this.eRest.push(0);
      }
      this.households.set(row.headIdNumber, hi);
      eSlot = hi * 4 + kind;
    }
    if (this.eLine.get(eSlot) === 0) {
      firsts |= FIRST_ENROLMENT;
      this.eLine.set(eSlot, line);
      this.eAmount.set(eSlot, amountHash);
      this.eRest.set(eSlot, restHash);
      this.enrolmentCount++;
    }
    if (m === undefined) {
      firsts |= FIRST_MEMBER;
      const i = this.mLine.push(line);
      this.mHousehold.push(hi);
      this.mKinds.push(1 << kind);
      this.mSig.push(sig);
      this.mNext.push(this.members.get(row.memberIdNumber) ?? -1);
      this.members.set(row.memberIdNumber, i);
    } else {
      this.mKinds.set(m, this.mKinds.get(m) | (1 << kind));
    }
    this.firsts = firsts;
    return [];
  }
}

/** Remembers keys and the line they were first seen on. */
export class DuplicateTracker {
  private readonly seen = new Map<string, number>();

  /** The earlier line with this key, or undefined (and the key is remembered). */
  firstLine(key: string, line: number): number | undefined {
    const prev = this.seen.get(key);
    if (prev !== undefined) return prev;
    this.seen.set(key, line);
    return undefined;
  }
}

/**
 * Tells whether any key was added twice, in little memory (two 32-bit hashes a key, no strings kept):
 * `repeated` is true when a key came again — or, very rarely (about 1 in 10^12 at a million keys), when
 * two different keys hash alike. So `repeated === false` proves that every key was different; true
 * only says "maybe": the caller then checks the exact way.
 */
export class RepeatedKeys {
  private table = new Int32Array(2 * 1024);
  private used = new Uint8Array(1024);
  private size = 0;
  repeated = false;

  /** The key is the sequence of parts (a separator between them). */
  add(...parts: string[]): void {
    if (this.repeated) return;
    let a = 0x811c9dc5;
    let b = 0x2545f491;
    for (const s of parts) {
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        a = Math.imul(a ^ c, 0x01000193);
        b = Math.imul(b ^ c, 0x5bd1e995);
        b ^= b >>> 15;
      }
      a = Math.imul(a ^ 0x1f, 0x01000193);
      b = Math.imul(b ^ 0x1f, 0x5bd1e995);
      b ^= b >>> 15;
    }
    if (this.insert(a | 0, b | 0)) this.repeated = true;
  }

  /** True when (a, b) was there already. */
  private insert(a: number, b: number): boolean {
    if ((this.size + 1) * 2 > this.used.length) this.grow();
    const mask = this.used.length - 1;
    for (let i = (a ^ (b >>> 7)) & mask; ; i = (i + 1) & mask) {
      if (this.used[i] === 0) {
        this.used[i] = 1;
        this.table[2 * i] = a;
        this.table[2 * i + 1] = b;
        this.size++;
        return false;
      }
      if (this.table[2 * i] === a && this.table[2 * i + 1] === b) return true;
    }
  }

  private grow(): void {
    const oldTable = this.table;
    const oldUsed = this.used;
    this.table = new Int32Array(oldTable.length * 2);
    this.used = new Uint8Array(oldUsed.length * 2);
    this.size = 0;
    for (let i = 0; i < oldUsed.length; i++) if (oldUsed[i] === 1) this.insert(oldTable[2 * i]!, oldTable[2 * i + 1]!);
  }
}
