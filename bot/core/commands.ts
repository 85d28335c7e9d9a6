// Commands in their Chinese and slash forms: "/绑定 CODE", "绑定 CODE",
// "/bind CODE", and "/bind@SomeBot CODE" as Telegram sends them in groups.

export type CommandName = 'bind' | 'myItems' | 'help' | 'cancel' | 'reportDeath' | 'reportPrison' | 'complain' | 'caseStatus' | 'nearRelative' | 'rectifyProgress' | 'rectifyDone' | 'rectifyReturn' | 'progressReport' | 'villageReport' | 'townshipSubmit' | 'registerApplication' | 'rectifyOpen' | 'transfer' | 'registerComplaint' | 'delegate';

export interface ParsedCommand {
  name: CommandName;
  /** The rest of the line after the command word, trimmed. */
  args: string;
}

const ALIASES: Record<CommandName, string[]> = {
  bind: ['绑定', 'bind'],
  myItems: ['我的待办', '待办', 'todo', 'mine'],
  help: ['帮助', 'help', 'start'],
  cancel: ['取消', 'cancel'],
  reportDeath: ['报告死亡', '死亡报告', 'report_death'],
  reportPrison: ['报告服刑', '服刑报告', 'report_prison'],
  complain: ['举报', '实名举报', 'complain'],
  caseStatus: ['案件', '进度', 'case'],
  nearRelative: ['近亲属备案', '备案', 'near_relative'],
  rectifyProgress: ['整改进展', 'rectify_progress'],
  progressReport: ['进展报送', '报送进展', '周报', 'progress'],
  villageReport: ['村级月报', '月报', 'village_report'],
  townshipSubmit: ['乡镇核报', 'township_submit'],
  rectifyDone: ['整改完成', 'rectify_done'],
  rectifyReturn: ['整改退回', 'rectify_return'],
  registerApplication: ['登记申请', '申请登记', 'register_application'],
  rectifyOpen: ['整改', '列入整改', 'rectify'],
  transfer: ['转办', 'transfer'],
  registerComplaint: ['登记信访', '信访登记', 'register_complaint'],
  delegate: ['代理审批', 'delegate'],
};

const BY_WORD = new Map<string, CommandName>(
  Object.entries(ALIASES).flatMap(([name, words]) => words.map((w) => [w.toLowerCase(), name as CommandName] as const)),
);

/**
 * Parses a command. Slash forms always count; Chinese words without a slash
 * count only for the Chinese aliases (so ordinary form answers such as a name
 * are never mistaken for commands, except the exact words themselves).
 */
export function parseCommand(text: string): ParsedCommand | undefined {
  const trimmed = text.trim().replace(/^[\uFF0F/]/, (s) => (s ? '/' : s));
  const slash = trimmed.startsWith('/');
  const body = slash ? trimmed.slice(1) : trimmed;
  const m = /^(\S+?)(?:@\S+)?(?:\s+([\s\S]*))?$/u.exec(body);
  if (!m) return undefined;
  const word = m[1]!.toLowerCase();
  const name = BY_WORD.get(word);
  if (!name) return undefined;
  if (!slash && /^[a-z_]+$/.test(word)) return undefined;
  return { name, args: (m[2] ?? '').trim() };
}
