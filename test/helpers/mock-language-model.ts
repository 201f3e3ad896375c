import { simulateReadableStream } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import type { ModelInfo } from '../../src/contract/models';
import type { ResolvedModel } from '../../src/models/providers';

type CallOptions = Parameters<MockLanguageModelV3['doStream']>[0];
type StreamPart =
  Awaited<ReturnType<MockLanguageModelV3['doStream']>>['stream'] extends ReadableStream<infer P> ? P : never;

/** One scripted reply of the in-process model: text, tool calls, and the usage it reports. */
export interface ScriptedTurn {
  text?: string;
  toolCalls?: { name: string; input: unknown }[];
  usage?: { input: number; output: number };
}

/**
 * The AI SDK's own mock language model, answering from a script, one turn per call (no HTTP): for testing the loop
 * and the gate in process. `calls` records what each call was offered.
 */
export function scriptedModel(
  turns: ScriptedTurn[],
  info: Partial<ModelInfo> = {},
): { model: ResolvedModel; calls: CallOptions[] } {
  const calls: CallOptions[] = [];
  let next = 0;
  const language = new MockLanguageModelV3({
    doStream: async (options) => {
      calls.push(options);
      const turn = turns[next++] ?? { text: 'Done.' };
      const parts: StreamPart[] = [{ type: 'stream-start', warnings: [] }];
      if (turn.text)
        parts.push(
          { type: 'text-start', id: 't' },
          { type: 'text-delta', id: 't', delta: turn.text },
          { type: 'text-end', id: 't' },
        );
      (turn.toolCalls ?? []).forEach((call, i) =>
        parts.push({
          type: 'tool-call',
          toolCallId: `call_${next}_${i}`,
          toolName: call.name,
          input: JSON.stringify(call.input),
        }),
      );
      const usage = turn.usage ?? { input: 10, output: 5 };
      parts.push({
        type: 'finish',
        finishReason: { unified: turn.toolCalls?.length ? 'tool-calls' : 'stop', raw: undefined },
        usage: {
          inputTokens: { total: usage.input, noCache: usage.input, cacheRead: 0, cacheWrite: 0 },
          outputTokens: { total: usage.output, text: usage.output, reasoning: 0 },
        },
      });
      return { stream: simulateReadableStream({ chunks: parts, initialDelayInMs: null, chunkDelayInMs: null }) };
    },
  });
  const model: ResolvedModel = {
    id: 'mock/scripted',
    providerId: 'mock',
    modelId: 'scripted',
    provider: { kind: 'openai-compatible', baseURL: 'http://127.0.0.1:1', enabled: true, models: {} },
    baseURL: 'http://127.0.0.1:1',
    language,
    info: {
      contextWindow: 100_000,
      maxOutput: 4096,
      tools: true,
      vision: false,
      reasoning: false,
      source: 'default',
      ...info,
    },
  };
  return { model, calls };
}
