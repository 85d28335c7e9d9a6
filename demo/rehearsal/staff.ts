/**
 * Synthetic staff of a rehearsal: each reporting unit and each caseworker
 * gets one behaviour for the whole run, drawn from the seed — answers on
 * time, late, or never. They react to the Notification rows the workflows
 * write (the same rows the bot delivers) and act through the same Updates the
 * bot sends (WorkflowGateway), never by writing the database.
 */
import { createRandom, hashString } from '../../domain/random.js';

export type Behaviour = 'onTime' | 'late' | 'never';

export const BEHAVIOUR_LABELS: Record<Behaviour, string> = { onTime: '按时', late: '逾期', never: '不报' };

/** Shares of each behaviour (the rest is on time). */
export interface BehaviourMix {
  late: number;
  never: number;
}

export const DEFAULT_MIX: BehaviourMix = { late: 0.25, never: 0.15 };

/**
 * Behaviours for a set of actors named by stable keys (unit or staff names, so
 * the same seed gives the same county the same behaviours on any database).
 * With three actors or more, at least one of each kind.
 */
export function assignBehaviours(keys: readonly string[], seed: number, mix: BehaviourMix = DEFAULT_MIX): Map<string, Behaviour> {
  const order = [...keys].sort((a, b) => hashString(`${seed}:${a}`) - hashString(`${seed}:${b}`) || a.localeCompare(b));
  const rnd = createRandom(seed);
  const out = new Map<string, Behaviour>();
  order.forEach((key, i) => {
    let b: Behaviour;
    if (order.length >= 3 && i === 0) b = 'never';
    else if (order.length >= 3 && i === 1) b = 'late';
    else if (order.length >= 3 && i === 2) b = 'onTime';
    else {
      const r = rnd();
      b = r < mix.never ? 'never' : r < mix.never + mix.late ? 'late' : 'onTime';
    }
    out.set(key, b);
  });
  return out;
}

/** How long after the notification a synthetic person acts. */
export const REACTION = {
  /** On time: an hour after the prompt (before the first 09:00 reminder). */
  onTimeAfterPromptMs: 3_600_000,
  /** On time (cases): two hours after the first reminder. */
  onTimeAfterReminderMs: 2 * 3_600_000,
  /** Late: a day and two hours after the first escalation. */
  lateAfterEscalationMs: 26 * 3_600_000,
  /** Over-payments are paid back a week after the decision. */
  recoveryAfterDecisionMs: 7 * 24 * 3_600_000,
};
