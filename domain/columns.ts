/**
 * JSON columns read and written through zod (issue 16, typed state): one
 * schema per column, and one helper that parses a column's value and fails
 * with a clear Chinese error naming the table, the column and the bad field,
 * instead of a silent `as` cast that lets a malformed row travel on.
 *
 * Pure: the database layer passes the raw `Json` value in.
 */
import { z } from 'zod';

import { VERIFICATION_FINDINGS } from './cases/complaint.js';
import { progressItemSchema, type CycleSummary, type ProgressItem } from './cycles/progress.js';
import { evidenceSchemas, type EvidenceOf } from './matching/evidence.js';
import { FINDING_KINDS, type FindingKind } from './matching/kinds.js';
import type { DescribableFinding } from './matching/text.js';
import { zhErrorMap } from './zod-zh.js';

/** A malformed JSON column: names the column (`Notification.actions`), the row and the field. */
export class JsonColumnError extends Error {
  constructor(
    readonly column: string,
    message: string,
  ) {
    super(message);
    this.name = 'JsonColumnError';
  }
}

/**
 * The value of a JSON column, checked by its schema. `where` names the row
 * (e.g. `#12`) in the error.
 */
export function parseColumn<S extends z.ZodType>(schema: S, column: string, value: unknown, where?: string): z.output<S> {
  const r = schema.safeParse(value, { error: zhErrorMap });
  if (r.success) return r.data;
  const first = r.error.issues[0]!;
  const field = first.path.length ? first.path.join('.') : '（整体）';
  throw new JsonColumnError(column, `数据库字段 ${column}${where ? `（${where}）` : ''} 的内容不符合格式：${field}：${first.message}`);
}

/** A value about to be written into a JSON column, checked by the same schema (a bug fails before the write). */
export function columnValue<S extends z.ZodType>(schema: S, column: string, value: z.input<S>): z.output<S> {
  return parseColumn(schema, column, value);
}

// ───────────────────────── Notification.actions ─────────────────────────

/**
 * A button on a notification. Pressing it sends the step (or, on rows written
 * before step ids, the Temporal Update `update` with `args`) to the
 * notification's workflow, with `byStaffId` from the presser's bound identity.
 */
export const notificationActionSchema = z.object({
  /** Button text (Chinese, short). */
  label: z.string().min(1),
  /** The step this button takes: a step id of the bot's registry (domain/steps), e.g. 'rc.confirm'. */
  step: z.string().min(1).optional(),
  /** Form values the button fills in (e.g. { verdict: '同意销号' }). */
  values: z.record(z.string(), z.string()).optional(),
  /** Rows written before step ids: the Update name on the workflow, e.g. 'decide'. */
  update: z.string().min(1).optional(),
  /** Rows written before step ids: fixed arguments of this button (e.g. { decision: 'approve' }). */
  args: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  style: z.enum(['primary', 'danger', 'default']).optional(),
});
export type NotificationAction = z.infer<typeof notificationActionSchema>;

/** Notification.actions: the buttons (null: none). */
export const notificationActionsSchema = z.array(notificationActionSchema);

// ───────────────────────── ReportSubmission.data, ReportCycle.summary ─────────────────────────

/**
 * ReportSubmission.data as the cycle tables read it: a progress report's
 * figures per focus item (`items`); other cycles' submissions (a village
 * report's events, a phase summary's text) carry other keys and no items.
 */
export const submissionDataSchema = z.looseObject({
  items: z.record(z.string(), progressItemSchema).optional(),
});

/** The figures per focus item of a submission (none for a submission without figures). */
export function submissionItems(value: unknown, where?: string): Record<string, ProgressItem> {
  return parseColumn(submissionDataSchema, 'ReportSubmission.data', value ?? {}, where).items ?? {};
}

