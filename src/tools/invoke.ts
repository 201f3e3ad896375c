import { errorMessage } from '../fs/errors';
import type { Decision } from '../permissions/policy';
import type { GateCall, PermissionGate } from '../permissions/gate';
import type { SandboxScope } from '../sandbox/limits';
import { mapHostPaths } from './host-paths';
import { capResult } from './output-cap';
import type { ToolOutputStore } from './output-store';
import type { ToolRegistry } from './registry';
import {
  type SessionControls,
  type Tool,
  type ToolContext,
  type ToolResult,
  type UserChannel,
  errorResult,
} from './tool';

/** A tool call as the model made it; `invalid` says why its arguments could not be read. */
export interface ToolCall {
  callId: string;
  name: string;
  input: unknown;
  invalid?: string | undefined;
}

/** Everything of a run that its tool calls are invoked with; each call's ToolContext is made from it. */
export interface RunTools {
  sessionId: string;
  runId: string;
  /** Aborted when the run is cancelled or runs out of budget. */
  signal: AbortSignal;
  scope: SandboxScope;
  registry: ToolRegistry;
  /** Offered by name only until tool_search reveals them; `revealed` grows as it does. */
  deferred: ReadonlySet<string>;
  revealed: Set<string>;
  gate: PermissionGate;
  /** The user as one call reaches them; absent when nobody can answer a question. */
  user?: ((callId: string) => UserChannel) | undefined;
  session: SessionControls;
  /** Keeps the whole output of a call whose result was cut; without it the rest is dropped. */
  outputs?: ToolOutputStore | undefined;
  progress(callId: string, update: Record<string, unknown>): void;
}

/** A call found and validated, with the gate's decision; or its result already, when it cannot run. */
export type PreparedCall =
  { call: ToolCall; result: ToolResult } | { call: ToolCall; tool: Tool; input: unknown; decision: Decision };

/** The context one call of the run gets. The only place a ToolContext is made. */
export function toolContext(run: RunTools, callId: string, gated?: { tool: Tool; approved: boolean }): ToolContext {
  const { registry, deferred, revealed } = run;
  return {
    sessionId: run.sessionId,
    runId: run.runId,
    callId,
    signal: run.signal,
    scope: run.scope,
    progress: (update) => run.progress(callId, update),
    ...(run.user ? { user: run.user(callId) } : {}),
    session: run.session,
    // A call that did not pass the gate (none does) may run nothing it did not show.
    recheck: (command) =>
      gated
        ? run.gate.recheck(gated.tool, command, gated.approved)
        : Promise.resolve('no permission decision was made for this call'),
    catalog: {
      all: () => registry.list(),
      deferred: () => [...deferred].filter((name) => !revealed.has(name)),
      reveal: (names) => {
        for (const name of names) revealed.add(name);
      },
    },
  };
}

function gateCall(run: RunTools, callId: string, tool: Tool, input: unknown): GateCall {
  const { preview, hostCommands } = tool;
  const where = { sessionId: run.sessionId, scope: run.scope };
  return {
    callId,
    tool,
    input,
    ...(preview ? { preview: () => preview(input, { signal: run.signal, scope: run.scope }) } : {}),
    ...(hostCommands ? { hostCommands: (commands) => hostCommands.call(tool, commands, where) } : {}),
  };
}

/** Finds the tool, validates the input and asks the policy: the first half of the pipeline. */
export async function prepareCall(run: RunTools, call: ToolCall): Promise<PreparedCall> {
  // A tool offered by name only is one of the run's: the SDK calls it unavailable, but a model that knows its name
  // may call it without searching first (invokePrepared then reveals it). Arguments that are not JSON (the SDK hands
  // them on as text) are still refused as such.
  const unrevealed = run.deferred.has(call.name) && !run.revealed.has(call.name);
  const unusable = call.invalid && !(unrevealed && typeof call.input !== 'string');
  // An unknown tool is said to be unknown, whatever the SDK thought of its arguments.
  if (unusable && run.registry.get(call.name)) {
    return {
      call,
      result: errorResult(
        `The call to ${call.name} could not be used: ${call.invalid}. Send it again with arguments that are a JSON object matching the tool's input schema.`,
      ),
    };
  }
  const found = run.registry.prepare(call.name, call.input);
  if ('error' in found) return { call, result: found.error };
  // Before the gate: rules, previews and the sandbox all see the guest path, never the host path the model sent.
  const input = mapHostPaths(found.tool, found.input, run.scope.workDir);
  return {
    call,
    tool: found.tool,
    input,
    decision: await run.gate.decide(gateCall(run, call.callId, found.tool, input)),
  };
}

/** Runs the execution of a call, e.g. one at a time with other calls that change things. */
export type Scheduler = (work: () => Promise<ToolResult>) => Promise<ToolResult>;

/**
 * The second half: the gate authorises (asking when it must), the tool runs — when `schedule` lets it: waiting for
 * an answer never holds up other calls — and its result is capped the same way whatever kind of tool it is. Never
 * throws: a thrown error becomes an error result.
 */
export async function invokePrepared(
  run: RunTools,
  prepared: PreparedCall,
  schedule: Scheduler = (work) => work(),
): Promise<ToolResult> {
  // Called by name only: from the next request on the model sees its schema. Revealed only now, once every call of
  // the step was prepared as the model saw the tools.
  if (run.deferred.has(prepared.call.name)) run.revealed.add(prepared.call.name);
  if ('result' in prepared) return prepared.result;
  const { call, tool, input, decision } = prepared;
  const gated = gateCall(run, call.callId, tool, input);
  const refusal = await run.gate.authorize(gated, decision);
  if (refusal) return errorResult(refusal.message, refusal.metadata);
  return schedule(async () => {
    if (run.signal.aborted) return errorResult('Not run: the run was cancelled.', { cancelled: true });
    run.gate.executed(gated);
    const { outputs } = run;
    return capResult(
      await execute(tool, input, toolContext(run, call.callId, { tool, approved: decision.action === 'ask' })),
      outputs && ((text) => outputs.save(run.sessionId, call.callId, text)),
    );
  });
}

/** One call through the whole pipeline: find and validate → gate → execute → cap. */
export async function invokeTool(run: RunTools, call: ToolCall): Promise<ToolResult> {
  return invokePrepared(run, await prepareCall(run, call));
}

async function execute(tool: Tool, input: unknown, ctx: ToolContext): Promise<ToolResult> {
  try {
    return await tool.execute(input, ctx);
  } catch (error) {
    if (ctx.signal.aborted) return errorResult(`${tool.name} was cancelled.`, { cancelled: true });
    return errorResult(`${tool.name} failed: ${errorMessage(error)}`);
  }
}
