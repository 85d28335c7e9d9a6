// Who is using the console. A console account is a StaffBinding with platform
// 'console' and externalId `staff:<id>`.
//
// Outside demo mode a person signs in with a one-time login link issued by
// `jiuzhu staff login-link <who>`: the token is valid 15 minutes, usable once,
// and stored only as a SHA-256 hash (a ConsoleLoginToken row). Redeeming it
// starts a session of 8 hours (a ConsoleSession row, also keyed by the SHA-256
// of its token; the cookie holds the token).
import crypto from 'node:crypto';

import type { PrismaClient } from '../../prisma/generated/client.js';

export const LOGIN_TOKEN_TTL_MS = 15 * 60 * 1000;
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
export const SESSION_COOKIE = 'jiuzhu_console';

const hash = (token: string) => crypto.createHash('sha256').update(token).digest('hex');
const newToken = () => crypto.randomBytes(32).toString('base64url');

/** The console account (StaffBinding.externalId) of a staff member. */
export const consoleExternalId = (staffId: number) => `staff:${staffId}`;

/** Binds the staff member's console account (idempotent). */
export async function ensureConsoleBinding(prisma: PrismaClient, staffId: number): Promise<string> {
  const externalId = consoleExternalId(staffId);
  await prisma.staffBinding.createMany({ data: [{ staffId, platform: 'console', externalId }], skipDuplicates: true });
  return externalId;
}

/** Issues a one-time login token for an active staff member. Only its hash is stored. */
export async function issueLoginToken(prisma: PrismaClient, staffId: number, now: Date = new Date()): Promise<{ token: string; expiresAt: Date }> {
  const staff = await prisma.staff.findUnique({ where: { id: staffId }, select: { active: true } });
  if (!staff?.active) throw new Error(`no active staff member ${staffId}`);
  const token = newToken();
  const expiresAt = new Date(now.getTime() + LOGIN_TOKEN_TTL_MS);
  await prisma.consoleLoginToken.create({ data: { tokenHash: hash(token), staffId, expiresAt } });
  return { token, expiresAt };
}

/**
 * Redeems a login token (once: the row is deleted by the first redeem) and
 * opens a session. Returns the session token, or undefined when the token is
 * unknown, used or expired.
 */
export async function redeemLoginToken(prisma: PrismaClient, token: string, now: Date = new Date()): Promise<{ session: string; staffId: number } | undefined> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined;
  const tokenHash = hash(token);
  const row = await prisma.consoleLoginToken.findUnique({ where: { tokenHash } });
  if (!row) return undefined;
  // Whoever deletes the row owns the token; a concurrent second redeem gets 0.
  const { count } = await prisma.consoleLoginToken.deleteMany({ where: { tokenHash, expiresAt: { gt: now } } });
  if (count !== 1) {
    await prisma.consoleLoginToken.deleteMany({ where: { tokenHash } });
    return undefined;
  }
  const { staffId } = row;
  const staff = await prisma.staff.findUnique({ where: { id: staffId }, select: { active: true } });
  if (!staff?.active) return undefined;
  await ensureConsoleBinding(prisma, staffId);
  const session = newToken();
  await prisma.consoleSession.create({ data: { tokenHash: hash(session), staffId, expiresAt: new Date(now.getTime() + SESSION_TTL_MS) } });
  return { session, staffId };
}

/** A live session's staff id and end, if any. */
export async function sessionInfo(prisma: PrismaClient, session: string | undefined, now: Date = new Date()): Promise<{ staffId: number; expiresAt: Date } | undefined> {
  if (!session || !/^[A-Za-z0-9_-]{20,100}$/.test(session)) return undefined;
  const row = await prisma.consoleSession.findUnique({ where: { tokenHash: hash(session) } });
  if (!row || row.expiresAt.getTime() <= now.getTime()) return undefined;
  return { staffId: row.staffId, expiresAt: row.expiresAt };
}

/** The staff id of a live session, if any. */
export async function sessionStaffId(prisma: PrismaClient, session: string | undefined, now: Date = new Date()): Promise<number | undefined> {
  return (await sessionInfo(prisma, session, now))?.staffId;
}

export async function endSession(prisma: PrismaClient, session: string | undefined): Promise<void> {
  if (session) await prisma.consoleSession.deleteMany({ where: { tokenHash: hash(session) } });
}

/** True for a loopback address. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/**
 * The Host allow-list of the console and the dashboard: a loopback name, with any port. A browser
 * that reached us through DNS rebinding (a web page's own domain resolving to 127.0.0.1) or through a
 * reverse proxy that keeps the public name sends another Host and is refused.
 */
export function isLocalHost(host: string | string[] | undefined): boolean {
  if (typeof host !== 'string') return false;
  return /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d{1,5})?$/i.test(host.trim());
}

/**
 * True for a request made on this machine: from loopback, to a loopback Host name, and not relayed
 * by a reverse proxy on this machine (which would make any remote request look local).
 */
export function isLocalRequest(req: { socket: { remoteAddress?: string | undefined }; headers: Record<string, string | string[] | undefined> }): boolean {
  if (req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined || req.headers['x-real-ip'] !== undefined) return false;
  if (!isLocalHost(req.headers.host)) return false;
  return isLoopback(req.socket.remoteAddress);
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      // A malformed escape (%E0) is no session, never a crash.
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** One session for the console and the dashboard: the cookie is scoped to the whole site. */
export function sessionCookie(session: string, secure = false): string {
  return `${SESSION_COOKIE}=${session}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_TTL_MS / 1000}${secure ? '; Secure' : ''}`;
}

export function clearSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}