/** ReportCycle.summary: the aggregate at the cut-off. */
export const cycleSummarySchema = z.object({
  at: z.string(),
  expected: z.number().int().nonnegative(),
  submitted: z.array(z.object({ unitId: z.number().int(), name: z.string(), late: z.boolean() })),
  missing: z.array(z.object({ unitId: z.number().int(), name: z.string() })),
  totals: z.record(z.string(), progressItemSchema),
}) satisfies z.ZodType<CycleSummary>;

// ───────────────────────── WorkOrder.input ─────────────────────────

const id = z.number().int().positive();

/** WorkOrder.input per kind: what opening the work needs (no ID numbers). */
export const workOrderInputSchemas = {
  deathReview: z.object({ memberId: id, deathDate: z.string(), source: z.string() }),
  prisonExit: z.object({ memberId: id, imprisonmentDate: z.string(), source: z.string() }),
  rectification: z.object({
    problem: z.string().min(1),
    sourceRef: z.string().min(1),
    responsibleRegionId: id,
    responsibleUnit: z.string().min(1),
    responsibleStaffId: id,
    measures: z.string(),
    discoveryDate: z.string(),
  }),
  askFiling: z.object({ staffId: id, text: z.string().min(1) }),
  applicationReview: z.object({ applicationId: id }),
} as const;
export type WorkOrderInputs = { [K in keyof typeof workOrderInputSchemas]: z.infer<(typeof workOrderInputSchemas)[K]> };

/** The input of a work order of kind `kind`, checked. */
export function workOrderInput<K extends keyof typeof workOrderInputSchemas>(kind: K, value: unknown, where?: string): WorkOrderInputs[K] {
  return parseColumn(workOrderInputSchemas[kind], 'WorkOrder.input', value, where) as WorkOrderInputs[K];
}

// ───────────────────────── Case.data (and Application.data) per kind ─────────────────────────

/**
 * Case.data per case kind: the fields every step of the case relies on are
 * checked; later steps' records (decision, recoveries, publicity …) are kept
 * as written (loose objects), so a row written by an older version still reads.
 */
export const caseDataSchemas = {
  deathReview: z.looseObject({ countyRegionId: id, memberId: id, deathDate: z.string(), source: z.string() }),
  prisonExit: z.looseObject({ countyRegionId: id, memberId: id, imprisonmentDate: z.string(), source: z.string(), track: z.string() }),
  filing: z.looseObject({
    filingId: id,
    staffId: id,
    memberId: id.nullable(),
    applicationId: id.nullable(),
    source: z.string(),
    filedByStaffId: id.nullable(),
    steps: z.array(z.looseObject({ updateId: z.string(), action: z.string(), byStaffId: z.number().int(), at: z.string() })),
  }),
  /** Any case that recovers overpaid money (death review, prison exit): its recoveries so far. */
  recoverable: z.looseObject({
    recoveries: z.array(z.looseObject({ updateId: z.string(), amountCents: z.number().int(), recordedByStaffId: z.number().int(), recordedAt: z.string() })).optional(),
  }),
  /** Application.data and the data of its Case: the record of steps. */
  application: z.looseObject({
    nearRelativeFlag: z.boolean().optional(),
    steps: z.array(z.looseObject({ key: z.string(), action: z.string(), at: z.string(), actor: z.string() })).optional(),
  }),
  /**
   * A COMPLAINT case (实名举报): its stage and the record of each step, no personal data. Every
   * object is loose: a step writes the row back with what it read, so nothing it does not know is lost.
   */
  complaint: z.looseObject({
    countyRegionId: id,
    complaintId: id.optional(),
    ledgerNo: z.string(),
    accusation: z.boolean(),
    /** 'closing': not accepted (不予受理), closed once the complainant is told. */
    stage: z.enum(['acceptance', 'handling', 'closing', 'closed']),
    acceptance: z
      .looseObject({
        updateId: z.string(),
        /** Absent on rows written before 不予受理 existed (accepted). */
        decision: z.enum(['受理', '不予受理']).optional(),
        reason: z.string().optional(),
        noticeOn: z.string(),
        /** Only when accepted. */
        acceptedOn: z.string().optional(),
        method: z.string(),
        byStaffId: z.number().int(),
        handlingDueAt: z.string().nullable(),
      })
      .optional(),
    extension: z
      .looseObject({
        updateId: z.string(),
        reason: z.string(),
        byStaffId: z.number().int(),
        onBehalfOfStaffId: z.number().int().optional(),
        approvedAt: z.string(),
        notice: z.looseObject({ updateId: z.string(), noticeOn: z.string(), method: z.string(), byStaffId: z.number().int(), dueAt: z.string() }).optional(),
      })
      .optional(),
    verification: z.looseObject({ updateId: z.string(), finding: z.enum(VERIFICATION_FINDINGS), byStaffId: z.number().int(), recordedAt: z.string() }).optional(),
    feedback: z.looseObject({ updateId: z.string(), feedbackOn: z.string(), method: z.string(), byStaffId: z.number().int(), content: z.string().optional() }).optional(),
  }),
} as const;
export type CaseDataKind = keyof typeof caseDataSchemas;
/** The `data` of a COMPLAINT Case row. */
export type ComplaintCaseData = z.infer<typeof caseDataSchemas.complaint>;

