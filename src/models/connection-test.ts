import { generateText } from 'ai';
import type { ConnectionTest } from '../contract/models';
import { classifyModelError } from './errors';
import type { ResolvedModel } from './providers';
import type { Redactor } from './redaction';

const TIMEOUT_MS = 30_000;

/** One real, small request to the model; a failure is reported with the provider's own error text, redacted. */
export async function testConnection(model: ResolvedModel, redactor: Redactor): Promise<ConnectionTest> {
  const started = performance.now();
  try {
    const result = await generateText({
      model: model.language,
      prompt: 'Reply with the single word: OK',
      maxOutputTokens: 16,
      maxRetries: 0,
      abortSignal: AbortSignal.timeout(TIMEOUT_MS),
    });
    return {
      ok: true,
      latencyMs: Math.round(performance.now() - started),
      reply: redactor.redact(result.text.slice(0, 200)),
    };
  } catch (error) {
    const failure = classifyModelError(
      error,
      { providerId: model.providerId, modelId: model.modelId, baseURL: model.baseURL },
      redactor,
    );
    return { ok: false, latencyMs: Math.round(performance.now() - started), message: failure.message };
  }
}
