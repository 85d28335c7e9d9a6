// Inline-keyboard callback data, at most 64 BYTES (Bot API limit):
// "a:<action>:<caseRef>:<value>", empty parts left empty.
import type { ButtonAction } from '../core/types.js';

export const MAX_CALLBACK_DATA_BYTES = 64;

export function encodeCallbackData(action: ButtonAction): string {
  const parts = [action.action, action.caseRef ?? '', action.value ?? ''];
  if (parts.some((p) => p.includes(':'))) throw new Error('callback data parts must not contain ":"');
  const data = `a:${parts.join(':')}`.replace(/:+$/, '');
  if (Buffer.byteLength(data, 'utf8') > MAX_CALLBACK_DATA_BYTES) throw new Error(`callback data over ${MAX_CALLBACK_DATA_BYTES} bytes: ${data}`);
  return data;
}

export function decodeCallbackData(data: string): ButtonAction | undefined {
  const m = /^a:([^:]+)(?::([^:]*))?(?::([^:]*))?$/.exec(data);
  if (!m) return undefined;
  return { action: m[1]!, ...(m[2] ? { caseRef: m[2] } : {}), ...(m[3] ? { value: m[3] } : {}) };
}
