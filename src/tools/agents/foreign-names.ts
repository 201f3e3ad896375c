import type { PermissionMode } from '../../contract/permissions';

/**
 * Tool names other agents write in their agent files (Claude Code's `Read`, opencode's `webfetch`), as ours. A name
 * not listed is kept as written: it may be one of ours, or an MCP tool.
 */
const TOOL_NAMES: Readonly<Record<string, string>> = {
  read: 'read',
  write: 'write',
  edit: 'edit',
  multiedit: 'edit',
  glob: 'glob',
  grep: 'grep',
  ls: 'glob',
  list: 'glob',
  bash: 'bash',
  webfetch: 'web_fetch',
  todowrite: 'todo_write',
  task: 'agent',
};

export function ourToolName(name: string): string {
  return TOOL_NAMES[name.toLowerCase()] ?? name;
}

/** Permission modes as Claude Code writes them; ours pass through. */
const MODES: Readonly<Record<string, PermissionMode>> = {
  default: 'default',
  acceptedits: 'acceptEdits',
  plan: 'plan',
  bypass: 'bypass',
  bypasspermissions: 'bypass',
};

export function ourPermissionMode(mode: unknown): unknown {
  return typeof mode === 'string' ? (MODES[mode.toLowerCase()] ?? mode) : mode;
}
