import { z } from 'zod';
import type { InstalledModel, ServerFacts } from '../../contract/local-models';
import { errorText, type JsonAnswer, requestJson, type ServerAddress, unreachableReason } from './http';

/**
 * What Ollama runs a model at when neither the request, the model nor a loaded copy says: the smallest of its
 * defaults (4096 below 24 GiB of VRAM; OLLAMA_CONTEXT_LENGTH can raise it, and no API tells).
 */
export const OLLAMA_DEFAULT_CONTEXT = 4096;

/** `/api/show` is one request per model; a few at a time keep a server with many models responsive. */
const SHOW_CONCURRENCY = 4;

const Version = z.object({ version: z.string() });
const Details = z.looseObject({
  family: z.string().optional(),
  parameter_size: z.string().optional(),
  quantization_level: z.string().optional(),
});
const Tags = z.object({
  models: z.array(
    z.looseObject({
      name: z.string(),
      size: z.number().optional(),
      modified_at: z.string().optional(),
      details: Details.optional(),
    }),
  ),
});
const Ps = z.object({
  models: z.array(
    z.looseObject({
      name: z.string(),
      size_vram: z.number().optional(),
      expires_at: z.string().optional(),
      context_length: z.number().optional(),
    }),
  ),
});
const Show = z.looseObject({
  parameters: z.string().optional(),
  capabilities: z.array(z.string()).optional(),
  model_info: z.record(z.string(), z.unknown()).optional(),
});
const PullLine = z.looseObject({
  status: z.string().optional(),
  digest: z.string().optional(),
  total: z.number().optional(),
  completed: z.number().optional(),
  error: z.string().optional(),
});
export type PullProgress = { status: string; total?: number | undefined; completed?: number | undefined };

/** `llama3.1` and `llama3.1:latest` are one model to Ollama. */
export function sameOllamaModel(a: string, b: string): boolean {
  const tagged = (name: string) => (/:[^/]*$/.test(name) ? name : `${name}:latest`);
  return tagged(a) === tagged(b);
}

/** Is it Ollama? `GET /api/version` answers `{ version }` there and nowhere else. */
export function ollamaVersion(answer: JsonAnswer): string | null {
  const version = answer.ok ? Version.safeParse(answer.body) : undefined;
  return version?.success ? version.data.version : null;
}

/** The installed models (`/api/tags`), which are loaded (`/api/ps`), and each one's context (`/api/show`). */
export async function ollamaFacts(server: ServerAddress, version: string): Promise<ServerFacts> {
  const checkedAt = new Date().toISOString();
  const [tagsAnswer, psAnswer] = await Promise.all([requestJson(server, '/api/tags'), requestJson(server, '/api/ps')]);
  if (!tagsAnswer.ok)
    return { kind: 'ollama', reachable: false, error: tagsAnswer.message, checkedAt, version, models: [] };
  const tags = Tags.safeParse(tagsAnswer.body);
  if (!tags.success)
    return {
      kind: 'ollama',
      reachable: true,
      error: `${server.root}/api/tags answered without a model list`,
      checkedAt,
      version,
      models: [],
    };
  const ps = psAnswer.ok ? Ps.safeParse(psAnswer.body) : undefined;
  const loaded = ps?.success ? ps.data.models : [];
  const shows = await mapLimited(tags.data.models, SHOW_CONCURRENCY, (m) => showContext(server, m.name));
  const models = tags.data.models.map((m, i): InstalledModel => {
    const show = shows[i]!;
    const inMemory = loaded.find((l) => sameOllamaModel(l.name, m.name));
    const serverContext = inMemory?.context_length ?? show.numCtx ?? OLLAMA_DEFAULT_CONTEXT;
    return {
      name: m.name,
      sizeBytes: m.size,
      quantization: m.details?.quantization_level,
      parameterSize: m.details?.parameter_size,
      family: m.details?.family,
      modifiedAt: m.modified_at,
      capabilities: show.capabilities,
      maxContext: show.maxContext,
      serverContext,
      serverContextFrom: inMemory?.context_length ? 'loaded' : show.numCtx ? 'modelfile' : 'assumed',
      loaded: inMemory
        ? { context: inMemory.context_length, sizeVramBytes: inMemory.size_vram, expiresAt: inMemory.expires_at }
        : undefined,
    };
  });
  return { kind: 'ollama', reachable: true, checkedAt, version, models };
}

/** The model's trained context (`<arch>.context_length` in model_info), its own num_ctx parameter and its capabilities. */
async function showContext(
  server: ServerAddress,
  model: string,
): Promise<{ maxContext?: number | undefined; numCtx?: number | undefined; capabilities?: string[] | undefined }> {
  const answer = await requestJson(server, '/api/show', { method: 'POST', body: { model } });
  const show = answer.ok ? Show.safeParse(answer.body) : undefined;
  if (!show?.success) return {};
  const info = show.data.model_info ?? {};
  const arch = info['general.architecture'];
  const max = typeof arch === 'string' ? info[`${arch}.context_length`] : undefined;
  const numCtx = /^num_ctx\s+(\d+)\s*$/m.exec(show.data.parameters ?? '')?.[1];
  return {
    maxContext: typeof max === 'number' ? max : undefined,
    numCtx: numCtx ? Number(numCtx) : undefined,
    capabilities: show.data.capabilities,
  };
}

/**
 * Downloads a model (`POST /api/pull`), reporting each line of Ollama's progress. Resolves when Ollama says it is
 * done; rejects with Ollama's own words when it fails, and when `signal` aborts (Ollama keeps what it downloaded).
 */
export async function pullOllamaModel(
  server: ServerAddress,
  model: string,
  signal: AbortSignal,
  onProgress: (progress: PullProgress) => void,
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${server.root}/api/pull`, {
      method: 'POST',
      headers: { ...server.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ model, stream: true }),
      signal,
    });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new Error(`Cannot reach ${server.root}: ${unreachableReason(error)}`);
  }
  if (!response.ok || !response.body) {
    const text = await response.text().catch(() => '');
    throw new Error(errorText(parseJson(text) ?? text, response.status));
  }
  const decoder = new TextDecoder();
  let buffer = '';
  let succeeded = false;
  const handle = (line: string) => {
    const parsed = PullLine.safeParse(parseJson(line));
    if (!parsed.success) return;
    if (parsed.data.error) throw new Error(parsed.data.error);
    const status = parsed.data.status ?? '';
    if (status === 'success') succeeded = true;
    onProgress({ status, total: parsed.data.total, completed: parsed.data.completed });
  };
  const reader = response.body.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    buffer += decoder.decode(read.value, { stream: true });
    for (let end = buffer.indexOf('\n'); end !== -1; end = buffer.indexOf('\n')) {
      handle(buffer.slice(0, end).trim());
      buffer = buffer.slice(end + 1);
    }
  }
  if (buffer.trim()) handle(buffer.trim());
  if (!succeeded) throw new Error('Ollama ended the download without saying it succeeded.');
}

/** Removes an installed model (`DELETE /api/delete`). */
export async function deleteOllamaModel(server: ServerAddress, model: string): Promise<void> {
  const answer = await requestJson(server, '/api/delete', { method: 'DELETE', body: { model } });
  if (!answer.ok) throw new OllamaRequestError(answer.status, answer.message);
}

/** Ollama refused (status ≥ 400) or could not be reached (status 0). */
export class OllamaRequestError extends Error {
  override readonly name = 'OllamaRequestError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // A line or body that is not JSON carries nothing to read.
    return undefined;
  }
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
