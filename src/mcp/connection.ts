import { resolve } from 'node:path';
import {
  Client,
  SSEClientTransport,
  StreamableHTTPClientTransport,
  type Transport,
  UnauthorizedError,
} from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { McpServerConfig, McpTransport, SecretRef } from '../contract/mcp';
import { errorMessage } from '../fs/errors';
import type { Logger } from '../log';
import { VERSION } from '../version';
import { LogBuffer } from './log-buffer';
import { McpOAuthProvider, oauthSecretName } from './oauth';

/** A tool as the server lists it. */
export interface McpToolDefinition {
  name: string;
  description?: string | undefined;
  inputSchema: Record<string, unknown>;
  annotations?: { readOnlyHint?: boolean | undefined; destructiveHint?: boolean | undefined } | undefined;
}

export type McpState = 'disabled' | 'connecting' | 'ready' | 'failed';

/** Waits before the next attempt after `attempts` failures in a row: 1 s, 2 s, 4 s … at most a minute. */
export function retryDelay(attempts: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.max(0, attempts - 1));
}

export interface ConnectionDeps {
  /** The workspace folder: where a command starts unless its `cwd` says otherwise. */
  root: string;
  secret(name: string): string | undefined;
  saveSecret(name: string, value: string): Promise<void>;
  /** Where an OAuth authorization comes back to: the dashboard's callback; undefined without a dashboard. */
  oauthRedirect(): string | undefined;
  logger: Logger;
  /** Called whenever the state or the tools change. */
  onChange(): void;
}

/** A value of the configuration, with secrets taken from secrets.json. */
function resolveValue(value: string | SecretRef, deps: ConnectionDeps): string {
  if (typeof value === 'string') return value;
  const secret = deps.secret(value.secret);
  if (secret === undefined) throw new Error(`the secret "${value.secret}" is not set (add it on the MCP page)`);
  return secret;
}

function resolveRecord(values: Record<string, string | SecretRef>, deps: ConnectionDeps): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, resolveValue(value, deps)]));
}

/**
 * One configured MCP server: a long-lived client, connected in the background, reconnected with backoff when it
 * fails or its process exits, its tools listed and refreshed when the server says they changed. A stdio server is a
 * process the user configured, started here and nowhere else; its stderr goes to the server's log.
 */
export class McpConnection {
  state: McpState = 'connecting';
  reason: string | undefined;
  tools: McpToolDefinition[] = [];
  resources = 0;
  prompts = 0;
  attempts = 0;
  retryAt: number | undefined;
  readonly log = new LogBuffer();
  private client: Client | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Which attempt is current: an older one that finishes late changes nothing. */
  private generation = 0;
  private transportUsed: McpTransport;
  /** A remote server's OAuth flow waiting for the user: the provider and the transport that started it. */
  private pendingAuth:
    { provider: McpOAuthProvider; transport: StreamableHTTPClientTransport | SSEClientTransport } | undefined;

  constructor(
    readonly name: string,
    /** Replaced in place when only its tools' switches and levels change: those need no new connection. */
    public config: McpServerConfig,
    private readonly deps: ConnectionDeps,
  ) {
    this.transportUsed = config.transport ?? (config.command ? 'stdio' : 'http');
    if (!config.enabled) this.state = 'disabled';
  }

  get transport(): McpTransport {
    return this.transportUsed;
  }

  get protocolVersion(): string | undefined {
    return this.client?.getNegotiatedProtocolVersion();
  }

  /** The link the user must open to authorize this server, while it waits for that. */
  get authorizeUrl(): string | undefined {
    return this.pendingAuth?.provider.authorizationUrl?.toString();
  }

  /**
   * Ends an OAuth authorization the user made in the browser: `state` must be the one this server sent. Exchanges
   * the code for tokens (kept in secrets.json) and connects again. False when the state is not this server's.
   */
  async finishAuthorization(params: URLSearchParams): Promise<boolean> {
    const pending = this.pendingAuth;
    if (!pending || params.get('state') !== pending.provider.expectedState) return false;
    this.pendingAuth = undefined;
    await pending.transport.finishAuth(params);
    this.log.note('authorized');
    await this.restart();
    return true;
  }

  get serverInfo(): { name: string; version: string } | undefined {
    const info = this.client?.getServerVersion();
    return info ? { name: info.name, version: info.version } : undefined;
  }

  /** Connects in the background; resolves once this attempt ends, whatever its outcome. */
  start(): Promise<void> {
    if (this.state === 'disabled' || this.closed) return Promise.resolve();
    return this.connect();
  }

  /** Drops the connection (and its process) and connects again at once. */
  async restart(): Promise<void> {
    this.attempts = 0;
    await this.disconnect();
    if (this.closed || this.state === 'disabled') return;
    await this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.disconnect();
  }

