import type { RunEventOf } from '../contract/events';
import type { ApprovalPreview } from '../contract/interactions';
import type { HostCommandPreview } from '../contract/permissions';
import { type ApprovalBroker, InteractionCancelledError } from './approvals';
import {
  type Decision,
  type PermissionLevel,
  type PermissionMode,
  type PermissionRequest,
  type Rule,
  decide,
  formatRule,
  hasPatternRules,
} from './policy';
import { type ShellCommand, shellCommands } from './shell-command';

/** What the gate needs of a tool: its name, its level and what rules match (any tool has these). */
export interface GatedTool {
  readonly name: string;
  readonly permissionLevel: PermissionLevel;
  subject?(input: unknown): string | undefined;
  readonly subjectKind?: 'command';
  /**
   * For a shell tool: the level a command's program needs when it is not the tool's own (`host`); null asks about a
   * command whose program is only known when it runs.
   */
  commandLevel?(program: string | null): Promise<PermissionLevel | undefined>;
}

/** A validated call, as the gate sees it; `preview` shows on the approval card what the call would change. */
export interface GateCall {
  callId: string;
  tool: GatedTool;
  input: unknown;
  preview?: (() => Promise<ApprovalPreview | undefined>) | undefined;
  /** For a shell line: how its commands that run programs of this machine show on the approval card. */
  hostCommands?: ((commands: readonly { text: string; program: string }[]) => HostCommandPreview[]) | undefined;
}

/** Why a call was not run, for the model; the caller makes it the call's result. */
export interface Refusal {
  message: string;
  metadata: Record<string, unknown>;
}

/**
 * Who answers a call that asks. `watched`: someone can, on the dashboard, as long as it takes. Otherwise nobody is
 * watching: `deny` refuses at once (a headless run), `park` puts the request in the approvals inbox and waits, up to
 * `parkTimeoutMs` when given, then refuses.
 */
export type Approvals =
  { watched: true } | { watched: false; unattended: 'deny' | 'park'; parkTimeoutMs?: number | undefined };

/** The events the gate writes to the session, without the run id that the runner adds as it stores and publishes them. */
export type GateEvent =
  RunEventOf<'approval.requested' | 'approval.resolved'> extends infer E
    ? E extends { runId: string }
      ? Omit<E, 'runId'>
      : never
    : never;

export interface GateContext {
  sessionId: string;
  runId: string;
  approvals: Approvals;
  /** A mode fixed for this run (`boxagnts run --permission-mode`), above the session's and the workspace's. */
  runMode?: PermissionMode | undefined;
  /** The workspace's mode, for a session that has none of its own. */
  workspaceMode(): PermissionMode;
  /** The workspace's rules, then its standing grants, in that order. */
  workspaceRules(): Rule[];
  /** Rules the run itself brings (a child's narrower profile): applied last, so nothing earlier undoes them. */
  runRules: readonly Rule[];
  /** Records a standing grant for the workspace; answers its id. */
  grantForWorkspace(
    rule: string,
    origin: { sessionId: string; sessionTitle: string; tool: string; subject?: string },
  ): Promise<{ id: string }>;
  /** The session's own mode and grants, as its events tell them now. */
  session(): { mode: PermissionMode | null; grants: readonly { rule: Rule }[]; title: string };
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
 * Where every tool call of a run is authorised: the policy decides, approvals ask the user (or, with nobody watching,
 * refuse at once or wait in the inbox), grants are recorded, and a call repeated identically is stopped to ask.
 */
export class PermissionGate {
  private readonly history: string[] = [];
  /** Rules granted for the rest of the run by loaded skills, with the skill that granted them. */
  private readonly skillGrants: { skill: string; rule: Rule }[] = [];

  constructor(private readonly ctx: GateContext) {}

  mode(): PermissionMode {
    return this.ctx.runMode ?? this.ctx.session().mode ?? this.ctx.workspaceMode();
  }

  /** The workspace's rules and grants, then this session's grants, then the run's own rules: the last match wins. */
  rules(): Rule[] {
    return [...this.ctx.workspaceRules(), ...this.ctx.session().grants.map((g) => g.rule), ...this.ctx.runRules];
  }

  /**
   * What the rules see of a call; a shell line is read into its commands (which loads the parser on first use). That
   * is skipped when no rule has a pattern for the tool and no grant is being recorded: the commands could not change
   * the decision.
   */
  private async request(call: GateCall, needCommands: boolean): Promise<PermissionRequest> {
    const subject = call.tool.subject?.(call.input);
    const commands =
      needCommands && call.tool.subjectKind === 'command' && subject !== undefined
        ? await Promise.all((await shellCommands(subject)).map((command) => withLevel(call.tool, command)))
        : undefined;
    return { tool: call.tool.name, level: call.tool.permissionLevel, subject, commands };
  }

