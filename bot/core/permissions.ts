// Which roles may use which command, and whether a staff member's region
// covers another region (a village cadre acts for their own village only).
import type { PrismaClient } from '../../prisma/generated/client.js';
import type { StaffRole } from '../../prisma/generated/enums.js';
import { STAFF_ROLES } from '../../domain/roles.js';
import type { CommandName } from './commands.js';
import type { BotMiddleware } from './context.js';
import { T } from './texts.js';

const EVERYONE: readonly StaffRole[] = STAFF_ROLES;

/** Roles allowed per command. Reporting a death is for those who work cases in a region. */
export const COMMAND_ROLES: Record<CommandName, readonly StaffRole[]> = {
  bind: EVERYONE,
  help: EVERYONE,
  cancel: EVERYONE,
  myItems: EVERYONE,
  complain: EVERYONE,
  caseStatus: EVERYONE,
  // 转办: who may is the domain rule's (domain/cases/transfer.ts), answered in its words.
  transfer: EVERYONE,
  // 代理审批: who may is the domain rule's (domain/cases/delegation.ts).
  delegate: EVERYONE,
  progressReport: EVERYONE,
  villageReport: ['VILLAGE_COMMITTEE', 'TOWNSHIP_CASEWORKER', 'TOWNSHIP_HEAD'],
  townshipSubmit: ['TOWNSHIP_CASEWORKER', 'TOWNSHIP_HEAD'],
  rectifyProgress: ['VILLAGE_COMMITTEE', 'TOWNSHIP_CASEWORKER', 'TOWNSHIP_HEAD', 'SECTION_CASEWORKER', 'SECTION_HEAD'],
  rectifyDone: ['VILLAGE_COMMITTEE', 'TOWNSHIP_CASEWORKER', 'TOWNSHIP_HEAD', 'SECTION_CASEWORKER', 'SECTION_HEAD'],
  rectifyReturn: ['TASKFORCE_OFFICE', 'TASKFORCE_LEADER'],
  // 乡镇受理申请 (57号 Art. 11); the 专班 office may register one that came to the county.
  registerApplication: ['TOWNSHIP_CASEWORKER', 'TOWNSHIP_HEAD', 'TASKFORCE_OFFICE'],
  rectifyOpen: ['TASKFORCE_OFFICE', 'TASKFORCE_LEADER'],
  // 专班办公室 registers complaints that came by hotline, letter or visit.
  registerComplaint: ['TASKFORCE_OFFICE', 'TASKFORCE_LEADER'],
  // 社会救助经办人 and 村(居)委会成员 must file (57号 Art. 11); leaders may too.
  nearRelative: ['VILLAGE_COMMITTEE', 'TOWNSHIP_CASEWORKER', 'TOWNSHIP_HEAD', 'SECTION_CASEWORKER', 'SECTION_HEAD', 'TASKFORCE_OFFICE', 'TASKFORCE_LEADER'],
  reportPrison: ['VILLAGE_COMMITTEE', 'TOWNSHIP_CASEWORKER', 'TOWNSHIP_HEAD', 'SECTION_CASEWORKER', 'SECTION_HEAD', 'TASKFORCE_OFFICE', 'ADMIN'],
  reportDeath: ['VILLAGE_COMMITTEE', 'TOWNSHIP_CASEWORKER', 'TOWNSHIP_HEAD', 'SECTION_CASEWORKER', 'SECTION_HEAD', 'TASKFORCE_OFFICE', 'ADMIN'],
};

export function mayUse(role: StaffRole, command: CommandName): boolean {
  return COMMAND_ROLES[command].includes(role);
}

/** Refuses a command the sender's role may not use. */
export const checkRole: BotMiddleware = async (ctx, next) => {
  if (ctx.command && ctx.staff && !mayUse(ctx.staff.role, ctx.command.name)) {
    ctx.auditNotes.outcome = 'forbidden';
    await ctx.reply(T.forbidden);
    return;
  }
  return next();
};

/** True when `regionId` is `scopeRegionId` or lies under it. */
export { countyOfRegion } from '../../readmodels/regions.js';

export async function regionCovers(prisma: PrismaClient, scopeRegionId: number, regionId: number): Promise<boolean> {
  let current: number | null = regionId;
  for (let depth = 0; current !== null && depth < 10; depth++) {
    if (current === scopeRegionId) return true;
    const row: { parentId: number | null } | null = await prisma.region.findUnique({ where: { id: current }, select: { parentId: true } });
    current = row?.parentId ?? null;
  }
  return false;
}