  /** Calls one of the server's tools; the signal cancels it (the server is told), progress is passed on. */
  async callTool(
    name: string,
    args: unknown,
    options: {
      signal: AbortSignal;
      onProgress(progress: { progress: number; total?: number; message?: string }): void;
    },
  ): Promise<{ content?: unknown; structuredContent?: unknown; isError?: unknown }> {
    return this.ready().callTool(
      { name, arguments: typeof args === 'object' && args !== null ? (args as Record<string, unknown>) : {} },
      {
        signal: options.signal,
        timeout: this.config.timeoutMs,
        resetTimeoutOnProgress: true,
        onprogress: (p) =>
          options.onProgress({
            progress: p.progress,
            ...(p.total !== undefined ? { total: p.total } : {}),
            ...(p.message !== undefined ? { message: p.message } : {}),
          }),
      },
    );
  }

  /** The server's resources, or its prompts (empty when it has none). */
  async listResources(): Promise<{ uri: string; name: string; description?: string; mimeType?: string }[]> {
    const client = this.ready();
    if (!client.getServerCapabilities()?.resources) return [];
    const { resources } = await client.listResources();
    return resources.map((r) => ({
      uri: r.uri,
      name: r.name,
      ...(r.description ? { description: r.description } : {}),
      ...(r.mimeType ? { mimeType: r.mimeType } : {}),
    }));
  }

  async readResource(uri: string): Promise<{ uri: string; text?: string; mimeType?: string; bytes?: number }[]> {
    const { contents } = await this.ready().readResource({ uri }, { timeout: this.config.timeoutMs });
    return contents.map((c) => ({
      uri: c.uri,
      ...(c.mimeType ? { mimeType: c.mimeType } : {}),
      ...('text' in c && typeof c.text === 'string' ? { text: c.text } : {}),
      ...('blob' in c && typeof c.blob === 'string' ? { bytes: Math.floor((c.blob.length * 3) / 4) } : {}),
    }));
  }

  async listPrompts(): Promise<
    { name: string; description?: string; arguments: { name: string; description?: string; required?: boolean }[] }[]
  > {
    const client = this.ready();
    if (!client.getServerCapabilities()?.prompts) return [];
    const { prompts } = await client.listPrompts();
    return prompts.map((p) => ({
      name: p.name,
      ...(p.description ? { description: p.description } : {}),
      arguments: (p.arguments ?? []).map((a) => ({
        name: a.name,
        ...(a.description ? { description: a.description } : {}),
        ...(a.required !== undefined ? { required: a.required } : {}),
      })),
    }));
  }

  /** A prompt of the server with its arguments, as the text of a user message. */
  async getPrompt(name: string, args: Record<string, string>): Promise<string> {
    const { messages } = await this.ready().getPrompt({ name, arguments: args }, { timeout: this.config.timeoutMs });
    return messages
      .map((m) => (m.content.type === 'text' ? m.content.text : `[${m.content.type} content]`))
      .join('\n\n');
  }

  private ready(): Client {
    if (!this.client || this.state !== 'ready')
      throw new Error(`the MCP server "${this.name}" is not connected${this.reason ? `: ${this.reason}` : ''}`);
    return this.client;
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.retryAt = undefined;
    this.set('connecting', undefined);
    this.log.note(`connecting (${this.transportUsed})`);
    try {
      const client = await this.open(generation);
      if (generation !== this.generation) {
        await this.closeQuietly(client);
        return;
      }
      this.client = client;
      await this.refresh(client);
      this.attempts = 0;
      this.log.note(`ready: ${this.tools.length} tools`);
      this.set('ready', undefined);
    } catch (error) {
      if (generation !== this.generation || this.closed) return;
      if (this.pendingAuth) {
        // Trying again changes nothing until the user has authorized: no retries meanwhile.
        this.log.note('waiting for authorization');
        this.set(
          'failed',
          this.pendingAuth.provider.redirectUrl
            ? 'needs authorization: open the link on the MCP page'
            : 'needs authorization, which is done from the dashboard (boxagnts serve)',
        );
        return;
      }
      await this.fail(this.describe(error));
    }
  }

