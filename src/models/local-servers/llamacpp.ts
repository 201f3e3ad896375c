import { z } from 'zod';
import type { ServerFacts } from '../../contract/local-models';
import type { JsonAnswer } from './http';

/** `n_ctx` sits in `default_generation_settings` (and at the top in some versions): the context of one slot. */
const Props = z.looseObject({
  default_generation_settings: z.looseObject({ n_ctx: z.number().optional() }),
  n_ctx: z.number().optional(),
});
const Models = z.object({
  data: z.array(
    z.looseObject({
      id: z.string(),
      meta: z.looseObject({ n_ctx_train: z.number().optional(), size: z.number().optional() }).nullish(),
    }),
  ),
});

/**
 * llama.cpp's server (`GET /props`) serves one model at the context it was started with (`-c`, shared by its slots);
 * `/v1/models` names the model and says what it was trained for.
 */
export function llamaCppFacts(props: JsonAnswer, models: JsonAnswer): ServerFacts | null {
  if (!props.ok) return null;
  const parsed = Props.safeParse(props.body);
  if (!parsed.success) return null;
  const context = parsed.data.default_generation_settings.n_ctx ?? parsed.data.n_ctx;
  const list = models.ok ? Models.safeParse(models.body) : undefined;
  return {
    kind: 'llamacpp',
    reachable: true,
    checkedAt: new Date().toISOString(),
    models: (list?.success ? list.data.data : []).map((m) => ({
      name: m.id,
      sizeBytes: m.meta?.size,
      maxContext: m.meta?.n_ctx_train,
      ...(context ? { serverContext: context, serverContextFrom: 'server' as const } : {}),
      loaded: { context },
    })),
  };
}
