// How long until (or since) a deadline, in the one wording every text uses. Workflow-safe.

/** "还剩2天5小时", "还剩3小时", "已逾期1天2小时". */
export function timeLeftText(nowMs: number, expiresAtMs: number): string {
  const diff = expiresAtMs - nowMs;
  const abs = Math.abs(diff);
  const days = Math.floor(abs / 86_400_000);
  const hours = Math.floor((abs % 86_400_000) / 3_600_000);
  const minutes = Math.floor((abs % 3_600_000) / 60_000);
  let span: string;
  if (days > 0) span = hours > 0 ? `${days}天${hours}小时` : `${days}天`;
  else if (hours > 0) span = `${hours}小时`;
  else span = `${Math.max(1, minutes)}分钟`;
  return diff > 0 ? `还剩${span}` : `已逾期${span}`;
}
