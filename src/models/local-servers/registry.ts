import type { ServerFacts } from '../../contract/local-models';
import type { ProviderConfig } from '../../contract/settings';
import { errorMessage } from '../../fs/errors';
import { providerBaseURL } from '../providers';
import { localServerHint, probeServer, serverAddress } from './detect';
import type { ServerAddress } from './http';
import { Pulls } from './pulls';

/** Facts younger than this are used as they are; older ones are probed again (and used meanwhile). */
const FRESH_MS = 30_000;

interface Entry {
  /** The provider's kind and address when probed: a provider edited since is probed anew. */
  key: string;
  facts?: ServerFacts;
  at: number;
  probing?: { answer: Promise<ServerFacts>; startedAt: number };
}

/**
 * The facts of each provider's model server, probed lazily (never at start-up), with short timeouts, and cached per
 * provider. Only providers that can be local servers are probed (see `localServerHint`). Also owns the Ollama pulls.
 */
export class LocalServers {
  private readonly entries = new Map<string, Entry>();
  readonly pulls: Pulls;

  /**
   * `keyOf` gives a provider's key, sent as a bearer token to servers that require one; `redact` takes keys out of
   * what a server says before it is shown.
   */
  constructor(
    private readonly keyOf: (providerId: string, provider: ProviderConfig) => string | undefined,
    redact: (text: string) => string,
  ) {
    this.pulls = new Pulls((providerId) => this.forget(providerId), redact);
  }

  /** Whether the provider is one whose server is probed. */
  probes(provider: ProviderConfig): boolean {
    return localServerHint(provider) !== null;
  }

  address(providerId: string, provider: ProviderConfig): ServerAddress {
    return serverAddress(provider, this.keyOf(providerId, provider));
  }

  /** The last facts known, however old, without probing: for answers that must not wait. */
  cached(providerId: string, provider: ProviderConfig): ServerFacts | undefined {
    const entry = this.entries.get(providerId);
    return entry?.key === keyOf(provider) ? entry.facts : undefined;
  }

  /**
   * The provider's facts: the cached ones while fresh; otherwise a probe (one at a time per provider), waited for
   * at most `waitMs` (then the older facts, if any, serve and the probe finishes in the background).
   * `refresh` probes even when the facts are fresh.
   */
  async facts(
    providerId: string,
    provider: ProviderConfig,
    options: { waitMs?: number; refresh?: boolean } = {},
  ): Promise<ServerFacts | undefined> {
    const hint = localServerHint(provider);
    if (!hint) return undefined;
    const key = keyOf(provider);
    let entry = this.entries.get(providerId);
    if (entry?.key !== key) {
      entry = { key, at: 0 };
      this.entries.set(providerId, entry);
    }
    if (entry.facts && !options.refresh && Date.now() - entry.at < FRESH_MS) return entry.facts;
    const current = entry;
    current.probing ??= {
      startedAt: Date.now(),
      answer: probeServer(this.address(providerId, provider), hint.kind)
        // probeServer reports what it meets as facts; anything else it throws is reported the same way.
        .catch((error: unknown): ServerFacts => ({
          kind: null,
          reachable: false,
          error: `Could not ask the server: ${errorMessage(error)}`,
          checkedAt: new Date().toISOString(),
          models: [],
        }))
        .then((facts) => {
          current.facts = facts;
          current.at = Date.now();
          current.probing = undefined;
          return facts;
        }),
    };
    const { answer, startedAt } = current.probing;
    if (options.waitMs === undefined) return answer;
    // Counted from the probe's start: a run that asks twice (its spec, then its model) waits once.
    const remaining = startedAt + options.waitMs - Date.now();
    if (remaining <= 0) return current.facts;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), remaining)));
    try {
      return (await Promise.race([answer, late])) ?? current.facts;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Drops what is known of a provider's server (its models changed): the next question probes it. */
  forget(providerId: string): void {
    const entry = this.entries.get(providerId);
    if (entry) entry.at = 0;
  }

  close(): void {
    this.pulls.close();
  }
}

function keyOf(provider: ProviderConfig): string {
  return `${provider.kind} ${providerBaseURL(provider)}`;
}
