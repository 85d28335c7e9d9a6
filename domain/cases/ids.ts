/**
 * Workflow ids of cases. Temporal shows ids in clear text, so they never
 * contain an ID number: the subject is named by its database id.
 */
export function deathReviewWorkflowId(countyRegionId: number, memberId: number): string {
  return `death-review:${countyRegionId}:${memberId}`;
}
