// Stored rows an import changed (issue 14 item 6): every changed row keeps its previous version in
// "ImportChange" (who, when, which batch, old and new values), written by the writers right before
// their upserts (writers/common.ts recordChanges). This module reads them back: the summary an import
// shows before it is allowed to write (`--dry-run`, the refusal without `--allow-changes`), and the
// changes made after a finding was found, on the evidence it rested on (findingEvidenceChanges: a
// finding's household, and its payment period when it has one; and the records kept by ID number of
// the finding's person: deaths, custody, near-relative declarations).
import { ASSISTANCE_KIND_LABELS, MEMBER_STATUS_LABELS, type AssistanceKind, type MemberStatus } from '../../domain/import/index.js';
import { maskIdNumber } from '../../domain/identity/index.js';
import { FINDING_KIND_INFO, type FindingKind } from '../../domain/matching/kinds.js';
import { formatChinaDateTime } from '../../domain/time/instants.js';
import type { PrismaClient } from '../../infra/db/client.js';
import type { Tx } from './regions.js';

export const CHANGE_TABLE_LABELS: Record<string, string> = {
  Payment: '发放记录',
  Household: '户',
  Member: '成员',
  Enrolment: '保障记录',
  DeathRecord: '死亡记录',
  PrisonRecord: '服刑记录',
  StaffRelative: '近亲属申报',
};

/** Tables kept by a person's ID number (ImportChange.idNumber), shown by that person rather than a household. */
const PERSON_TABLES: Record<string, string> = { DeathRecord: '本人', PrisonRecord: '本人', StaffRelative: '亲属' };

const FIELD_LABELS: Record<string, string> = {
  dueDate: '应发日期',
  amountDue: '应发金额',
  amountPaid: '实发金额',
  paidDate: '发放日期',
  payeeKind: '收款方类别',
  payeeName: '收款方',
  accountMasked: '收款账号',
  regionId: '所属村(社区)',
  headName: '户主姓名',
  name: '姓名',
  relationToHead: '与户主关系',
  status: '状态',
  institutionId: '供养机构',
  monthlyAmount: '月保障金额',
  startDate: '纳入日期',
  endDate: '终止日期',
  deathDate: '死亡日期',
  custodyDate: '羁押(入狱)日期',
  releaseDate: '释放日期',
  source: '来源',
  relativeName: '亲属姓名',
  relation: '关系',
  staffName: '申报人',
};

/** Compared but not shown: the account's keyed hash (its masked form is shown). */
const HIDDEN_FIELDS = new Set(['accountHash']);

const VALUE_LABELS: Record<string, Record<string, string>> = {
  payeeKind: { HOUSEHOLD: '本户', INSTITUTION: '供养机构', OTHER: '其他人' },
  status: { ...(MEMBER_STATUS_LABELS as Record<MemberStatus, string>), ACTIVE: '在保', ENDED: '已终止' },
};

export interface ChangedField {
  field: string;
  label: string;
  old: string;
  new: string;
}

export interface ImportChangeSummary {
  id: number;
  table: string;
  rowId: number;
  /** The household head's ID number, masked. */
  head: string | null;
  headName: string | null;
  /** For deaths, custody and near-relative declarations: the person's ID number (masked) and name. */
  person: string | null;
  personName: string | null;
  /** For payments: the assistance kind (Chinese) and the period. */
  kind: string | null;
  period: string | null;
  batchId: number;
  previousBatchId: number | null;
  /** The import file that made the change: its name and SHA-256. */
  fileName: string;
  fileSha256: string;
  actor: string;
  createdAt: Date;
  fields: ChangedField[];
}

