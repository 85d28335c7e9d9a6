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

export interface ComplaintReport {
  complainantStaffId: number;
  /** Who or what the complaint is about. */
  subject: string;
  details: string;
  eventId: string;
}

export interface CaseStarted {
  /** A reference to show to the reporter (e.g. the case or workflow id). */
  caseRef: string;
}

export interface CaseStarter {
  reportDeath(report: DeathReport): Promise<CaseStarted>;
  fileComplaint(report: ComplaintReport): Promise<CaseStarted>;
}

/**
 * A report the case side refuses for a reason the sender can fix (no such
 * recipient in the county, wrong region …). The message is Chinese and safe
 * to show in the chat; the form is not kept for a retry.
 */
export class CaseRefusedError extends Error {
  override name = 'CaseRefusedError';
}