  /** A skill's `allowed-tools`, for the rest of the run (see `decide`). */
  grantForSkill(skill: string, rules: readonly Rule[]): void {
    for (const rule of rules) this.skillGrants.push({ skill, rule });
  }

  /** The skills' grants that are in force, for the approval settings to show. */
  skillRules(): readonly { skill: string; rule: Rule }[] {
    return this.skillGrants;
  }

  async decide(call: GateCall): Promise<Decision> {
    const rules = this.rules();
    const granted = this.skillGrants.map((g) => g.rule);
    // Commands are read when a rule could match one, or when their programs change the level (the host tier).
    const request = await this.request(
      call,
      call.tool.commandLevel !== undefined || hasPatternRules([...rules, ...granted], call.tool.name),
    );
    let decision = decide(request, this.mode(), rules);
    // A skill's grants only spare the question: what the rules or the mode refuse stays refused.
    if (decision.action === 'ask' && granted.length > 0) {
      const byGrant = decide(request, this.mode(), granted);
      const grant = this.skillGrants.find((g) => g.rule === byGrant.rule);
      if (byGrant.action === 'allow' && grant)
        decision = {
          action: 'allow',
          reason: `allowed by the skill "${grant.skill}" (${grant.rule.text})`,
          rule: grant.rule,
        };
    }
    const key = `${call.tool.name}:${canonical(call.input)}`;
    const repeats = this.history.slice(-REPEAT_LIMIT);
    if (decision.action === 'allow' && repeats.length === REPEAT_LIMIT && repeats.every((k) => k === key)) {
      return {
        action: 'ask',
        reason: `this is the same ${call.tool.name} call with identical input ${REPEAT_LIMIT + 1} times in a row; the agent may be stuck in a loop`,
      };
    }
    return decision;
  }

  /**
   * Decides again, as it runs, one command of a shell call that the line did not show in full (a program named by
   * a variable, run by another program): a deny rule refuses it whatever was approved, and one that would ask runs
   * only if the user approved this call. Undefined: it may run; otherwise why not.
   */
  async recheck(
    tool: GatedTool,
    command: { text: string; program: string },
    approved: boolean,
  ): Promise<string | undefined> {
    const known = await withLevel(tool, { known: true, ...command });
    const request = { tool: tool.name, level: tool.permissionLevel, subject: command.text, commands: [known] };
    const decision = decide(request, this.mode(), this.rules());
    if (decision.action === 'deny') return decision.reason;
    if (decision.action === 'allow' || approved) return undefined;
    const granted = this.skillGrants.map((g) => g.rule);
    if (granted.length > 0 && decide(request, this.mode(), granted).action === 'allow') return undefined;
    return `"${command.text}" was not among the commands approved for this call (${decision.reason})`;
  }

  /** Remembers an executed call, for the repeat check. */
  executed(call: GateCall): void {
    this.history.push(`${call.tool.name}:${canonical(call.input)}`);
  }

  /** null: go ahead. Otherwise the refusal to give the model as the tool's result. */
  async authorize(call: GateCall, decision: Decision): Promise<Refusal | null> {
    if (decision.action === 'allow') return null;
    if (decision.action === 'deny')
      return refusal(
        `Permission denied: ${decision.reason}. Do not retry this call; find another way or ask the user.`,
        { permission: 'denied' },
      );
    return this.ask(call, decision);
  }

