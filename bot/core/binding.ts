// One-time binding codes: an administrator issues one for a staff member, the
// person sends it to the bot, and their chat account is bound to the record.
import crypto from 'node:crypto';

import type { PrismaClient } from '../../prisma/generated/client.js';
import type { Platform } from './types.js';

export const BINDING_CODE_TTL_MS = 24 * 60 * 60 * 1000;
/** No 0/O, 1/I/L: easy to read aloud and type. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 8;

export const hashBindingCode = (code: string) => crypto.createHash('sha256').update(normalizeBindingCode(code)).digest('hex');
export const normalizeBindingCode = (code: string) => code.trim().toUpperCase().replace(/[\s-]/g, '');

export interface IssuedCode {
  code: string;
  expiresAt: Date;
}

/** A random 8-character code for the staff member, valid 24 h, single use; only its hash is stored. */
export async function issueBindingCode(prisma: PrismaClient, staffId: number, now: Date = new Date()): Promise<IssuedCode> {
  const staff = await prisma.staff.findUnique({ where: { id: staffId }, select: { id: true, active: true } });
  if (!staff?.active) throw new Error(`no active staff member ${staffId}`);
  const bytes = crypto.randomBytes(CODE_LENGTH);
  const code = Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join('');
  const expiresAt = new Date(now.getTime() + BINDING_CODE_TTL_MS);
  await prisma.bindingCode.create({ data: { codeHash: hashBindingCode(code), staffId, expiresAt } });
  return { code, expiresAt };
}

export type BindResult =
  | { ok: true; staffId: number; staffName: string; already: boolean }
  | { ok: false; reason: 'unknown' | 'expired' | 'used' | 'otherStaff' };

/**
 * Redeems a code for a platform account. Binding the same account to the same
 * person again is idempotent (already: true), even with a used code.
 */
export async function redeemBindingCode(
  prisma: PrismaClient,
  input: { platform: Platform; externalId: string; code: string; now?: Date },
): Promise<BindResult> {
  const now = input.now ?? new Date();
  const normalized = normalizeBindingCode(input.code);
  if (!/^[A-Z0-9]{8}$/.test(normalized)) return { ok: false, reason: 'unknown' };
  return prisma.$transaction(async (tx) => {
    const row = await tx.bindingCode.findUnique({ where: { codeHash: hashBindingCode(normalized) } });
    if (!row) return { ok: false, reason: 'unknown' } as const;
    const existing = await tx.staffBinding.findUnique({ where: { platform_externalId: { platform: input.platform, externalId: input.externalId } } });
    const staff = await tx.staff.findUnique({ where: { id: row.staffId }, select: { id: true, name: true, active: true } });
    if (!staff?.active) return { ok: false, reason: 'unknown' } as const;
    if (existing && existing.staffId === row.staffId) return { ok: true, staffId: staff.id, staffName: staff.name, already: true } as const;
    if (existing) return { ok: false, reason: 'otherStaff' } as const;
    if (row.usedAt) return { ok: false, reason: 'used' } as const;
    if (row.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' } as const;
    // Claim the code (a concurrent redeem of the same code loses here).
    const claimed = await tx.bindingCode.updateMany({ where: { id: row.id, usedAt: null }, data: { usedAt: now } });
    if (claimed.count !== 1) return { ok: false, reason: 'used' } as const;
    await tx.staffBinding.create({ data: { staffId: row.staffId, platform: input.platform, externalId: input.externalId } });
    return { ok: true, staffId: staff.id, staffName: staff.name, already: false } as const;
  });
}
