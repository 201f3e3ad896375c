import type { McpServerConfig, McpServerStatus, McpToolInfo } from '../contract/mcp';
import type { PermissionLevel } from '../contract/permissions';
import type { Logger } from '../log';
import type { ToolSource } from '../tools/source';
import type { Tool } from '../tools/tool';
import { McpConnection, type McpToolDefinition } from './connection';
import { definitionTokens } from '../tools/selection';
import { mcpToolName } from './names';
import { parsePromptCommand, promptArguments, promptCommand } from './prompt-command';
import { toToolResult } from './results';

/** No server of that name is configured. */
export class McpServerNotFoundError extends Error {
  override readonly name = 'McpServerNotFoundError';
  constructor(readonly server: string) {
    super(`There is no MCP server "${server}".`);
  }
}

export interface McpServersOptions {
  root: string;
  /** `mcp.servers` of the workspace's settings, read again whenever they change. */
  servers(): Record<string, McpServerConfig>;
  secret(name: string): string | undefined;
  saveSecret(name: string, value: string): Promise<void>;
  /** Takes keys and secrets out of text that leaves the process (a server may print its token to stderr). */
  redact(text: string): string;
  /** The dashboard's OAuth callback, for remote servers that ask for authorization; undefined without a dashboard. */
  oauthRedirect(): string | undefined;
  logger: Logger;
}

/** The level a server's tool is judged at: the tool's override, the server's, `read` for a read-only server, else `execute`. */
function levelOf(config: McpServerConfig, tool: string): PermissionLevel {
  return config.tools[tool]?.level ?? config.level ?? (config.readOnly ? 'read' : 'execute');
}

const isEnabled = (config: McpServerConfig, tool: string) => config.tools[tool]?.enabled !== false;

/**
 * Every configured MCP server as one tool source: each server's tools as `mcp__SERVER__TOOL`, through the same
 * pipeline and gate as every other tool. Servers connect in the background (the runtime does not wait for them), and
 * the source follows the settings: a server added, changed, switched off or removed is connected, restarted or closed.
 */
export class McpServers implements ToolSource {
  private readonly connections = new Map<string, McpConnection>();
  private readonly listeners = new Set<() => void>();
  private cached: Tool[] | null = null;
  private started = false;

  constructor(private readonly options: McpServersOptions) {}

