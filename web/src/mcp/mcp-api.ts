import {
  type McpImportPreview,
  McpImportPreviewSchema,
  McpImportResultSchema,
  type McpOverview,
  McpOverviewSchema,
  McpPromptsSchema,
  McpResourceReadSchema,
  McpResourcesSchema,
  type McpServerConfig,
  McpServerConfigSchema,
  type McpServerInput,
  type McpServerStatus,
  McpServerStatusSchema,
  McpSecretListSchema,
} from '@contract/mcp';
import type { PermissionLevel } from '@contract/permissions';
import { SettingsSchema } from '@contract/settings';
import { ApiError, api, apiSend, errorFromAnswer, parseJson } from '../lib/api';

const path = (name: string) => `/api/mcp/servers/${encodeURIComponent(name)}`;

export const loadOverview = (): Promise<McpOverview> => api('/api/mcp', McpOverviewSchema);

/** The servers as configured (`mcp.servers` of the settings): what the edit form and the switches start from. */
export async function loadConfigs(): Promise<Record<string, McpServerConfig>> {
  return (await api('/api/settings', SettingsSchema)).mcp.servers;
}

export const saveServer = (name: string, config: McpServerInput): Promise<McpServerStatus> =>
  api(path(name), McpServerStatusSchema, { method: 'PUT', body: config });

export const removeServer = (name: string): Promise<void> => apiSend(path(name), { method: 'DELETE' });

export const restartServer = (name: string): Promise<McpServerStatus> =>
  api(`${path(name)}/restart`, McpServerStatusSchema, { method: 'POST' });

/** Switches a tool on or off, or sets its level; the body replaces the tool's override as a whole. */
export const setToolOverride = (
  name: string,
  tool: string,
  override: { enabled?: boolean; level?: PermissionLevel },
): Promise<void> => apiSend(`${path(name)}/tools/${encodeURIComponent(tool)}`, { method: 'PUT', body: override });

/** Connects with a configuration that is not saved, lists its tools and lets it go. */
export const testServer = (name: string | undefined, config: McpServerInput): Promise<McpServerStatus> =>
  api('/api/mcp/test', McpServerStatusSchema, { method: 'POST', body: { ...(name ? { name } : {}), config } });

/** A server's log: plain text, not JSON. */
export async function loadLog(name: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(`${path(name)}/log`);
  } catch {
    // fetch only rejects when the server cannot be reached; the message says so, as every other call's does.
    throw new ApiError(0, 'network_error', 'Cannot reach the boxagnts server. Is it still running?');
  }
  const text = await response.text();
  if (!response.ok) throw errorFromAnswer(response.status, parseJson(text), `Request failed (${response.status})`);
  return text;
}

export const loadResources = (name: string) => api(`${path(name)}/resources`, McpResourcesSchema);
export const readResource = (name: string, uri: string) =>
  api(`${path(name)}/resources/read?uri=${encodeURIComponent(uri)}`, McpResourceReadSchema);
export const loadPrompts = (name: string) => api(`${path(name)}/prompts`, McpPromptsSchema);

export const loadImports = (): Promise<McpImportPreview> => api('/api/mcp/import', McpImportPreviewSchema);
export const importServers = (source: string, names: string[]) =>
  api('/api/mcp/import', McpImportResultSchema, { method: 'POST', body: { source, names } });

export async function loadSecretNames(): Promise<string[]> {
  return (await api('/api/mcp/secrets', McpSecretListSchema)).names;
}
export const saveSecret = (name: string, value: string): Promise<void> =>
  apiSend(`/api/mcp/secrets/${encodeURIComponent(name)}`, { method: 'PUT', body: { value } });
export const deleteSecret = (name: string): Promise<void> =>
  apiSend(`/api/mcp/secrets/${encodeURIComponent(name)}`, { method: 'DELETE' });

/** The configuration of an imported server, read as the settings would read it (undefined if they would not). */
export function importedConfig(config: Record<string, unknown>): McpServerConfig | undefined {
  const parsed = McpServerConfigSchema.safeParse(config);
  return parsed.success ? parsed.data : undefined;
}
