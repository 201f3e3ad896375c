import { type PreparedCall, type RunTools, type Scheduler, invokePrepared, prepareCall } from '../tools/invoke';
import type { ToolResult } from '../tools/tool';
import type { RunEvent, ToolCallRecord } from '../contract/events';

type Indexed = readonly [PreparedCall, number];

const isReadOnly = (p: PreparedCall) => 'tool' in p && p.tool.permissionLevel === 'read';
/** Read-level calls, and calls of tools that run apart from the others (`agent`), may overlap. */
const overlaps = (p: PreparedCall) => isReadOnly(p) || ('tool' in p && p.tool.parallel === true);

/** Consecutive calls that may overlap form one batch; every other call is a batch of its own. */
function batches(items: Indexed[]): Indexed[][] {
  const out: { readOnly: boolean; items: Indexed[] }[] = [];
  for (const item of items) {
    const readOnly = overlaps(item[0]);
    const last = out.at(-1);
    if (readOnly && last?.readOnly) last.items.push(item);
    else out.push({ readOnly, items: [item] });
  }
  return out.map((b) => b.items);
}

/**
 * Runs a step's calls through the tool pipeline. Calls that need no approval go ahead at once — consecutive
 * read-level ones (and `agent` calls) together, the others one at a time in the model's order — while calls that
 * need approval wait for it alongside. Calls that change files never overlap.
 */
export async function executeToolCalls(
  run: RunTools,
  calls: ToolCallRecord[],
  messageId: string,
  emit: (event: RunEvent) => Promise<void>,
): Promise<ToolResult[]> {
  const prepared = await Promise.all(calls.map((call) => prepareCall(run, call)));
  for (const [i, { call }] of prepared.entries()) {
    const { fromText } = calls[i]!;
    await emit({
      type: 'tool.started',
      runId: run.runId,
      messageId,
      callId: call.callId,
      name: call.name,
      input: call.input,
      ...(fromText ? { fromText } : {}),
    });
  }
  const results: ToolResult[] = new Array(calls.length);
  let exclusive: Promise<unknown> = Promise.resolve();
  const alone: Scheduler = (work) => {
    const next = exclusive.then(work);
    // The caller gets `next` and its error; the chain only waits for it to settle before the next exclusive call.
    exclusive = next.catch(() => undefined);
    return next;
  };
  const settle = async ([p, index]: Indexed) => {
    const started = performance.now();
    const result = await invokePrepared(run, p, overlaps(p) ? undefined : alone);
    results[index] = result;
    await emit({
      type: 'tool.completed',
      runId: run.runId,
      messageId,
      callId: p.call.callId,
      name: p.call.name,
      result,
      durationMs: Math.round(performance.now() - started),
    });
  };
  const indexed = prepared.map((p, i) => [p, i] as const);
  const asks = (p: PreparedCall) => 'decision' in p && p.decision.action === 'ask';
  const ready = async () => {
    for (const batch of batches(indexed.filter(([p]) => !asks(p)))) await Promise.all(batch.map(settle));
  };
  await Promise.all([ready(), ...indexed.filter(([p]) => asks(p)).map(settle)]);
  return results;
}
