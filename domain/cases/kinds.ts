import type { CountyPolicy, PaymentKind } from '../policy/schema.js';

/** The database's AssistanceKind values (workflow code cannot import the Prisma enums). */
export type AssistanceKindCode = 'URBAN_DIBAO' | 'RURAL_DIBAO' | 'TEKUN_DISPERSED' | 'TEKUN_CENTRALIZED';

export const ASSISTANCE_TO_PAYMENT_KIND: Readonly<Record<AssistanceKindCode, PaymentKind>> = {
  URBAN_DIBAO: 'dibao',
  RURAL_DIBAO: 'dibao',
  TEKUN_DISPERSED: 'tekunDispersed',
  TEKUN_CENTRALIZED: 'tekunCentralized',
};

/** Months one payment covers, per assistance kind (12 payment months a year → 1, 4 → 3). */
export function monthsCoveredByKind(policy: CountyPolicy): Record<AssistanceKindCode, number> {
  const out = {} as Record<AssistanceKindCode, number>;
  for (const [kind, paymentKind] of Object.entries(ASSISTANCE_TO_PAYMENT_KIND) as Array<[AssistanceKindCode, PaymentKind]>) {
    out[kind] = Math.max(1, Math.round(12 / policy.payments[paymentKind].months.length));
  }
  return out;
}
