/**
 * The roles of the people who use the system (domain.md R30), the one list every layer takes them
 * from: the database enum `StaffRole` has the same values (workflow code cannot import Prisma's).
 */
export const STAFF_ROLES = [
  'VILLAGE_COMMITTEE',
  'TOWNSHIP_CASEWORKER',
  'TOWNSHIP_HEAD',
  'SECTION_CASEWORKER',
  'SECTION_HEAD',
  'TASKFORCE_OFFICE',
  'TASKFORCE_LEADER',
  'DISCIPLINE_LIAISON',
  'ADMIN',
] as const;

export type StaffRole = (typeof STAFF_ROLES)[number];

/** Full role names (导入表、文书). */
export const STAFF_ROLE_LABELS: Record<StaffRole, string> = {
  VILLAGE_COMMITTEE: '村(居)委会成员',
  TOWNSHIP_CASEWORKER: '乡镇经办人',
  TOWNSHIP_HEAD: '乡镇负责人',
  SECTION_CASEWORKER: '股室经办人',
  SECTION_HEAD: '股室负责人',
  TASKFORCE_OFFICE: '专班办公室',
  TASKFORCE_LEADER: '专班组长/副组长',
  DISCIPLINE_LIAISON: '纪检联络',
  ADMIN: '管理员',
};

/** Short role names for lists and pickers (控制台、看板、命令行). */
export const STAFF_ROLE_SHORT_LABELS: Readonly<Record<string, string>> = {
  VILLAGE_COMMITTEE: '村(居)委会',
  TOWNSHIP_CASEWORKER: '乡镇经办人',
  TOWNSHIP_HEAD: '乡镇负责人',
  SECTION_CASEWORKER: '股室经办人',
  SECTION_HEAD: '股室负责人',
  TASKFORCE_OFFICE: '专班办公室',
  TASKFORCE_LEADER: '专班组长',
  DISCIPLINE_LIAISON: '纪检联络',
  ADMIN: '管理员',
};
