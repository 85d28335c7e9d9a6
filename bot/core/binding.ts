// One-time binding codes: an administrator issues one for a staff member, the
// person sends it to the bot, and their chat account is bound to the record.
// Issuing a code revokes the person's earlier unused ones; a code seen in a
// group is revoked at once (anyone there could use it). One binding per person
// and platform: binding a new account replaces the old one, and the old
// account is told (someone else may have used a leaked code).
import crypto from 'node:crypto';

import type { Prisma, PrismaClient } from '../../prisma/generated/client.js';
import type { Platform } from './types.js';

/** Said to an account whose binding was replaced by another account of the same person. */
export const REBOUND_TEXT = (name: string) => `您的身份（${name}）已绑定到另一个账号，本账号已解除绑定。如非本人操作，请立即联系管理员作废并重新签发绑定码。`;

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
  await prisma.$transaction([
    // Earlier codes of this person stop working (revoked: expired now).
    prisma.bindingCode.updateMany({ where: { staffId, usedAt: null, expiresAt: { gt: now } }, data: { expiresAt: now } }),
    prisma.bindingCode.create({ data: { codeHash: hashBindingCode(code), staffId, expiresAt } }),
  ]);
  return { code, expiresAt };
}

/** Revokes a code that was shown where others could read it (a group). True when one was revoked. */
export async function revokeBindingCode(prisma: PrismaClient, code: string, now: Date = new Date()): Promise<boolean> {
  const normalized = normalizeBindingCode(code);
  if (!/^[A-Z0-9]{8}$/.test(normalized)) return false;
  const { count } = await prisma.bindingCode.updateMany({ where: { codeHash: hashBindingCode(normalized), usedAt: null, expiresAt: { gt: now } }, data: { expiresAt: now } });
  return count > 0;
}

/** Removes a person's bindings (all platforms, or one). Returns the removed ones. */
export async function unbindStaff(db: PrismaClient | Prisma.TransactionClient, staffId: number, platform?: Platform) {
  const rows = await db.staffBinding.findMany({ where: { staffId, ...(platform ? { platform } : {}) } });
  await db.staffBinding.deleteMany({ where: { id: { in: rows.map((r) => r.id) } } });
  return rows;
}

export type BindResult =
  | { ok: true; staffId: number; staffName: string; already: boolean; replaced?: Array<{ platform: string; externalId: string; id: number }> }
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
    // One binding per person and platform: the new account replaces the old one.
    const replaced = await unbindStaff(tx, row.staffId, input.platform);
    await tx.staffBinding.create({ data: { staffId: row.staffId, platform: input.platform, externalId: input.externalId } });
    return { ok: true, staffId: staff.id, staffName: staff.name, already: false, replaced: replaced.map((r) => ({ id: r.id, platform: r.platform, externalId: r.externalId })) } as const;
  });
}
