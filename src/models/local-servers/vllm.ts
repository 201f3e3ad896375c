import { z } from 'zod';
import type { ServerFacts } from '../../contract/local-models';
import type { JsonAnswer } from './http';

const Models = z.object({
  data: z.array(z.looseObject({ id: z.string(), max_model_len: z.number().optional(), root: z.string().optional() })),
});

/** vLLM lists each served model with `max_model_len` (`/v1/models`): the longest sequence it will take. */
export function vllmFacts(answer: JsonAnswer): ServerFacts | null {
  if (!answer.ok) return null;
  const models = Models.safeParse(answer.body);
  if (!models.success || !models.data.data.some((m) => m.max_model_len !== undefined)) return null;
  return {
    kind: 'vllm',
    reachable: true,
    checkedAt: new Date().toISOString(),
    models: models.data.data.map((m) => ({
      name: m.id,
      maxContext: m.max_model_len,
      ...(m.max_model_len ? { serverContext: m.max_model_len, serverContextFrom: 'server' as const } : {}),
      loaded: { context: m.max_model_len },
    })),
  };
}
