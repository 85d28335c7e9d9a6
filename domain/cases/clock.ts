import { toChinaDate } from '../time/instants.js';
import type { LocalDate } from '../time/local-date.js';

/** The civil date in Beijing of an instant (ms), for workflow code (see toChinaDate). */
export function beijingDateOf(ms: number): LocalDate {
  return toChinaDate(new Date(ms));
}
