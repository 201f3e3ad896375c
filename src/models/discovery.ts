import { z } from 'zod';
import type { ProviderConfig } from '../contract/settings';
import { serverRoot, unreachableReason } from './local-servers/http';
import { providerBaseURL } from './providers';
import type { Redactor } from './redaction';

const TIMEOUT_MS = 15_000;

/** The provider answered, but not with a model list; the message carries its own words, redacted. */
export class DiscoveryError extends Error {
  override readonly name = 'DiscoveryError';
}

const OpenAIList = z.object({ data: z.array(z.object({ id: z.string() })) });
const OllamaList = z.object({ models: z.array(z.object({ name: z.string() })) });
const GoogleList = z.object({
  models: z.array(z.object({ name: z.string(), supportedGenerationMethods: z.array(z.string()).optional() })),
});

/** Vendors' error bodies: `{ error: { message } }`, `{ error: "…" }` or `{ message }`. */
const ErrorBody = z.object({
  error: z.union([z.string(), z.object({ message: z.string().optional() })]).optional(),
  message: z.string().optional(),
});

function request(
  provider: ProviderConfig,
  apiKey: string | undefined,
): { url: string; headers: Record<string, string> } {
  const base = providerBaseURL(provider);
  const headers: Record<string, string> = {};
  if (provider.kind === 'anthropic') {
    if (apiKey) headers['x-api-key'] = apiKey;
    headers['anthropic-version'] = '2023-06-01';
  } else if (provider.kind === 'google') {
    // In a header, not the query string, so the key never lands in a URL or an access log.
    if (apiKey) headers['x-goog-api-key'] = apiKey;
  } else if (apiKey) headers.Authorization = `Bearer ${apiKey}`;
  if (provider.kind === 'ollama') return { url: `${serverRoot(base)}/api/tags`, headers };
  return { url: `${base}/models${provider.kind === 'google' ? '?pageSize=1000' : ''}`, headers };
}

/** Lists the models a provider offers (`GET /models`, Ollama's `GET /api/tags`), sorted by id. A provider may quote the key it was sent in its error. */
export async function discoverModels(
  provider: ProviderConfig,
  apiKey: string | undefined,
  redactor: Redactor,
  signal?: AbortSignal,
): Promise<string[]> {
  try {
    return await listModels(provider, apiKey, signal);
  } catch (error) {
    if (error instanceof DiscoveryError) throw new DiscoveryError(redactor.redact(error.message));
    throw error;
  }
}

async function listModels(
  provider: ProviderConfig,
  apiKey: string | undefined,
  signal: AbortSignal | undefined,
): Promise<string[]> {
  const { url, headers } = request(provider, apiKey);
  let response: Response;
  try {
    response = await fetch(url, {
      headers,
      signal: AbortSignal.any([AbortSignal.timeout(TIMEOUT_MS), ...(signal ? [signal] : [])]),
    });
  } catch (error) {
    throw new DiscoveryError(`Cannot reach ${url}: ${unreachableReason(error)}`);
  }
  const text = await response.text();
  if (!response.ok) throw new DiscoveryError(`${url} answered ${response.status}: ${providerMessage(text)}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new DiscoveryError(`${url} did not answer with JSON; is the base URL right?`);
  }
  if (provider.kind === 'google') {
    const list = GoogleList.safeParse(body);
    if (!list.success) throw new DiscoveryError(`${url} answered without a model list`);
    return list.data.models
      .filter((m) => !m.supportedGenerationMethods || m.supportedGenerationMethods.includes('generateContent'))
      .map((m) => m.name.replace(/^models\//, ''))
      .sort();
  }
  if (provider.kind === 'ollama') {
    const list = OllamaList.safeParse(body);
    if (!list.success) throw new DiscoveryError(`${url} answered without a model list`);
    return list.data.models.map((m) => m.name).sort();
  }
  const list = OpenAIList.safeParse(body);
  if (!list.success) throw new DiscoveryError(`${url} answered without a model list`);
  return list.data.data.map((m) => m.id).sort();
}

/** The message inside an error body, whichever vendor's shape it has; else the start of the raw text. */
export function providerMessage(text: string): string {
  try {
    const body = ErrorBody.safeParse(JSON.parse(text));
    const message = body.success
      ? typeof body.data.error === 'string'
        ? body.data.error
        : (body.data.error?.message ?? body.data.message)
      : undefined;
    if (message) return message;
  } catch {
    // Not JSON: fall through to the raw text.
  }
  return text.slice(0, 300) || 'no details';
}