  /** A connected client over the configured transport; a URL without one tries Streamable HTTP, then SSE. */
  private async open(generation: number): Promise<Client> {
    const { config } = this;
    const client = new Client(
      { name: 'boxagnts', version: VERSION },
      {
        versionNegotiation: { mode: 'auto' },
        listChanged: {
          tools: {
            onChanged: (error) => {
              if (error) this.log.note(`could not refresh the tools: ${errorMessage(error)}`);
              else if (generation === this.generation && this.client) void this.refreshQuietly(this.client);
            },
          },
        },
      },
    );
    client.onclose = () => {
      if (generation !== this.generation || this.closed || this.client !== client) return;
      this.client = undefined;
      const last = this.log.lastLine();
      void this.fail(`the server closed the connection${last ? ` (its last words: ${last})` : ''}`);
    };
    client.onerror = (error) => this.log.note(`error: ${errorMessage(error)}`);
    if (config.command !== undefined) {
      await client.connect(this.stdio(config), { timeout: config.timeoutMs });
      return client;
    }
    const url = new URL(config.url!);
    const headers = resolveRecord(config.headers, this.deps);
    if (config.bearer) headers.Authorization = `Bearer ${resolveValue(config.bearer, this.deps)}`;
    const requestInit = { headers };
    // Without a token of its own, a server that answers 401 gets the OAuth flow (tokens kept in secrets.json).
    const authProvider = config.bearer ? undefined : this.oauthProvider();
    const options = { requestInit, ...(authProvider ? { authProvider } : {}) };
    const attempt = async (transport: StreamableHTTPClientTransport | SSEClientTransport, into: Client) => {
      try {
        await into.connect(transport, { timeout: config.timeoutMs });
      } catch (error) {
        if (authProvider && (error instanceof UnauthorizedError || authProvider.authorizationUrl))
          this.pendingAuth = { provider: authProvider, transport };
        throw error;
      }
    };
    if (config.transport === 'sse') {
      await attempt(new SSEClientTransport(url, options), client);
      return client;
    }
    try {
      await attempt(new StreamableHTTPClientTransport(url, options), client);
      this.transportUsed = 'http';
      return client;
    } catch (error) {
      if (config.transport === 'http' || this.pendingAuth) throw error;
      // Servers of the older HTTP+SSE transport answer Streamable HTTP's POST with an error: try their way.
      this.log.note(`Streamable HTTP failed (${errorMessage(error)}); trying SSE`);
      const fallback = new Client({ name: 'boxagnts', version: VERSION });
      fallback.onclose = client.onclose;
      fallback.onerror = client.onerror;
      await attempt(new SSEClientTransport(url, options), fallback);
      this.transportUsed = 'sse';
      return fallback;
    }
  }

  private oauthProvider(): McpOAuthProvider {
    const name = oauthSecretName(this.name);
    return new McpOAuthProvider(this.deps.oauthRedirect(), {
      read: () => this.deps.secret(name),
      write: (value) => this.deps.saveSecret(name, value),
    });
  }

  private stdio(config: McpServerConfig): Transport {
    const transport = new StdioClientTransport({
      command: config.command!,
      args: config.args,
      env: resolveRecord(config.env, this.deps),
      cwd: resolve(this.deps.root, config.cwd ?? '.'),
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (chunk: Buffer) => this.log.append(chunk.toString('utf8')));
    return transport;
  }

  private async refresh(client: Client): Promise<void> {
    const capabilities = client.getServerCapabilities();
    const { tools } = capabilities?.tools ? await client.listTools() : { tools: [] };
    this.tools = tools.map((tool) => ({
      name: tool.name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      inputSchema: { ...tool.inputSchema },
      ...(tool.annotations
        ? {
            annotations: {
              readOnlyHint: tool.annotations.readOnlyHint,
              destructiveHint: tool.annotations.destructiveHint,
            },
          }
        : {}),
    }));
    this.resources = capabilities?.resources
      ? (await client.listResources().catch(() => ({ resources: [] }))).resources.length
      : 0;
    this.prompts = capabilities?.prompts
      ? (await client.listPrompts().catch(() => ({ prompts: [] }))).prompts.length
      : 0;
  }

  private async refreshQuietly(client: Client): Promise<void> {
    try {
      await this.refresh(client);
      this.log.note(`tools changed: ${this.tools.length} tools`);
      this.deps.onChange();
    } catch (error) {
      this.log.note(`could not refresh the tools: ${errorMessage(error)}`);
    }
  }

  private async fail(reason: string): Promise<void> {
    this.attempts += 1;
    this.tools = [];
    this.log.note(`failed: ${reason}`);
    this.deps.logger.warn({ server: this.name, reason }, 'MCP server failed');
    const delay = retryDelay(this.attempts);
    this.retryAt = Date.now() + delay;
    this.set('failed', reason);
    if (this.client) await this.closeQuietly(this.client);
    this.client = undefined;
    if (this.closed) return;
    this.retryTimer = setTimeout(() => void this.connect(), delay);
    this.retryTimer.unref();
  }

  private async disconnect(): Promise<void> {
    this.generation += 1;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const client = this.client;
    this.client = undefined;
    this.tools = [];
    if (client) await this.closeQuietly(client);
  }

  /** Closes a client that is being let go; a failure to close is noted in the log and changes nothing else. */
  private async closeQuietly(client: Client): Promise<void> {
    try {
      await client.close();
    } catch (error) {
      this.log.note(`closing: ${errorMessage(error)}`);
    }
  }

  private describe(error: unknown): string {
    const code = error instanceof Error && 'code' in error ? error.code : undefined;
    if (code === 'ENOENT' && this.config.command)
      return `the command "${this.config.command}" was not found (is it installed, and on the PATH?)`;
    const last = this.log.lastLine();
    const message = errorMessage(error);
    return last && !message.includes(last) ? `${message} (the server said: ${last})` : message;
  }

  private set(state: McpState, reason: string | undefined): void {
    this.state = state;
    this.reason = reason;
    this.deps.onChange();
  }
}