// ───────────────────────── Finding.evidence ─────────────────────────

const FINDING_KIND_SET: ReadonlySet<string> = new Set(FINDING_KINDS);

/**
 * Finding.evidence of a finding of kind `kind`, checked by that kind's schema
 * (domain/matching/evidence.ts). `kind` may come from raw SQL as text: a kind
 * outside the set fails naming Finding.kind.
 */
export function findingEvidence<K extends FindingKind>(kind: K, value: unknown, where?: string): EvidenceOf<K> {
  if (!FINDING_KIND_SET.has(kind)) throw new JsonColumnError('Finding.kind', `数据库字段 Finding.kind${where ? `（${where}）` : ''} 的值不是已知的比对类型：${String(kind)}`);
  return parseColumn(evidenceSchemas[kind], 'Finding.evidence', value, where) as EvidenceOf<K>;
}

/** What describeFinding needs, from a Finding row (or a raw SQL row with the kind as text): the evidence checked. */
export function describableFinding(f: { kind: string; evidence: unknown; period: string | null; amount: number | null }, where?: string): DescribableFinding {
  const kind = f.kind as FindingKind; // checked by findingEvidence
  return { kind, evidence: findingEvidence(kind, f.evidence, where), period: f.period, amount: f.amount } as DescribableFinding;
}

// ───────────────────────── ChatFormState.data, ConsoleMessage.message ─────────────────────────

/** ChatFormState.data: a chat form's answers so far, by step key (keys starting with '__' ride along unseen). */
export const chatFormDataSchema = z.record(z.string(), z.string());

export const buttonActionSchema = z.object({ action: z.string(), caseRef: z.string().optional(), value: z.string().optional() });

/**
 * ConsoleMessage.message: what the bot said (or a typed line's text), the shape of BotMessage
 * (bot/core/types.ts; bot/console/outbound.ts checks at compile time that the two agree). A key outside
 * that shape is dropped: the page shows none.
 */
export const botMessageSchema = z.object({
  text: z.string(),
  title: z.string().optional(),
  fields: z.array(z.object({ label: z.string(), value: z.string() })).optional(),
  buttons: z.array(z.object({ label: z.string(), payload: buttonActionSchema, style: z.enum(['primary', 'danger', 'default']).optional() })).optional(),
  form: z
    .object({
      ref: buttonActionSchema,
      inputs: z.array(
        z.object({
          key: z.string(),
          label: z.string(),
          kind: z.enum(['text', 'textarea', 'date', 'select', 'money', 'number']),
          required: z.boolean(),
          options: z.array(z.object({ value: z.string(), label: z.string() })).readonly().optional(),
          placeholder: z.string().optional(),
          initial: z.string().optional(),
        }),
      ),
      submitLabel: z.string(),
    })
    .optional(),
});