function show(field: string, v: unknown): string {
  if (v === null || v === undefined || v === '') return '（空）';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  const date = /^(\d{4}-\d{2}-\d{2})(T00:00:00)?/.exec(s);
  if (date && (field.endsWith('Date') || field === 'dueDate')) return date[1]!;
  return VALUE_LABELS[field]?.[s] ?? s;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Number(a) === Number(b);
  if (typeof a === 'string' && typeof b === 'string' && /^\d{4}-\d{2}-\d{2}/.test(a) && /^\d{4}-\d{2}-\d{2}/.test(b)) return a.slice(0, 10) === b.slice(0, 10);
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** The fields that differ between an old and a new version (labels in Chinese). */
export function changedFields(oldValues: Record<string, unknown>, newValues: Record<string, unknown>): ChangedField[] {
  const out: ChangedField[] = [];
  for (const field of Object.keys({ ...oldValues, ...newValues })) {
    if (HIDDEN_FIELDS.has(field) || sameValue(oldValues[field], newValues[field])) continue;
    out.push({ field, label: FIELD_LABELS[field] ?? field, old: show(field, oldValues[field]), new: show(field, newValues[field]) });
  }
  return out;
}

/** One line per change: 「发放记录 户主 1401**********0012（张三） 农村低保 2024-05：实发金额 680 → 80；发放日期 2024-05-08 → 2024-06-30」. */
export function formatChange(c: ImportChangeSummary): string {
  const personWord = PERSON_TABLES[c.table];
  const who =
    personWord && c.person
      ? ` ${personWord} ${c.person}${c.personName ? `（${c.personName}）` : ''}`
      : c.head
        ? ` 户主 ${c.head}${c.headName ? `（${c.headName}）` : ''}`
        : '';
  const what = [c.kind, c.period].filter(Boolean).join(' ');
  const fields = c.fields.length > 0 ? c.fields.map((f) => `${f.label} ${f.old} → ${f.new}`).join('；') : '仅内部字段（收款账号哈希）';
  return `${CHANGE_TABLE_LABELS[c.table] ?? c.table}${who}${what ? ` ${what}` : ''}：${fields}`;
}

interface ChangeRow {
  id: number;
  table: string;
  rowId: number;
  period: string | null;
  batchId: number;
  previousBatchId: number | null;
  idNumber: string | null;
  fileName: string;
  fileSha256: string;
  actor: string;
  createdAt: Date;
  oldValues: Record<string, unknown>;
  newValues: Record<string, unknown>;
  headIdNumber: string | null;
  headName: string | null;
  kind: AssistanceKind | null;
}

const SELECT_CHANGES = `
  SELECT c.id, c."table", c."rowId", c.period, c."batchId", c."previousBatchId", c."idNumber", c.actor, c."createdAt", c."oldValues", c."newValues",
         b."fileName", b."fileSha256", h."headIdNumber", h."headName", e.kind::text AS kind
    FROM "ImportChange" c
    JOIN "ImportBatch" b ON b.id = c."batchId"
    LEFT JOIN "Household" h ON h.id = c."householdId"
    LEFT JOIN "Payment" p ON c."table" = 'Payment' AND p.id = c."rowId"
    LEFT JOIN "Enrolment" e ON e.id = CASE WHEN c."table" = 'Payment' THEN p."enrolmentId" WHEN c."table" = 'Enrolment' THEN c."rowId" END`;

function personName(v: Record<string, unknown>): string | null {
  const name = v.name ?? v.relativeName;
  return typeof name === 'string' && name !== '' ? name : null;
}

function toSummary(r: ChangeRow): ImportChangeSummary {
  const isPerson = r.table in PERSON_TABLES;
  return {
    id: r.id,
    table: r.table,
    rowId: r.rowId,
    head: r.headIdNumber ? maskIdNumber(r.headIdNumber) : null,
    headName: r.headName,
    person: isPerson && r.idNumber ? maskIdNumber(r.idNumber) : null,
    personName: isPerson ? (personName(r.newValues) ?? personName(r.oldValues)) : null,
    kind: r.kind ? ASSISTANCE_KIND_LABELS[r.kind] : null,
    period: r.period,
    batchId: r.batchId,
    previousBatchId: r.previousBatchId,
    fileName: r.fileName,
    fileSha256: r.fileSha256,
    actor: r.actor,
    createdAt: r.createdAt,
    fields: changedFields(r.oldValues, r.newValues),
  };
}

/** How many stored rows a batch changed, and the first `limit` of them (in the order written). */
export async function batchChanges(db: PrismaClient | Tx, batchId: number, limit: number): Promise<{ count: number; first: ImportChangeSummary[] }> {
  const [counted] = await db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "ImportChange" WHERE "batchId" = $1`, batchId);
  const count = Number(counted?.n ?? 0);
  if (count === 0) return { count, first: [] };
  const rows = await db.$queryRawUnsafe<ChangeRow[]>(`${SELECT_CHANGES} WHERE c."batchId" = $1 ORDER BY c.id LIMIT $2`, batchId, limit);
  return { count, first: rows.map(toSummary) };
}

/**
 * Findings whose evidence was changed by an import after they were found: a change to a row of the
 * finding's household (for a finding about one payment period: a payment of that period, or the
 * household's roster rows), or to a death, custody or near-relative record of the finding's person,
 * made after `foundAt`. This is the query a finding's page uses to say
 * 「证据在发现后被导入更改」 and list the changes. Findings without changes are absent from the map.
 */
export async function findingEvidenceChanges(db: PrismaClient | Tx, findingIds: readonly number[]): Promise<Map<number, ImportChangeSummary[]>> {
  const out = new Map<number, ImportChangeSummary[]>();
  if (findingIds.length === 0) return out;
  const rows = await db.$queryRawUnsafe<(ChangeRow & { findingId: number })[]>(
    `SELECT f.id AS "findingId", x.* FROM "Finding" f
       CROSS JOIN LATERAL (${SELECT_CHANGES}
         WHERE c."createdAt" > f."foundAt"
           AND ((c."householdId" = f."householdId" AND (f.period IS NULL OR c."table" <> 'Payment' OR c.period = f.period))
             OR (c."idNumber" = f."idNumber" AND c."table" IN (${Object.keys(PERSON_TABLES).map((t) => `'${t}'`).join(', ')})))) x
      WHERE f.id = ANY($1::int[])
      ORDER BY f.id, x.id`,
    [...findingIds],
  );
  for (const r of rows) {
    const list = out.get(r.findingId) ?? [];
    list.push(toSummary(r));
    out.set(r.findingId, list);
  }
  return out;
}

/** One finding a case rests on whose evidence an import changed after the finding was found. */
export interface CaseEvidenceChange {
  findingId: number;
  /** The finding's kind, in Chinese. */
  findingLabel: string;
  foundAt: Date;
  changes: ImportChangeSummary[];
}

/**
 * The findings a case was opened from (its work order, or the rectification item it tracks) whose
 * evidence an import changed afterwards (findingEvidenceChanges), oldest finding first. Empty when the
 * case rests on no finding or nothing changed.
 */
export async function caseEvidenceChanges(db: PrismaClient | Tx, caseId: number): Promise<CaseEvidenceChange[]> {
  const findings = await db.$queryRawUnsafe<{ id: number; kind: FindingKind; foundAt: Date }[]>(
    `SELECT f.id, f.kind::text AS kind, f."foundAt" FROM "Finding" f
      WHERE f.id IN (SELECT w."findingId" FROM "Case" c JOIN "WorkOrder" w ON w."workflowId" = c."workflowId" WHERE c.id = $1
                     UNION SELECT substr(r."sourceRef", 9)::int FROM "RectificationItem" r
                      WHERE r."caseId" = $1 AND r."sourceRef" ~ '^finding:[0-9]{1,9}$')
      ORDER BY f.id`,
    caseId,
  );
  const changed = await findingEvidenceChanges(db, findings.map((f) => f.id));
  return findings
    .filter((f) => changed.has(f.id))
    .map((f) => ({ findingId: f.id, findingLabel: FINDING_KIND_INFO[f.kind].label, foundAt: f.foundAt, changes: changed.get(f.id)! }));
}

/**
 * A changed piece of evidence for a person to read: the change (masked, formatChange), then when, by
 * which import (file, SHA-256, batch) and by whom. `hashChars` shortens the SHA-256 for chat.
 */
export function formatEvidenceChange(c: ImportChangeSummary, hashChars = 64): string {
  const sha = hashChars < c.fileSha256.length ? `${c.fileSha256.slice(0, hashChars)}…` : c.fileSha256;
  return `${formatChange(c)}（${formatChinaDateTime(c.createdAt)} 由导入文件“${c.fileName}”更改，SHA-256 ${sha}，批次 #${c.batchId}，操作人 ${c.actor}）`;
}

/** The lines shown for a case: 「线索 #12（死亡后仍发放，2024-07-01 08:00 发现）之后证据被导入更改：」 then each change. */
export function formatCaseEvidenceChanges(list: readonly CaseEvidenceChange[], hashChars = 64): string[] {
  const out: string[] = [];
  for (const f of list) {
    out.push(`线索 #${f.findingId}（${f.findingLabel}，${formatChinaDateTime(f.foundAt)} 发现）之后证据被导入更改 ${f.changes.length} 处：`);
    for (const c of f.changes) out.push(`  ${formatEvidenceChange(c, hashChars)}`);
  }
  return out;
}
