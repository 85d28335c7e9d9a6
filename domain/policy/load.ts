/**
 * Loading and validating a county policy, with Chinese error messages.
 */
import { parse as parseYaml } from 'yaml';
import { DomainError } from '../errors.js';
import { formatIssues, zhParseOptions } from '../zod-zh.js';
import { countyPolicySchema, type CountyPolicy, type CountyPolicyInput } from './schema.js';
import { wenshui, zhangzi } from './presets.js';

export interface PolicyIssue {
  path: string;
  message: string;
}

export class PolicyValidationError extends DomainError {
  readonly issues: PolicyIssue[];
  constructor(sourceName: string, issues: PolicyIssue[], text: string) {
    super('POLICY_INVALID', `${sourceName}无效（共 ${issues.length} 处问题）：\n${text}`);
    this.name = 'PolicyValidationError';
    this.issues = issues;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}

/**
 * Validate a policy object (parsed YAML/JSON or a preset). Returns a frozen,
 * fully defaulted `CountyPolicy`; throws `PolicyValidationError` whose message
 * lists every problem in Chinese with its path.
 */
export function loadPolicy(input: unknown, sourceName = '县级政策配置'): CountyPolicy {
  const r = countyPolicySchema.safeParse(input, zhParseOptions);
  if (!r.success) {
    const issues = r.error.issues.map((i) => ({
      path: i.path.map(String).join('.'),
      message: i.message,
    }));
    throw new PolicyValidationError(sourceName, issues, formatIssues(r.error.issues));
  }
  return deepFreeze(r.data);
}

/** Parse YAML text (or JSON) and validate it. */
export function loadPolicyYaml(text: string, sourceName = '县级政策配置文件'): CountyPolicy {
  let obj: unknown;
  try {
    obj = parseYaml(text);
  } catch (e) {
    throw new PolicyValidationError(sourceName, [{ path: '', message: 'YAML 语法错误' }], `YAML 语法错误：${(e as Error).message}`);
  }
  return loadPolicy(obj, sourceName);
}

/** Raw preset objects, deep-frozen (make an editable copy with structuredClone). */
export const presetInputs: Readonly<Record<'wenshui' | 'zhangzi', CountyPolicyInput>> = deepFreeze({ wenshui, zhangzi });

/** Validated presets for the two seed counties. */
export const presets: Readonly<Record<'wenshui' | 'zhangzi', CountyPolicy>> = Object.freeze({
  wenshui: loadPolicy(wenshui, '文水县预置配置'),
  zhangzi: loadPolicy(zhangzi, '长子县预置配置'),
});

export type PresetCode = keyof typeof presets;

/** A preset by county code; Chinese error listing the known codes otherwise. */
export function getPreset(code: string): CountyPolicy {
  const p = (presets as Record<string, CountyPolicy>)[code];
  if (!p) {
    throw new DomainError('UNKNOWN_COUNTY', `未知的县代码“${code}”。可用：${Object.keys(presets).join('、')}`);
  }
  return p;
}