  /**
   * Starts every configured server; they connect in the background. The owner calls it once its own start-up is
   * done (the server, once it listens): starting a process blocks the event loop for a while, two for each stdio
   * server (the SDK probes the protocol era in a sibling process).
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.reconcile();
  }

  /** Resolves once every server's current attempt has ended (tests and measurements; runs never wait on it). */
  /** Starts the servers if that was not done yet, and resolves once each has connected or failed. */
  async settled(): Promise<void> {
    this.start();
    for (;;) {
      const pending = [...this.connections.values()].filter((c) => c.state === 'connecting');
      if (pending.length === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Brings the connections in line with the settings: new ones start, changed ones restart, removed ones close. */
  reconcile(): void {
    if (!this.started) return;
    const wanted = this.options.servers();
    for (const [name, connection] of this.connections) {
      const config = wanted[name];
      if (config && sameConnection(config, connection.config)) {
        connection.config = config;
        continue;
      }
      this.connections.delete(name);
      void connection.close();
    }
    for (const [name, config] of Object.entries(wanted)) {
      if (this.connections.has(name)) continue;
      const connection = new McpConnection(name, config, {
        root: this.options.root,
        secret: this.options.secret,
        saveSecret: this.options.saveSecret,
        oauthRedirect: this.options.oauthRedirect,
        logger: this.options.logger,
        onChange: () => this.changed(),
      });
      this.connections.set(name, connection);
      void connection.start();
    }
    this.changed();
  }

  tools(): Tool[] {
    this.cached ??= [...this.connections.values()].flatMap((connection) =>
      connection.state === 'ready'
        ? connection.tools
            .filter((tool) => isEnabled(connection.config, tool.name))
            .map((tool) => this.toTool(connection, tool))
        : [],
    );
    return [...this.cached];
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.started = true;
    const all = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(all.map((connection) => connection.close()));
  }

  /** Restarts one server; false when there is no such server. */
  async restart(name: string): Promise<boolean> {
    const connection = this.connections.get(name);
    if (!connection) return false;
    await connection.restart();
    return true;
  }

  /** A connected server, or an error that says why there is none. */
  server(name: string): McpConnection {
    const connection = this.connections.get(name);
    if (!connection) throw new McpServerNotFoundError(name);
    return connection;
  }

  /**
   * Connects to a server that is not saved yet, lists its tools and lets it go: the MCP page's "Test". Resolves
   * with what a saved server would show, failed or ready.
   */
  async test(name: string, config: McpServerConfig): Promise<McpServerStatus> {
    const connection = new McpConnection(
      name,
      { ...config, enabled: true },
      {
        root: this.options.root,
        secret: this.options.secret,
        saveSecret: this.options.saveSecret,
        oauthRedirect: this.options.oauthRedirect,
        logger: this.options.logger,
        onChange: () => undefined,
      },
    );
    await connection.start();
    const status = statusOf(connection);
    await connection.close();
    return status;
  }

  /**
   * A chat command naming one of the servers' prompts (`/mcp__SERVER__PROMPT args`), as the text of a user message;
   * undefined when the text is no such command.
   */
  async expandPrompt(text: string): Promise<string | undefined> {
    const parsed = parsePromptCommand(text);
    const connection = parsed && this.connections.get(parsed.server);
    if (!parsed || !connection || connection.state !== 'ready') return undefined;
    const prompt = (await connection.listPrompts()).find(
      (p) => promptCommand(connection.name, p.name) === parsed.command,
    );
    if (!prompt) return undefined;
    return connection.getPrompt(prompt.name, promptArguments(parsed.rest, prompt.arguments));
  }

  /**
   * The OAuth callback: the server whose flow sent this `state` exchanges the code and connects again. False when no
   * server waits for that state (a stale or forged callback).
   */
  async finishAuthorization(params: URLSearchParams): Promise<boolean> {
    for (const connection of this.connections.values()) if (await connection.finishAuthorization(params)) return true;
    return false;
  }

  /** The prompts of every ready server, as chat commands; a server that fails to list them is left out. */
  async promptCommands(): Promise<
    { name: string; description: string; arguments: { name: string; description?: string; required?: boolean }[] }[]
  > {
    const ready = [...this.connections.values()].filter((c) => c.state === 'ready');
    const lists = await Promise.all(
      ready.map(async (connection) => {
        try {
          return (await connection.listPrompts()).map((prompt) => ({
            name: promptCommand(connection.name, prompt.name).slice(1),
            description: prompt.description ?? `A prompt of the MCP server ${connection.name}`,
            arguments: prompt.arguments,
          }));
        } catch (error) {
          connection.log.note(`could not list the prompts: ${error instanceof Error ? error.message : String(error)}`);
          return [];
        }
      }),
    );
    return lists.flat();
  }

  /** The resources of every ready server, with the server each is read from. */
  async resources(): Promise<{ server: string; uri: string; name: string; description?: string; mimeType?: string }[]> {
    const ready = [...this.connections.values()].filter((c) => c.state === 'ready');
    const lists = await Promise.all(
      ready.map(async (connection) => {
        try {
          return (await connection.listResources()).map((resource) => ({ server: connection.name, ...resource }));
        } catch (error) {
          connection.log.note(
            `could not list the resources: ${error instanceof Error ? error.message : String(error)}`,
          );
          return [];
        }
      }),
    );
    return lists.flat();
  }

  /** A server's log: its stderr and our notes, the last 1 MB, with every known secret taken out. */
  log(name: string): string | undefined {
    const text = this.connections.get(name)?.log.text();
    return text === undefined ? undefined : this.options.redact(text);
  }

  status(): McpServerStatus[] {
    return [...this.connections.values()].map((connection) => statusOf(connection));
  }

  private toTool(connection: McpConnection, definition: McpToolDefinition): Tool {
    const { config } = connection;
    const name = mcpToolName(connection.name, definition.name);
    const { $schema: _schema, ...inputSchema } = definition.inputSchema;
    return {
      name,
      description: definition.description ?? `${definition.name} (MCP server ${connection.name})`,
      permissionLevel: levelOf(config, definition.name),
      source: 'mcp',
      inputSchema: { type: 'object', ...inputSchema },
      async execute(input, ctx) {
        const result = await connection.callTool(definition.name, input, {
          signal: ctx.signal,
          onProgress: (progress) => ctx.progress(progress),
        });
        return toToolResult(result);
      },
    };
  }

  private changed(): void {
    this.cached = null;
    for (const listener of this.listeners) listener();
  }
}

/** Whether two configurations reach the server the same way: they may differ in their tools' switches and levels. */
function sameConnection(a: McpServerConfig, b: McpServerConfig): boolean {
  const { tools: _a, ...restA } = a;
  const { tools: _b, ...restB } = b;
  return JSON.stringify(restA) === JSON.stringify(restB);
}

function statusOf(connection: McpConnection): McpServerStatus {
  const { config } = connection;
  const tools: McpToolInfo[] = connection.tools.map((tool) => {
    const toolName = mcpToolName(connection.name, tool.name);
    const description = tool.description ?? '';
    return {
      name: tool.name,
      toolName,
      description,
      inputSchema: tool.inputSchema,
      level: levelOf(config, tool.name),
      enabled: isEnabled(config, tool.name),
      ...(tool.annotations ? { annotations: tool.annotations } : {}),
      tokens: definitionTokens(toolName, description, tool.inputSchema),
    };
  });
  const serverInfo = connection.serverInfo;
  const protocolVersion = connection.protocolVersion;
  return {
    name: connection.name,
    state: connection.state,
    ...(connection.reason ? { reason: connection.reason } : {}),
    ...(connection.authorizeUrl ? { authorizeUrl: connection.authorizeUrl } : {}),
    transport: connection.transport,
    ...(protocolVersion ? { protocolVersion } : {}),
    ...(serverInfo ? { serverInfo } : {}),
    tools,
    resources: connection.resources,
    prompts: connection.prompts,
    attempts: connection.attempts,
    ...(connection.retryAt && connection.state === 'failed'
      ? { retryAt: new Date(connection.retryAt).toISOString() }
      : {}),
  };
}
