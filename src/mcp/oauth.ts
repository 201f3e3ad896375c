import { randomBytes } from 'node:crypto';
import type {
  OAuthClientInformationContext,
  OAuthClientMetadata,
  OAuthClientProvider,
  StoredOAuthClientInformation,
  StoredOAuthTokens,
} from '@modelcontextprotocol/client';
import { z } from 'zod';
import { VERSION } from '../version';

/** Where a server's OAuth credentials live in secrets.json: one named secret holding JSON. */
export const oauthSecretName = (server: string) => `mcp-oauth-${server}`;

/** What is kept per server: its registrations and tokens keyed by authorization server (issuer), and the last one. */
const StoredSchema = z.object({
  clients: z.record(z.string(), z.looseObject({ client_id: z.string() })).default({}),
  tokens: z.record(z.string(), z.looseObject({ access_token: z.string(), token_type: z.string() })).default({}),
  last: z.string().optional(),
});
type Stored = z.output<typeof StoredSchema>;

export interface OAuthStore {
  read(): string | undefined;
  write(value: string): Promise<void>;
}

/**
 * The OAuth client of one remote MCP server (authorization code with PKCE), as the SDK drives it: the redirect lands
 * on the dashboard's own address, the user opens the authorization link from the MCP page, and what the server
 * issues (the client registration, the tokens) is kept in secrets.json, keyed by the authorization server.
 */
export class McpOAuthProvider implements OAuthClientProvider {
  /** The link the user must open to authorize, once the server asked for it. */
  authorizationUrl: URL | undefined;
  /** Checked against the callback's `state` (the SDK does not). */
  readonly expectedState = randomBytes(16).toString('hex');
  private verifier = '';

  constructor(
    private readonly redirect: string | undefined,
    private readonly store: OAuthStore,
  ) {}

  get redirectUrl(): string | undefined {
    return this.redirect;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: `boxagnts ${VERSION}`,
      redirect_uris: this.redirect ? [this.redirect] : [],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: 'native',
    };
  }

  state(): string {
    return this.expectedState;
  }

  clientInformation(ctx?: OAuthClientInformationContext): StoredOAuthClientInformation | undefined {
    const stored = this.read();
    const issuer = ctx?.issuer ?? stored.last;
    return issuer ? (stored.clients[issuer] as StoredOAuthClientInformation | undefined) : undefined;
  }

  async saveClientInformation(info: StoredOAuthClientInformation, ctx?: OAuthClientInformationContext): Promise<void> {
    const stored = this.read();
    const issuer = ctx?.issuer ?? stored.last ?? 'default';
    await this.write({ ...stored, clients: { ...stored.clients, [issuer]: { ...info } }, last: issuer });
  }

  tokens(ctx?: OAuthClientInformationContext): StoredOAuthTokens | undefined {
    const stored = this.read();
    const issuer = ctx?.issuer ?? stored.last;
    return issuer ? (stored.tokens[issuer] as StoredOAuthTokens | undefined) : undefined;
  }

  async saveTokens(tokens: StoredOAuthTokens, ctx?: OAuthClientInformationContext): Promise<void> {
    const stored = this.read();
    const issuer = ctx?.issuer ?? stored.last ?? 'default';
    await this.write({ ...stored, tokens: { ...stored.tokens, [issuer]: { ...tokens } }, last: issuer });
  }

  redirectToAuthorization(url: URL): void {
    // Nobody is at a browser here: the MCP page shows the link, and the callback finishes the flow.
    this.authorizationUrl = url;
  }

  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }

  codeVerifier(): string {
    return this.verifier;
  }

  private read(): Stored {
    const text = this.store.read();
    if (!text) return StoredSchema.parse({});
    const parsed = StoredSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : StoredSchema.parse({});
  }

  private write(stored: Stored): Promise<void> {
    return this.store.write(JSON.stringify(stored));
  }
}
