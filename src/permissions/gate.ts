import type { RunEventOf } from '../contract/events';
import type { Todo } from '../contract/interactions';
import type { Tool, ToolResult } from '../tools/tool';
import { errorResult } from '../tools/tool';
import type { GrantStore } from '../workspace/grants';
import type { Settings } from '../workspace/settings';
import { type ApprovalBroker, InteractionCancelledError } from './approvals';
import { type Decision, type PermissionMode, type PermissionRequest, type Rule, decide, formatRule, parseRule } from './policy';
import { shellCommands } from './shell-command';

/** A validated call, as the gate sees it. */
export interface GateCall {
  callId: string;
  tool: Tool;
  input: unknown;
}

/** The events the gate writes to the session, without the run id that the runner adds as it stores and publishes them. */
export type GateEvent = RunEventOf<'approval.requested' | 'approval.resolved'> extends infer E ? (E extends { runId: string } ? Omit<E, 'runId'> : never) : never;

export interface GateContext {
  sessionId: string;
  runId: string;
  /** Whether anyone can answer an approval; a headless run cannot. */
  interactive: boolean;
  /** A mode fixed for this run (`boxagnts run --permission-mode`), above the session's and the workspace's. */
  modeOverride?: PermissionMode | undefined;
  settings(): Settings;
  grants: GrantStore;
  /** The session's own mode and grants, as its events tell them now. */
  session(): { mode: PermissionMode | null; grants: readonly { rule: Rule }[]; title: string; todos: readonly Todo[] };
  broker: ApprovalBroker;
  record(event: GateEvent): Promise<void>;
  signal: AbortSignal;
}

/** Calls identical to this many previous ones in a row make the next one ask. */
const REPEAT_LIMIT = 3;

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/**
 * Where every tool call of a run is authorised: the policy decides, approvals ask the user (or, with nobody to ask,
 * refuse at once), grants are recorded, and a call repeated identically is stopped to ask.
 */
export class PermissionGate {
  private readonly history: string[] = [];

  constructor(private readonly ctx: GateContext) {}

  mode(): PermissionMode {
    return this.ctx.modeOverride ?? this.ctx.session().mode ?? this.ctx.settings().permissions.mode;
  }

  /** Settings rules first, then the workspace's standing grants, then this session's: the last match wins. */
  rules(): Rule[] {
    return [
      ...this.ctx.settings().permissions.rules.map(parseRule),
      ...this.ctx.grants.list().map((g) => parseRule(g.rule)),
      ...this.ctx.session().grants.map((g) => g.rule),
    ];
  }

  /** What the rules see of a call; a shell line is read into its commands (which loads the parser on first use). */
  private async request(call: GateCall): Promise<PermissionRequest> {
    const subject = call.tool.subject?.(call.input);
    const commands = call.tool.subjectKind === 'command' && subject !== undefined ? await shellCommands(subject) : undefined;
    return { tool: call.tool.name, level: call.tool.permissionLevel, subject, commands };
  }

  async decide(call: GateCall): Promise<Decision> {
    const decision = decide(await this.request(call), this.mode(), this.rules());
    const key = `${call.tool.name}:${canonical(call.input)}`;
    const repeats = this.history.slice(-REPEAT_LIMIT);
    if (decision.action === 'allow' && repeats.length === REPEAT_LIMIT && repeats.every((k) => k === key)) {
      return { action: 'ask', reason: `this is the same ${call.tool.name} call with identical input ${REPEAT_LIMIT + 1} times in a row; the agent may be stuck in a loop` };
    }
    return decision;
  }

  /** Remembers an executed call, for the repeat check. */
  executed(call: GateCall): void {
    this.history.push(`${call.tool.name}:${canonical(call.input)}`);
  }

  /** null: go ahead. Otherwise the refusal to give the model as the tool's result. */
  async authorize(call: GateCall, decision: Decision): Promise<ToolResult | null> {
    if (decision.action === 'allow') return null;
    if (decision.action === 'deny') return errorResult(`Permission denied: ${decision.reason}. Do not retry this call; find another way or ask the user.`, { permission: 'denied' });
    return this.ask(call, decision);
  }

