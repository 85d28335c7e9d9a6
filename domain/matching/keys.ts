/**
 * Finding keys. A key names one problem once, so a second run of the matching
 * stores nothing new (Finding.key is unique):
 *
 *   kind | idNumber | period or '-' | extra or '-'
 *
 * The SQL in activities/matching builds the very same strings (concat_ws('|', …));
 * the database tests compare them with these functions.
 */
import type { AssistanceKind, FindingKind } from './kinds.js';

export const KEY_SEPARATOR = '|';
export const KEY_NONE = '-';

export function findingKey(kind: FindingKind, idNumber: string, period?: string | null, extra?: string | null): string {
  return [kind, idNumber, period ?? KEY_NONE, extra ?? KEY_NONE].join(KEY_SEPARATOR);
}

/** Extra part of the key of a payment-period finding: which enrolment (kind @ household head). */
export function enrolmentKeyPart(assistanceKind: AssistanceKind, headIdNumber: string): string {
  return `${assistanceKind}@${headIdNumber}`;
}

/** Extra part for "one person in two or more enrolled households". */
export const MULTI_HOUSEHOLD_KEY_PART = 'households';

/** Extra part for "one household in two or more kinds at once" (kinds sorted). */
export function multiKindKeyPart(kinds: readonly AssistanceKind[]): string {
  return `kinds:${[...kinds].sort().join('+')}`;
}

/** Extra part for an undeclared near relative: the staff member's ID number. */
export function staffKeyPart(staffIdNumber: string): string {
  return `staff:${staffIdNumber}`;
}

export interface ParsedFindingKey {
  kind: string;
  idNumber: string;
  period: string | null;
  extra: string | null;
}

export function parseFindingKey(key: string): ParsedFindingKey {
  const [kind = '', idNumber = '', period = KEY_NONE, ...rest] = key.split(KEY_SEPARATOR);
  const extra = rest.join(KEY_SEPARATOR);
  return {
    kind,
    idNumber,
    period: period === KEY_NONE ? null : period,
    extra: extra === '' || extra === KEY_NONE ? null : extra,
  };
}
