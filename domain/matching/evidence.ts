/**
 * Evidence shapes (what Finding.evidence holds, per kind) and the schema of
 * one `jiuzhu match --json` line. The SQL in activities/matching builds the
 * evidence with jsonb_build_object using exactly these field names.
 *
 * Dates are 'YYYY-MM-DD' strings, amounts are yuan as JSON numbers.
 */
import { z } from 'zod';

import { ASSISTANCE_KINDS, FINDING_KINDS } from './kinds.js';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const month = z.string().regex(/^\d{4}-\d{2}$/);
const yuan = z.number();
const assistanceKind = z.enum(ASSISTANCE_KINDS);

/** Fields every evidence object has: the name of the person the finding's ID number belongs to. */
const base = { name: z.string().nullable() };

const paymentBase = {
  ...base,
  assistanceKind,
  paymentId: z.number().int(),
  paidDate: date.nullable(),
  amountPaid: yuan,
};

const eventPayment = {
  ...paymentBase,
  coveredMonths: z.number().int().min(1),
  overpaidMonths: z.number().int().min(1),
  householdSize: z.number().int().min(1),
  /** More than one member: the household amount should have been recomputed (the amount is the payment, not a share). */
  recomputeHousehold: z.boolean(),
  /** The enrolment's last payment up to the month of the event (a smaller payment since would show a recomputation). */
  amountBefore: yuan.nullable(),
};

export const evidenceSchemas = {
  paid_after_death: z.object({
    ...eventPayment,
    deathDate: date,
    deathSource: z.string(),
    /**
     * The household still has living members: the amount is the dead person's per-capita share of the
     * months after the review's deadline (an estimate until the review records the new amount).
     */
    perCapita: z.boolean().optional(),
    /** Last on-time day of the death review (policy rule death-review). */
    reviewDeadline: date.nullable().optional(),
  }),
  paid_in_prison: z.object({ ...eventPayment, custodyDate: date, releaseDate: date.nullable(), prisonSource: z.string() }),
  death_review_overdue: z.object({
    ...base,
    deathDate: date,
    deathSource: z.string(),
    /** Last on-time day of the review (policy rule death-review). */
    deadline: date,
    assistanceKinds: z.array(assistanceKind),
    /** The DEATH_REVIEW case on record, if any (open, or closed after the deadline). */
    review: z.object({ caseId: z.number().int(), status: z.enum(['OPEN', 'CLOSED']), closedAt: date.nullable() }).nullable(),
  }),
  duplicate_enrolment: z.discriminatedUnion('type', [
    z.object({
      ...base,
      type: z.literal('multiple_households'),
      households: z
        .array(
          z.object({
            householdId: z.number().int(),
            headIdNumber: z.string(),
            headName: z.string(),
            regionId: z.number().int(),
            enrolments: z.array(z.object({ kind: assistanceKind, monthlyAmount: yuan })),
          }),
        )
        .min(2),
    }),
    z.object({
      ...base,
      type: z.literal('multiple_kinds'),
      enrolments: z
        .array(z.object({ kind: assistanceKind, monthlyAmount: yuan, startDate: date, endDate: date.nullable() }))
        .min(2),
    }),
  ]),
  payment_missing: z.object({
    ...base,
    assistanceKind,
    /** Last on-time day of the period. */
    dueDate: date,
    /** no_record: no payment row; not_paid: a row without paid date; paid_after_as_of: paid only after the as-of date. */
    reason: z.enum(['no_record', 'not_paid', 'paid_after_as_of']),
    paymentId: z.number().int().nullable(),
    amountDue: yuan,
    monthlyAmount: yuan,
    paidDate: date.nullable(),
  }),
  payment_late: z.object({
    ...paymentBase,
    dueDate: date,
    daysLate: z.number().int().min(1),
    /** The due date recorded on the payment row (for comparison; the policy decides). */
    recordedDueDate: date,
  }),
  payment_short: z.object({ ...paymentBase, amountDue: yuan }),
  payment_wrong_payee: z.object({
    ...paymentBase,
    expectedPayee: z.enum(['household', 'institution']),
    institutionName: z.string().nullable(),
    payeeKind: z.enum(['HOUSEHOLD', 'INSTITUTION', 'OTHER']),
    payeeName: z.string(),
    reason: z.enum(['other_payee', 'not_institution', 'wrong_institution', 'unregistered_institution', 'no_institution_on_record', 'not_household']),
  }),
  undeclared_near_relative: z.object({
    ...base,
    relation: z.string(),
    staff: z.object({ id: z.number().int(), name: z.string(), role: z.string(), unit: z.string() }),
    sources: z.array(z.enum(['enrolment', 'application'])).min(1),
    applicationIds: z.array(z.number().int()),
    /** Filings for this staff member and relative that were rejected (they do not count). */
    rejectedFilingIds: z.array(z.number().int()),
  }),
} as const;

export type EvidenceOf<K extends keyof typeof evidenceSchemas> = z.output<(typeof evidenceSchemas)[K]>;

const lineCommon = {
  key: z.string(),
  findingId: z.number().int(),
  /** First found in this run (false: already stored by an earlier run). */
  new: z.boolean(),
  kindLabel: z.string(),
  county: z.string(),
  /** Full ID number: for authorised staff and programs only (the text output masks it). */
  idNumber: z.string(),
  name: z.string().nullable(),
  period: month.nullable(),
  amount: yuan.nullable(),
  township: z.string().nullable(),
  village: z.string().nullable(),
  householdId: z.number().int().nullable(),
  householdHead: z.object({ name: z.string(), idNumber: z.string() }).nullable(),
  /** One Chinese sentence describing the finding. */
  description: z.string(),
};

function line<K extends (typeof FINDING_KINDS)[number]>(kind: K) {
  return z.object({ kind: z.literal(kind), ...lineCommon, evidence: evidenceSchemas[kind] });
}

/** One line of `jiuzhu match --json`. */
export const matchLineSchema = z.discriminatedUnion('kind', [
  line('paid_after_death'),
  line('paid_in_prison'),
  line('death_review_overdue'),
  line('duplicate_enrolment'),
  line('payment_missing'),
  line('payment_late'),
  line('payment_short'),
  line('payment_wrong_payee'),
  line('undeclared_near_relative'),
]);

export type MatchLine = z.output<typeof matchLineSchema>;