  private async ask(call: GateCall, decision: Decision): Promise<Refusal | null> {
    const { ctx } = this;
    const request = await this.request(call, true);
    const { subject, commands } = request;
    const grantable = grantPatterns(request);
    const commandFields = commands
      ? { grantPatterns: grantable ?? [], ungrantable: commands.filter((c) => !c.known).map((c) => c.text) }
      : {};
    const hostCommands = commands
      ? call.hostCommands?.(commands.flatMap((c) => (c.known && c.level === 'host' ? [c] : [])))
      : undefined;
    const base = {
      kind: 'tool' as const,
      callId: call.callId,
      name: call.tool.name,
      level: hostCommands?.length ? 'host' : call.tool.permissionLevel,
      ...(hostCommands?.length ? { hostCommands } : {}),
      input: call.input,
      ...(subject !== undefined ? { subject } : {}),
      reason: decision.reason,
      ...commandFields,
    };
    const examples = () =>
      (grantable?.length ? grantable : [undefined]).map((p) => `"${formatRule('allow', call.tool.name, p)}"`);
    const howToAllow = () =>
      `The user can allow it with --permission-mode or ${examples().length > 1 ? 'rules' : 'a rule'} such as ${examples().join(', ')} in .boxagnts/settings.json.`;
    const { approvals } = ctx;
    if (!approvals.watched && approvals.unattended === 'deny') {
      const approvalId = `int_auto_${call.callId}`;
      await ctx.record({ type: 'approval.requested', approvalId, ...base });
      await ctx.record({
        type: 'approval.resolved',
        approvalId,
        outcome: 'auto_deny',
        message: 'nobody watches this run to approve calls',
      });
      return refusal(
        `Not run: this call needs approval (${decision.reason}), and nobody can approve it in a run no one watches (a headless run or a background job). ${howToAllow()}`,
        { permission: 'needs_approval' },
      );
    }
    // A preview that fails only leaves the diff out: the approval is asked all the same, on the call's own words.
    const preview = await call.preview?.().catch(() => undefined);
    // A parked request waits for an answer from the inbox, for as long as the run allows.
    const parkMs = approvals.watched ? undefined : approvals.parkTimeoutMs;
    const deadline = parkMs !== undefined ? AbortSignal.timeout(parkMs) : undefined;
    let approvalId = '';
    try {
      const reply = await ctx.broker.open(
        {
          ...base,
          kind: 'approval',
          tool: call.tool.name,
          sessionId: ctx.sessionId,
          runId: ctx.runId,
          ...(preview ? { preview } : {}),
        },
        deadline ? AbortSignal.any([ctx.signal, deadline]) : ctx.signal,
        (interaction) => {
          approvalId = interaction.id;
          void ctx.record({ type: 'approval.requested', approvalId, ...base, ...(preview ? { preview } : {}) });
        },
      );
      if (reply.outcome === 'deny') {
        await ctx.record({
          type: 'approval.resolved',
          approvalId,
          outcome: 'deny',
          ...(reply.message ? { message: reply.message } : {}),
        });
        const said = reply.message ? ` The user said: "${reply.message}"` : '';
        return refusal(`The user denied this ${call.tool.name} call.${said} Do not retry it; adjust your approach.`, {
          permission: 'denied_by_user',
        });
      }
      this.history.length = 0;
      if (reply.outcome === 'once') {
        await ctx.record({ type: 'approval.resolved', approvalId, outcome: 'once' });
        return null;
      }
      const rules = (reply.patterns ?? grantable ?? [undefined]).map((pattern) =>
        formatRule('allow', call.tool.name, pattern),
      );
      if (reply.outcome === 'session') {
        await ctx.record({
          type: 'approval.resolved',
          approvalId,
          outcome: 'session',
          grants: rules.map((rule, i) => ({ id: `${approvalId}_${i + 1}`, rule })),
        });
        return null;
      }
      const origin = {
        sessionId: ctx.sessionId,
        sessionTitle: ctx.session().title,
        tool: call.tool.name,
        ...(subject !== undefined ? { subject } : {}),
      };
      const grants: { id: string; rule: string }[] = [];
      for (const rule of rules) grants.push({ id: (await ctx.grantForWorkspace(rule, origin)).id, rule });
      await ctx.record({ type: 'approval.resolved', approvalId, outcome: 'workspace', grants });
      return null;
    } catch (error) {
      if (!(error instanceof InteractionCancelledError)) throw error;
      if (deadline?.aborted && !ctx.signal.aborted) {
        const waited = `nobody answered in the approvals inbox within ${Math.round((parkMs ?? 0) / 1000)} s`;
        if (approvalId)
          await ctx.record({ type: 'approval.resolved', approvalId, outcome: 'auto_deny', message: waited });
        return refusal(`Not run: this call needs approval (${decision.reason}), and ${waited}. ${howToAllow()}`, {
          permission: 'needs_approval',
        });
      }
      if (approvalId) {
        // Best effort: the run is being cancelled and its log may be closing; the refusal below is what counts.
        await ctx.record({ type: 'approval.resolved', approvalId, outcome: 'cancelled' }).catch(() => undefined);
      }
      return refusal('Not run: the run was cancelled while this call waited for approval.', { cancelled: true });
    }
  }
}

/** A command with the level its program needs, when the tool says it differs from its own. */
async function withLevel(tool: GatedTool, command: ShellCommand): Promise<ShellCommand> {
  if (!tool.commandLevel) return command;
  const level = await tool.commandLevel(command.known ? command.program : null);
  return level ? { ...command, level } : command;
}

function refusal(message: string, metadata: Record<string, unknown>): Refusal {
  return { message, metadata };
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
