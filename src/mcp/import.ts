import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'jsonc-parser';
import { MCP_SERVER_NAME, McpServerConfigSchema, type McpServerInput } from '../contract/mcp';
import { errnoCode, errorMessage } from '../fs/errors';

/** The files other tools keep MCP servers in, relative to the workspace. */
export const IMPORT_SOURCES = ['.mcp.json', '.cursor/mcp.json', 'opencode.json', 'opencode.jsonc'] as const;

/** A server found in another tool's file, as it would be added; its secret values are moved to secrets.json. */
export interface ImportedServer {
  name: string;
  config: McpServerInput;
  /** Values of `env` and `headers` that become named secrets: settings only refer to them. */
  secrets: Record<string, string>;
}

export interface ImportPreview {
  source: string;
  servers: ImportedServer[];
  /** Servers that could not be read, with the reason. */
  problems: string[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const strings = (value: unknown): Record<string, string> =>
  isRecord(value)
    ? Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'))
    : {};

/** A server name of ours from another tool's (which may hold capitals, dots or spaces). */
export function importName(name: string): string {
  const clean = name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+/, '')
    .slice(0, 32);
  return MCP_SERVER_NAME.test(clean) ? clean : 'server';
}

/** Every value of `env` and `headers` goes to secrets.json under `mcp-SERVER-KEY`, and the setting refers to it. */
function withSecrets(
  name: string,
  config: McpServerInput & { env?: Record<string, string>; headers?: Record<string, string> },
): ImportedServer {
  const secrets: Record<string, string> = {};
  const refer = (kind: string, values: Record<string, string> | undefined) =>
    values === undefined
      ? undefined
      : Object.fromEntries(
          Object.entries(values).map(([key, value]) => {
            const secret = `mcp-${name}-${kind}-${key}`.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 100);
            secrets[secret] = value;
            return [key, { secret }];
          }),
        );
  const env = refer('env', config.env);
  const headers = refer('header', config.headers);
  return { name, config: { ...config, ...(env ? { env } : {}), ...(headers ? { headers } : {}) }, secrets };
}

/** Claude Code's and Cursor's `{"mcpServers": {NAME: {command, args, env} | {type, url, headers}}}`. */
function fromMcpServers(raw: unknown): { servers: [string, unknown][] } {
  const servers = isRecord(raw) && isRecord(raw.mcpServers) ? raw.mcpServers : {};
  return { servers: Object.entries(servers) };
}

function claudeServer(name: string, value: unknown): ImportedServer {
  if (!isRecord(value)) throw new Error('not an object');
  const type = typeof value.type === 'string' ? value.type : undefined;
  if (typeof value.url === 'string')
    return withSecrets(name, {
      url: value.url,
      ...(type === 'sse' ? { transport: 'sse' as const } : type === 'http' ? { transport: 'http' as const } : {}),
      headers: strings(value.headers),
    });
  if (typeof value.command !== 'string') throw new Error('neither a command nor a url');
  return withSecrets(name, {
    command: value.command,
    args: Array.isArray(value.args) ? value.args.filter((a): a is string => typeof a === 'string') : [],
    env: strings(value.env),
  });
}

/** opencode's `{"mcp": {NAME: {type: 'local', command: [...], environment} | {type: 'remote', url, headers}}}`. */
function opencodeServer(name: string, value: unknown): ImportedServer {
  if (!isRecord(value)) throw new Error('not an object');
  const enabled = value.enabled !== false;
  if (value.type === 'remote' && typeof value.url === 'string')
    return withSecrets(name, { url: value.url, headers: strings(value.headers), enabled });
  const command = Array.isArray(value.command) ? value.command.filter((a): a is string => typeof a === 'string') : [];
  if (command.length === 0) throw new Error('no command');
  return withSecrets(name, { command: command[0]!, args: command.slice(1), env: strings(value.environment), enabled });
}

/**
 * What the workspace's files from other tools would add, checked as settings would check it, for the user to review
 * before anything is written. A file that is absent is skipped; one that cannot be read says why.
 */
export async function previewImports(root: string): Promise<ImportPreview[]> {
  const previews: ImportPreview[] = [];
  for (const source of IMPORT_SOURCES) {
    let text: string;
    try {
      text = await readFile(join(root, source), 'utf8');
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') continue;
      previews.push({ source, servers: [], problems: [`cannot read it: ${errorMessage(error)}`] });
      continue;
    }
    const raw: unknown = parse(text);
    const opencode = source.startsWith('opencode');
    const entries = opencode
      ? Object.entries(isRecord(raw) && isRecord(raw.mcp) ? raw.mcp : {})
      : fromMcpServers(raw).servers;
    const preview: ImportPreview = { source, servers: [], problems: [] };
    for (const [original, value] of entries) {
      const name = importName(original);
      try {
        const server = opencode ? opencodeServer(name, value) : claudeServer(name, value);
        const checked = McpServerConfigSchema.safeParse(server.config);
        if (!checked.success) throw new Error(checked.error.issues[0]?.message ?? 'invalid');
        preview.servers.push(server);
      } catch (error) {
        preview.problems.push(`${original}: ${errorMessage(error)}`);
      }
    }
    previews.push(preview);
  }
  return previews;
}
