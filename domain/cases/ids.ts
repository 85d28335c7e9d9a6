/**
 * Workflow ids of cases. Temporal shows ids in clear text, so they never
 * contain an ID number: the subject is named by its database id.
 */
export function deathReviewWorkflowId(countyRegionId: number, memberId: number): string {
  return `death-review:${countyRegionId}:${memberId}`;
}

/** One prisoner-exit case per imprisoned member per county. */
export function prisonExitWorkflowId(countyRegionId: number, memberId: number): string {
  return `prison-exit:${countyRegionId}:${memberId}`;
}

/**
 * One complaint workflow per intake (a hotline ticket, a letter's register
 * number, a chat event): `intakeDigest` is a hex digest of the intake key
 * (computed by the starter), so nothing the complainant wrote shows in the id.
 */
export function complaintWorkflowId(countyRegionId: number, intakeDigest: string): string {
  if (!/^[0-9a-f]{8,64}$/.test(intakeDigest)) throw new RangeError('intakeDigest must be lower-case hex');
  return `complaint:${countyRegionId}:${intakeDigest}`;
}
