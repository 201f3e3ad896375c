import { z } from 'zod';
import type { ServerFacts } from '../../contract/local-models';
import type { JsonAnswer } from './http';

const Models = z.object({
  data: z.array(
    z.looseObject({
      id: z.string(),
      type: z.string().optional(),
      state: z.string().optional(),
      quantization: z.string().optional(),
      arch: z.string().optional(),
      max_context_length: z.number().optional(),
      loaded_context_length: z.number().optional(),
    }),
  ),
});

/**
 * LM Studio's own REST API (`GET /api/v0/models`): each model's maximum context, and for a loaded one the context it
 * was loaded with. A model that is not loaded gets whatever context LM Studio loads it with, which no API tells.
 */
export function lmStudioFacts(answer: JsonAnswer): ServerFacts | null {
  if (!answer.ok) return null;
  const models = Models.safeParse(answer.body);
  if (!models.success || !models.data.data.every((m) => 'state' in m || 'max_context_length' in m)) return null;
  return {
    kind: 'lmstudio',
    reachable: true,
    checkedAt: new Date().toISOString(),
    models: models.data.data
      .filter((m) => m.type !== 'embeddings')
      .map((m) => {
        const loaded = m.state === 'loaded';
        return {
          name: m.id,
          quantization: m.quantization,
          family: m.arch,
          maxContext: m.max_context_length,
          ...(loaded && m.loaded_context_length
            ? { serverContext: m.loaded_context_length, serverContextFrom: 'loaded' as const }
            : {}),
          loaded: loaded ? { context: m.loaded_context_length } : undefined,
        };
      }),
  };
}
