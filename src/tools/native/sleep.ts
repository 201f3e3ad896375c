import { z } from 'zod';
import { defineTool } from '../tool';

export const MAX_SLEEP_MS = 300_000;

export const sleepTool = defineTool({
  name: 'sleep',
  description: `Wait for a number of milliseconds (at most ${MAX_SLEEP_MS}, five minutes), for example before checking again on something that takes time. The wait ends early if the run is cancelled.`,
  permissionLevel: 'read',
  defer: true,
  input: z.strictObject({
    ms: z.number().int().min(1).max(MAX_SLEEP_MS).describe('How long to wait, in milliseconds.'),
    reason: z.string().max(200).optional().describe('Why you are waiting, shown to the user.'),
  }),
  async execute({ ms }, ctx) {
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        ctx.signal.removeEventListener('abort', done);
        resolve();
      }
      ctx.signal.addEventListener('abort', done, { once: true });
    });
    const waited = Math.round(performance.now() - started);
    if (ctx.signal.aborted)
      return {
        content: `Stopped after ${waited} ms: the run was cancelled.`,
        isError: true,
        metadata: { cancelled: true, waitedMs: waited },
      };
    return { content: `Waited ${waited} ms.`, metadata: { waitedMs: waited } };
  },
});
