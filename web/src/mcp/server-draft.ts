import { MCP_SERVER_NAME, type McpServerConfig, type McpServerInput, type SecretRef } from '@contract/mcp';
import type { PermissionLevel } from '@contract/permissions';
import { ApiError } from '../lib/api';

/** One environment variable or header as typed: a value written out, or the name of a secret. */
export interface ValueRow {
  key: string;
  kind: 'text' | 'secret';
  text: string;
  secret: string;
}

/** The fields of the server form, as typed (the timeout stays text until saved so a half-typed value is kept). */
export interface ServerDraft {
  name: string;
  kind: 'local' | 'remote';
  command: string;
  /** One argument per line. */
  args: string;
  env: ValueRow[];
  cwd: string;
  url: string;
  transport: 'auto' | 'http' | 'sse';
  headers: ValueRow[];
  /** The secret holding the bearer token; empty for none. */
  bearer: string;
  readOnly: boolean;
  level: PermissionLevel | '';
  timeoutSeconds: string;
  /** Kept as saved: the list's switches change these, the form does not. */
  enabled: boolean;
  tools: McpServerConfig['tools'];
}

export const EMPTY_DRAFT: ServerDraft = {
  name: '',
  kind: 'local',
  command: '',
  args: '',
  env: [],
  cwd: '',
  url: '',
  transport: 'auto',
  headers: [],
  bearer: '',
  readOnly: false,
  level: '',
  timeoutSeconds: '60',
  enabled: true,
  tools: {},
};

export const emptyRow = (): ValueRow => ({ key: '', kind: 'text', text: '', secret: '' });

const rowsOf = (values: Record<string, string | SecretRef>): ValueRow[] =>
  Object.entries(values).map(([key, value]) =>
    typeof value === 'string'
      ? { key, kind: 'text', text: value, secret: '' }
      : { key, kind: 'secret', text: '', secret: value.secret },
  );

export function draftOf(name: string, config: McpServerConfig): ServerDraft {
  return {
    name,
    kind: config.url !== undefined ? 'remote' : 'local',
    command: config.command ?? '',
    args: config.args.join('\n'),
    env: rowsOf(config.env),
    cwd: config.cwd ?? '',
    url: config.url ?? '',
    transport: config.transport === 'http' || config.transport === 'sse' ? config.transport : 'auto',
    headers: rowsOf(config.headers),
    bearer: config.bearer?.secret ?? '',
    readOnly: config.readOnly,
    level: config.level ?? '',
    timeoutSeconds: String(config.timeoutMs / 1000),
    enabled: config.enabled,
    tools: config.tools,
  };
}

const valuesOf = (rows: ValueRow[]): Record<string, string | SecretRef> =>
  Object.fromEntries(
    rows
      .filter((row) => row.key.trim() !== '')
      .map((row) => [row.key.trim(), row.kind === 'secret' ? { secret: row.secret } : row.text]),
  );

/** The body to send: the fields of the kind chosen, nothing of the other. */
export function configOf(draft: ServerDraft): McpServerInput {
  const seconds = draft.timeoutSeconds.trim();
  const common = {
    enabled: draft.enabled,
    readOnly: draft.readOnly,
    ...(draft.level ? { level: draft.level } : {}),
    tools: draft.tools,
    ...(seconds ? { timeoutMs: Math.round(Number(seconds) * 1000) } : {}),
  };
  if (draft.kind === 'local')
    return {
      command: draft.command.trim(),
      args: draft.args.split('\n').filter((arg) => arg.trim() !== ''),
      env: valuesOf(draft.env),
      ...(draft.cwd.trim() ? { cwd: draft.cwd.trim() } : {}),
      ...common,
    };
  return {
    url: draft.url.trim(),
    ...(draft.transport !== 'auto' ? { transport: draft.transport } : {}),
    headers: valuesOf(draft.headers),
    ...(draft.bearer ? { bearer: { secret: draft.bearer } } : {}),
    ...common,
  };
}

export const FORM_FIELDS = [
  'name',
  'command',
  'args',
  'env',
  'cwd',
  'url',
  'transport',
  'headers',
  'bearer',
  'readOnly',
  'level',
  'timeoutMs',
] as const;
export type FormField = (typeof FORM_FIELDS)[number];
export type FormErrors = Partial<Record<FormField | 'form', string>>;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function rowsProblem(rows: ValueRow[], what: 'variable' | 'header'): string | undefined {
  const keys = rows.map((row) => row.key.trim());
  for (const [i, row] of rows.entries()) {
    const key = keys[i]!;
    if (key === '' && (row.text !== '' || row.secret !== '')) return `Give the ${what} a name, or remove the row.`;
    if (key === '') continue;
    if (what === 'variable' && !ENV_NAME.test(key))
      return `${key}: an environment variable's name has letters, digits and _, and does not start with a digit.`;
    if (keys.indexOf(key) !== i) return `${key} is there twice.`;
    if (row.kind === 'secret' && row.secret === '') return `${key}: choose the secret that holds its value.`;
  }
  return undefined;
}

/**
 * What is wrong with the form before the server is asked: the checks of the contract the user would otherwise meet
 * one at a time. The server checks again and has the last word.
 */
export function draftProblems(draft: ServerDraft, creating: boolean, taken: string[]): FormErrors {
  const errors: FormErrors = {};
  const name = draft.name.trim();
  if (creating && !MCP_SERVER_NAME.test(name))
    errors.name = 'Use lower-case letters, digits, - and _ (at most 32), starting with a letter or digit.';
  else if (creating && taken.includes(name)) errors.name = `There is a server named ${name} already: edit it instead.`;
  if (draft.kind === 'local') {
    if (draft.command.trim() === '') errors.command = 'Give the command that starts the server.';
    const env = rowsProblem(draft.env, 'variable');
    if (env) errors.env = env;
  } else {
    if (!/^https?:\/\/\S+$/i.test(draft.url.trim()))
      errors.url = 'Give the address, starting with http:// or https://.';
    const headers = rowsProblem(draft.headers, 'header');
    if (headers) errors.headers = headers;
  }
  const seconds = draft.timeoutSeconds.trim();
  if (seconds !== '' && !(Number(seconds) >= 1 && Number(seconds) <= 3600))
    errors.timeoutMs = 'Between 1 and 3600 seconds.';
  return errors;
}

/**
 * Places a server error beside the field it names: a request the server refused names its field (`env.API_KEY`,
 * `config.url` for a test), a change the settings refused names it under `mcp.servers.NAME.`.
 */
export function placeError(error: unknown): FormErrors {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof ApiError) || !error.field) return { form: message };
  const field = error.field.replace(/^mcp\.servers\.[^.]+\.?/, '').replace(/^config\./, '');
  const [first, ...rest] = field.split('.');
  const problem = message.replace(/^[^\s:]+: /, '');
  const known = FORM_FIELDS.find((f) => f === first);
  if (!known) return { form: problem };
  return { [known]: rest.length ? `${rest.join('.')}: ${problem}` : problem };
}
