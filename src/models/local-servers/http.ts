import { z } from 'zod';
import { errorMessage } from '../../fs/errors';

/** A local server answers in milliseconds or not at all; nothing waits longer than this for one request. */
export const PROBE_TIMEOUT_MS = 2_000;

export interface ServerAddress {
  /** The server's root, without `/v1` or `/api`: `http://127.0.0.1:11434`. */
  root: string;
  /** The provider's key as a bearer token, when it has one (vLLM and llama.cpp can require one). */
  headers: Record<string, string>;
}

export type JsonAnswer =
  | { ok: true; status: number; body: unknown }
  | { ok: false; status: number; message: string }
  | { ok: false; status: 0; message: string; unreachable: true };

/** One request to a server, never throwing: a network failure, a timeout or an error status is an answer too. */
export async function requestJson(
  server: ServerAddress,
  path: string,
  init: { method?: string; body?: unknown; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<JsonAnswer> {
  const url = `${server.root}${path}`;
  const signals = [AbortSignal.timeout(init.timeoutMs ?? PROBE_TIMEOUT_MS), ...(init.signal ? [init.signal] : [])];
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method ?? 'GET',
      headers: { ...server.headers, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: init.body === undefined ? null : JSON.stringify(init.body),
      signal: AbortSignal.any(signals),
    });
  } catch (error) {
    return { ok: false, status: 0, message: `Cannot reach ${url}: ${unreachableReason(error)}`, unreachable: true };
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    return {
      ok: false,
      status: 0,
      message: `${url} stopped answering: ${unreachableReason(error)}`,
      unreachable: true,
    };
  }
  let body: unknown = text;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // Not JSON: kept as text, which no probe mistakes for its server's answer.
  }
  if (!response.ok) return { ok: false, status: response.status, message: errorText(body, response.status) };
  return { ok: true, status: response.status, body };
}

/** fetch's own failure keeps the reason (a system error code, or its message) in its cause. */
const FetchFailureCause = z.object({ code: z.string().optional(), message: z.string().optional() });

export function unreachableReason(error: unknown): string {
  const cause = error instanceof Error ? FetchFailureCause.safeParse(error.cause) : undefined;
  return (cause?.success ? (cause.data.code ?? cause.data.message) : undefined) ?? errorMessage(error);
}

/** Ollama's `{ "error": "…" }`, an OpenAI-style `{ error: { message } }`, or the start of the text. */
export function errorText(body: unknown, status: number): string {
  if (typeof body === 'object' && body !== null && 'error' in body) {
    const error: unknown = body.error;
    if (typeof error === 'string') return error;
    if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string')
      return error.message;
  }
  return typeof body === 'string' && body.trim() ? body.trim().slice(0, 300) : `status ${status}`;
}

/** The server's root from a provider's base URL: OpenAI-compatible endpoints live under `/v1`, Ollama's own under `/api`. */
export function serverRoot(baseURL: string): string {
  return baseURL.replace(/\/+$/, '').replace(/\/(v1|api)$/, '');
}
