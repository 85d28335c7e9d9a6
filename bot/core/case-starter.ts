// The port through which the bot starts long-running cases. The case-workflow
// side implements it (Temporal workflow start with a natural-key workflow id);
// tests pass a recording implementation.

export interface DeathReport {
  reporterStaffId: number;
  /** The deceased's name. */
  name: string;
  /** 18-digit ID number, validated and normalised. */
  idNumber: string;
  /** 'YYYY-MM-DD' (Asia/Shanghai calendar date). */
  deathDate: string;
  /** Where the reporter learnt it (村报、殡葬、公安 …). */
  source: string;
  /** The inbound event that completed the form: an idempotency key. */
  eventId: string;
}

export interface ImprisonmentReport {
  reporterStaffId: number;
  name: string;
  /** 18-digit ID number, validated and normalised. */
  idNumber: string;
  /** 'YYYY-MM-DD': the day custody or the sentence began. */
  imprisonmentDate: string;
  source: string;
  eventId: string;
}

/** 近亲属备案: a staff member or cadre declares that their relative applies for or receives assistance. */
export interface NearRelativeReport {
  filerStaffId: number;
  relativeName: string;
  relativeIdNumber: string;
  /** Chinese relation as typed (配偶、父母、子女 …); the county policy decides which count. */
  relation: string;
  eventId: string;
}

export interface ComplaintReport {
  complainantStaffId: number;
  /** Who or what the complaint is about (for the summary). */
  subject: string;
  /** The accused staff member (chosen from the staff list), or null: an ordinary complaint. */
  accusedStaffId?: number | null;
  details: string;
  eventId: string;
}

/** 信访登记 (issue 13): a complaint that came to the 专班 office by hotline, letter or visit. */
export interface ComplaintIntakeReport {
  /** The 专班 office member who registers it. */
  staffId: number;
  channel: string;
  complainantName: string;
  complainantPhone: string;
  subjectRegionId: number | null;
  accusedStaffId: number | null;
  summary: string;
  eventId: string;
}

/** 申请登记 (issue 13): an application a township accepted, registered in chat or the console. */
export interface ApplicationReport {
  staffId: number;
  applicantName: string;
  /** 18-digit ID number, validated and normalised (asked in private chat only). */
  applicantIdNumber: string;
  /** AssistanceKind code (URBAN_DIBAO …). */
  kind: string;
  /** The village as typed (already checked against the staff member's scope). */
  village: string;
  householdSize: number;
  /** Yuan a month applied for, two decimals. */
  monthlyAmount: string;
  /** 'YYYY-MM-DD' */
  acceptedAt: string;
  eventId: string;
}

/** 整改清单 (issue 13): from a finding (`/整改 <线索编号>`), or by hand (unit, problem, measures, deadline). */
export type RectificationReport =
  | { staffId: number; findingId: number; eventId: string }
  | { staffId: number; township: string; problem: string; measures: string; deadline: string; eventId: string };

export interface CaseStarted {
  /** A reference to show to the reporter (e.g. the case or workflow id). */
  caseRef: string;
}

export interface CaseStarter {
  reportDeath(report: DeathReport): Promise<CaseStarted>;
  reportImprisonment(report: ImprisonmentReport): Promise<CaseStarted>;
  fileNearRelative(report: NearRelativeReport): Promise<CaseStarted>;
  fileComplaint(report: ComplaintReport): Promise<CaseStarted>;
  /** Registers a hotline/letter/visit complaint and opens its workflow (absent: not taken). */
  registerComplaintIntake?(report: ComplaintIntakeReport): Promise<CaseStarted>;
  /** Registers an application and opens its review (absent: the front cannot register applications). */
  registerApplication?(report: ApplicationReport): Promise<CaseStarted>;
  /** Opens a rectification item for the county of the staff member. */
  openRectification?(report: RectificationReport): Promise<CaseStarted>;
}

/**
 * A report the case side refuses for a reason the sender can fix (no such
 * recipient in the county, wrong region …). The message is Chinese and safe
 * to show in the chat; the form is not kept for a retry.
 */
export class CaseRefusedError extends Error {
  override name = 'CaseRefusedError';
}
