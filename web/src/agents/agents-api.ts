import {
  type AgentDefinition,
  AgentDefinitionSchema,
  type AgentList,
  AgentListSchema,
  type AgentOrigin,
  type AgentSaveBody,
} from '@contract/agents';
import type { PermissionMode } from '@contract/permissions';
import { SessionSummarySchema } from '@contract/sessions';
import { ToolListSchema } from '@contract/tools';
import { ApiError, api, apiSend } from '../lib/api';
import { navigate } from '../lib/router';

export const ORIGIN_LABELS: Record<AgentOrigin, string> = {
  'built-in': 'Built-in',
  workspace: 'Workspace',
  claude: 'Claude Code',
  opencode: 'opencode',
};

/** The same words as the chat's mode picker, so a mode reads the same everywhere. */
export const MODE_LABELS: Record<PermissionMode, string> = {
  default: 'Ask before changes',
  acceptEdits: 'Accept edits',
  plan: 'Plan (read only)',
  bypass: 'Bypass: allow all',
};

/** Where the dashboard's editor saves an agent type, for the messages that name the file. */
export const workspaceFile = (name: string) => `.boxagnts/agents/${name}.md`;

export const loadAgents = (): Promise<AgentList> => api('/api/agents', AgentListSchema);

/** The workspace's tool names, offered when picking an agent's tools. */
export async function loadToolNames(): Promise<string[]> {
  const { tools } = await api('/api/tools', ToolListSchema);
  return tools.map((tool) => tool.name).sort();
}

export const saveAgent = (name: string, body: AgentSaveBody): Promise<AgentDefinition> =>
  api(`/api/agents/${name}`, AgentDefinitionSchema, { method: 'PUT', body });

export const deleteAgent = (name: string): Promise<void> => apiSend(`/api/agents/${name}`, { method: 'DELETE' });

/** "Try it": a new chat whose runs take this agent type. */
export async function tryAgent(name: string): Promise<void> {
  const session = await api('/api/sessions', SessionSummarySchema, {
    method: 'POST',
    body: { agentType: name, title: `Try ${name}` },
  });
  navigate(`/chat/${session.id}`);
}

/** The fields of the agent form, as typed: numbers stay text until saved so a half-typed value is kept. */
export interface AgentDraft {
  name: string;
  description: string;
  /** false: every tool of the agent that starts it. */
  limitTools: boolean;
  tools: string[];
  disallowedTools: string[];
  model: string;
  permissionMode: PermissionMode | '';
  maxTurns: string;
  budgetUsd: string;
  isolation: 'none' | 'worktree';
  readOnly: boolean;
  skills: string[];
  instructions: string;
}

export const EMPTY_DRAFT: AgentDraft = {
  name: '',
  description: '',
  limitTools: false,
  tools: [],
  disallowedTools: [],
  model: '',
  permissionMode: '',
  maxTurns: '',
  budgetUsd: '',
  isolation: 'none',
  readOnly: false,
  skills: [],
  instructions: '',
};

export function draftOf(agent: AgentDefinition): AgentDraft {
  return {
    name: agent.name,
    description: agent.description,
    limitTools: agent.tools !== undefined,
    tools: agent.tools ?? [],
    disallowedTools: agent.disallowedTools,
    model: agent.model ?? '',
    permissionMode: agent.permissionMode ?? '',
    maxTurns: agent.maxTurns?.toString() ?? '',
    budgetUsd: agent.budgetUsd?.toString() ?? '',
    isolation: agent.isolation ?? 'none',
    readOnly: agent.readOnly,
    skills: agent.skills,
    instructions: agent.instructions,
  };
}

/**
 * The body to save. Numbers are sent as typed (a word becomes NaN) so that the server, which owns the rules, names
 * what is wrong with them; empty fields are left out, which is what "inherit" means in an agent file.
 */
export function bodyOf(draft: AgentDraft): AgentSaveBody {
  const number = (text: string) => (text.trim() === '' ? undefined : Number(text));
  return {
    description: draft.description,
    tools: draft.limitTools ? draft.tools : undefined,
    disallowedTools: draft.disallowedTools.length ? draft.disallowedTools : undefined,
    model: draft.model.trim() || undefined,
    permissionMode: draft.permissionMode || undefined,
    maxTurns: number(draft.maxTurns),
    budgetUsd: number(draft.budgetUsd),
    isolation: draft.isolation === 'worktree' ? 'worktree' : undefined,
    readOnly: draft.readOnly || undefined,
    skills: draft.skills.length ? draft.skills : undefined,
    instructions: draft.instructions,
  };
}

export const FORM_FIELDS = [
  'name',
  'description',
  'tools',
  'disallowedTools',
  'model',
  'permissionMode',
  'maxTurns',
  'budgetUsd',
  'isolation',
  'readOnly',
  'skills',
  'instructions',
] as const;
export type FormField = (typeof FORM_FIELDS)[number];
export type FormErrors = Partial<Record<FormField | 'form', string>>;

/**
 * Places a server error beside the field it names. A request the server refused names its field
 * (`tools[2]`, `maxTurns`); a file that would not load says `field: problem` in its message.
 */
export function placeError(error: unknown): FormErrors {
  const message = error instanceof Error ? error.message : String(error);
  const named = error instanceof ApiError ? error.field : /^([A-Za-z]+)[[.:]/.exec(message)?.[1];
  const field = FORM_FIELDS.find((f) => f === named?.replace(/[[.].*$/, ''));
  if (!field) return { form: message };
  const prefix = /^[\w.[\]]+: /.exec(message)?.[0] ?? '';
  return { [field]: message.slice(prefix.length) };
}