  private async ask(call: GateCall, decision: Decision): Promise<ToolResult | null> {
    const { ctx } = this;
    const request = await this.request(call);
    const { subject, commands } = request;
    const grantable = grantPatterns(request);
    const commandFields = commands ? { grantPatterns: grantable ?? [], ungrantable: commands.filter((c) => !c.known).map((c) => c.text) } : {};
    const base = {
      kind: 'tool' as const,
      callId: call.callId,
      name: call.tool.name,
      level: call.tool.permissionLevel,
      input: call.input,
      ...(subject !== undefined ? { subject } : {}),
      reason: decision.reason,
      ...commandFields,
    };
    if (!ctx.interactive) {
      const approvalId = `int_auto_${call.callId}`;
      await ctx.record({ type: 'approval.requested', approvalId, ...base });
      await ctx.record({ type: 'approval.resolved', approvalId, outcome: 'auto_deny', message: 'no one can approve calls in a headless run' });
      const examples = (grantable?.length ? grantable : [undefined]).map((p) => `"${formatRule('allow', call.tool.name, p)}"`);
      return errorResult(
        `Not run: this call needs approval (${decision.reason}), and nobody can approve it in a headless run. ` +
          `The user can allow it with --permission-mode or ${examples.length > 1 ? 'rules' : 'a rule'} such as ${examples.join(', ')} in .boxagnts/settings.json.`,
        { permission: 'needs_approval' },
      );
    }
    const preview = await call.tool.preview?.(call.input, ctx.signal).catch(() => undefined);
    let approvalId = '';
    try {
      const reply = await ctx.broker.open(
        { ...base, kind: 'approval', tool: call.tool.name, sessionId: ctx.sessionId, runId: ctx.runId, ...(preview ? { preview } : {}) },
        ctx.signal,
        (interaction) => {
          approvalId = interaction.id;
          void ctx.record({ type: 'approval.requested', approvalId, ...base, ...(preview ? { preview } : {}) });
        },
      );
      if (reply.outcome === 'deny') {
        await ctx.record({ type: 'approval.resolved', approvalId, outcome: 'deny', ...(reply.message ? { message: reply.message } : {}) });
        const said = reply.message ? ` The user said: "${reply.message}"` : '';
        return errorResult(`The user denied this ${call.tool.name} call.${said} Do not retry it; adjust your approach.`, { permission: 'denied_by_user' });
      }
      this.history.length = 0;
      if (reply.outcome === 'once') {
        await ctx.record({ type: 'approval.resolved', approvalId, outcome: 'once' });
        return null;
      }
      const rules = (reply.patterns ?? grantable ?? [undefined]).map((pattern) => formatRule('allow', call.tool.name, pattern));
      if (reply.outcome === 'session') {
        await ctx.record({ type: 'approval.resolved', approvalId, outcome: 'session', grants: rules.map((rule, i) => ({ id: `${approvalId}_${i + 1}`, rule })) });
        return null;
      }
      const origin = { sessionId: ctx.sessionId, sessionTitle: ctx.session().title, tool: call.tool.name, ...(subject !== undefined ? { subject } : {}) };
      const grants: { id: string; rule: string }[] = [];
      for (const rule of rules) grants.push({ id: (await ctx.grants.add(rule, origin)).id, rule });
      await ctx.record({ type: 'approval.resolved', approvalId, outcome: 'workspace', grants });
      return null;
    } catch (error) {
      if (!(error instanceof InteractionCancelledError)) throw error;
      if (approvalId) await ctx.record({ type: 'approval.resolved', approvalId, outcome: 'cancelled' }).catch(() => undefined);
      return errorResult('Not run: the run was cancelled while this call waited for approval.', { cancelled: true });
    }
  }
}

/**
 * The patterns a standing grant for this call records, one allow rule each: its subject, or for a shell line each
 * command whose program is known (an unknown one cannot be granted: it asks every time). Undefined for a tool
 * without a subject, whose grant covers every call.
 */
function grantPatterns(request: PermissionRequest): string[] | undefined {
  if (request.commands) return request.commands.filter((c) => c.known).map((c) => c.text);
  return request.subject === undefined ? undefined : [request.subject];
}
