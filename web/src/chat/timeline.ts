import type {
  BudgetLimit,
  ChildStatus,
  ChildUsage,
  FromText,
  RunEventOf,
  StampedEvent,
  ToolResult,
  WorktreeReport,
} from '@contract/events';
import type { ChildRun } from '@contract/agents';
import type { Todo } from '@contract/interactions';
import type { PermissionMode } from '@contract/permissions';
import type { ApprovalView, QuestionView } from '../approvals/RequestCards';

/** What the conversation shows, derived from the session's events in order. */
export type TimelineItem =
  | { kind: 'user'; key: string; eventId: number; text: string }
  | {
      kind: 'assistant';
      key: string;
      eventId: number | null;
      messageId: string;
      text: string;
      reasoning: string;
      model: string | null;
      streaming: boolean;
      interrupted: boolean;
      retry: RetryView | null;
    }
  | {
      kind: 'tool';
      key: string;
      callId: string;
      name: string;
      input: unknown;
      status: 'running' | 'done' | 'error';
      result: ToolResult | null;
      durationMs: number | null;
      progress: Record<string, unknown> | null;
      /** The model wrote the call as text (or its arguments as almost-JSON): the format, and what was fixed. */
      fromText: FromText | null;
    }
  | { kind: 'notice'; key: string; tone: 'info' | 'error'; text: string }
  | {
      kind: 'compaction';
      key: string;
      compaction: 'mask' | 'summary';
      tokensBefore: number;
      tokensAfter: number;
      manual: boolean;
      summary: string | null;
      /** The tool calls whose outputs the model now reads as stubs, with the stub. */
      masked: { callId: string; name: string; stub: string }[];
    }
  | { kind: 'approval'; key: string; request: ApprovalView }
  | { kind: 'question'; key: string; request: QuestionView };

/** A failed model call waiting to be tried again: when (epoch ms), which attempt comes next, of how many, and why. */
export interface RetryView {
  at: number;
  attempt: number;
  /** Attempts allowed in all; null when the session did not record it. */
  of: number | null;
  reason: string;
}

/**
 * A child run the session's `agent` calls started, for its card: what `agent.spawned` said, kept live by
 * `agent.progress` and closed by `agent.completed`. `interrupted`: it is known not to be running any more, yet never
 * reported an end (its process died).
 */
export interface ChildView {
  childId: string;
  callId: string;
  agentType: string;
  description: string;
  background: boolean;
  isolation: 'none' | 'worktree';
  state: 'queued' | 'running' | 'done' | 'interrupted';
  status: ChildStatus | null;
  turns: number;
  usage: ChildUsage;
  /** The tool the child is calling now. */
  tool: string | null;
  text: string;
  filesChanged: string[];
  worktree: WorktreeReport | null;
  /** What the user did with its kept worktree. */
  worktreeAction: 'merged' | 'discarded' | null;
  error: string | null;
}

export interface Timeline {
  items: TimelineItem[];
  lastEventId: number;
  /** The run in progress, as the events tell it. */
  runId: string | null;
  usage: { inputTokens: number; outputTokens: number; costUsd: number };
  title: string | null;
  todos: Todo[];
  /** The session's own permission mode; null follows the workspace. */
  mode: PermissionMode | null;
  /** "Allow for this session" grants still in force. */
  grants: { id: string; rule: string }[];
  /** The key of the notice that ends the latest run when it was interrupted: where Continue is offered. */
  continueAt: string | null;
  /** The key of the notice that ends the latest run when it failed: where Retry is offered. */
  retryAt: string | null;
  /** What the user last sent (as typed), which Retry sends again. */
  lastPrompt: string | null;
  /** The agent type of the session's runs (`manager`: managed mode); null: the plain agent. */
  agentType: string | null;
  /** The child runs started from this session, in the order they started. */
  children: ChildView[];
  /** Some of the session's own model calls had no known price: its cost is at least what is shown. */
  unpriced: boolean;
  /** The latest request's size against the model's window, and what took the space (estimated tokens). */
  context: {
    window: number;
    system: number;
    tools: number;
    conversation: number;
    toolOutputs: number;
    total: number;
  } | null;
}

export const emptyTimeline = (): Timeline => ({
  items: [],
  lastEventId: 0,
  runId: null,
  usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
  title: null,
  todos: [],
  mode: null,
  grants: [],
  continueAt: null,
  retryAt: null,
  lastPrompt: null,
  agentType: null,
  children: [],
  unpriced: false,
  context: null,
});

function findIndex(items: TimelineItem[], match: (item: TimelineItem) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (match(items[i]!)) return i;
  return -1;
}

const ENDINGS: Record<string, string> = {
  cancelled: 'Stopped.',
  max_turns: 'Stopped: the run reached its turn limit.',
  budget: 'Stopped: the run reached its budget.',
  interrupted: 'Interrupted: boxagnts stopped before this run finished.',
};

/** Which budget ended the run, with its value and what was used, in the user's words. */
function budgetEnding(limit: BudgetLimit, max: number, used: number): string {
  const number = (n: number) => n.toLocaleString('en');
  const shown = {
    maxCostUsd: `cost: $${used.toFixed(4)} of $${max}`,
    maxWallMs: `time: ${number(Math.round(used / 1000))} s of ${number(Math.round(max / 1000))} s`,
    maxInputTokens: `input tokens: ${number(used)} of ${number(max)}`,
    maxOutputTokens: `output tokens: ${number(used)} of ${number(max)}`,
  }[limit];
  return `Stopped: the run reached its budget (${shown}).`;
}

function assistantIndex(items: TimelineItem[], messageId: string): number {
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i]!;
    if (item.kind === 'assistant' && item.messageId === messageId) return i;
  }
  return -1;
}

function toolIndex(items: TimelineItem[], callId: string): number {
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i]!;
    if (item.kind === 'tool' && item.callId === callId) return i;
  }
  return -1;
}

function spawnedChild(e: RunEventOf<'agent.spawned'>): ChildView {
  return {
    childId: e.childId,
    callId: e.callId,
    agentType: e.agentType,
    description: e.description,
    background: e.background,
    isolation: e.isolation,
    state: e.queued ? 'queued' : 'running',
    status: null,
    turns: 0,
    usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
    tool: null,
    text: '',
    filesChanged: [],
    worktree: null,
    worktreeAction: null,
    error: null,
  };
}

/** The children with `childId`'s replaced by `change` of it; unchanged when there is no such child. */
function updateChild(children: ChildView[], childId: string, change: (child: ChildView) => ChildView): ChildView[] {
  return children.map((child) => (child.childId === childId ? change(child) : child));
}

/** What a synthetic user message (one the runtime wrote) was for, in the user's words. */
function syntheticNotice(text: string, children: ChildView[]): string {
  if (/output limit/.test(text)) return 'The reply hit the output limit; asked the model to continue.';
  const background = /^Background agent (\S+) finished/.exec(text);
  if (background) {
    const child = children.find((c) => c.childId === background[1]);
    return `The background agent ${child ? `“${child.description}” ` : ''}finished; its result went to the model.`;
  }
  return 'The model replied with nothing; asked it to answer.';
}

/** Applies one event. Returns a new timeline (items are replaced, never mutated) so React sees each change. */
export function applyEvent(timeline: Timeline, e: StampedEvent): Timeline {
  if (e.id <= timeline.lastEventId) return timeline;
  const items = [...timeline.items];
  const next: Timeline = { ...timeline, items, lastEventId: e.id };
  switch (e.type) {
    case 'session.renamed':
      next.title = e.title;
      break;
    case 'session.titled':
      // A title the user gave (renamed before) stays.
      next.title ??= e.title;
      break;
    case 'session.mode':
      next.mode = e.mode;
      break;
    case 'grant.revoked':
      next.grants = timeline.grants.filter((g) => g.id !== e.grantId);
      break;
    case 'session.agent':
      next.agentType = e.agentType;
      break;
    case 'agent.spawned':
      next.children = [...timeline.children.filter((c) => c.childId !== e.childId), spawnedChild(e)];
      break;
    case 'agent.progress':
      next.children = updateChild(timeline.children, e.childId, (child) =>
        child.state === 'done'
          ? child
          : { ...child, state: e.state, turns: e.turns, usage: e.usage, tool: e.tool ?? null },
      );
      break;
    case 'agent.completed':
      next.children = updateChild(timeline.children, e.childId, (child) => ({
        ...child,
        state: 'done',
        status: e.status,
        turns: e.turns,
        usage: e.usage,
        tool: null,
        text: e.text,
        filesChanged: e.filesChanged,
        worktree: e.worktree ?? null,
        error: e.error ?? null,
      }));
      break;
    case 'agent.worktree':
      next.children = updateChild(timeline.children, e.childId, (child) => ({ ...child, worktreeAction: e.action }));
      break;
    case 'todos.updated':
      next.todos = e.todos;
      break;
    case 'approval.requested':
      items.push({
        kind: 'approval',
        key: `p${e.approvalId}`,
        request: {
          id: e.approvalId,
          kind: e.kind,
          name: e.name,
          level: e.level,
          input: e.input,
          subject: e.subject,
          reason: e.reason,
          preview: e.preview,
          plan: e.plan,
          grantPatterns: e.grantPatterns,
          ungrantable: e.ungrantable,
          hostCommands: e.hostCommands,
          resolution: null,
        },
      });
      break;
    case 'approval.resolved': {
      // Sessions recorded before a grant could hold several rules have one `rule`.
      const grants = e.grants ?? (e.rule ? [{ id: e.grantId ?? e.approvalId, rule: e.rule }] : []);
      if (e.outcome === 'session') next.grants = [...timeline.grants, ...grants];
      const at = findIndex(items, (i) => i.kind === 'approval' && i.request.id === e.approvalId);
      if (at >= 0) {
        const item = items[at] as Extract<TimelineItem, { kind: 'approval' }>;
        items[at] = {
          ...item,
          request: {
            ...item.request,
            resolution: { outcome: e.outcome, message: e.message, rules: grants.map((g) => g.rule) },
          },
        };
      }
      break;
    }
    case 'question.asked':
      items.push({
        kind: 'question',
        key: `q${e.questionId}`,
        request: { id: e.questionId, questions: e.questions, answers: null, cancelled: false },
      });
      break;
    case 'question.answered': {
      const at = findIndex(items, (i) => i.kind === 'question' && i.request.id === e.questionId);
      if (at >= 0) {
        const item = items[at] as Extract<TimelineItem, { kind: 'question' }>;
        items[at] = {
          ...item,
          request: { ...item.request, answers: e.answers ?? null, cancelled: e.cancelled === true },
        };
      }
      break;
    }
    case 'run.started':
      next.runId = e.runId;
      next.continueAt = null;
      next.retryAt = null;
      break;
    case 'message.user':
      if (e.synthetic)
        items.push({
          kind: 'notice',
          key: `n${e.id}`,
          tone: 'info',
          text: syntheticNotice(e.text, timeline.children),
        });
      // A skill run by the user (`/code-review src/a.ts`) shows as typed, not as the instructions it expanded to.
      else {
        items.push({ kind: 'user', key: `u${e.id}`, eventId: e.id, text: e.command ?? e.text });
        next.lastPrompt = e.command ?? e.text;
      }
      break;
    case 'message.delta': {
      const at = assistantIndex(items, e.messageId);
      const current = at >= 0 ? (items[at] as Extract<TimelineItem, { kind: 'assistant' }>) : null;
      const base = current ?? {
        kind: 'assistant' as const,
        key: `a${e.messageId}`,
        eventId: null,
        messageId: e.messageId,
        text: '',
        reasoning: '',
        model: null,
        streaming: true,
        interrupted: false,
        retry: null,
      };
      const updated = {
        ...base,
        retry: null,
        ...(e.kind === 'text' ? { text: base.text + e.text } : { reasoning: base.reasoning + e.text }),
      };
      if (at >= 0) items[at] = updated;
      else items.push(updated);
      break;
    }
    case 'model.retry': {
      const at = assistantIndex(items, e.messageId);
      const retry: RetryView = {
        at: Date.parse(e.time) + e.delayMs,
        attempt: e.attempt + 1,
        of: e.maxAttempts ?? null,
        reason: e.reason,
      };
      const item = {
        kind: 'assistant' as const,
        key: `a${e.messageId}`,
        eventId: null,
        messageId: e.messageId,
        text: '',
        reasoning: '',
        model: null,
        streaming: true,
        interrupted: false,
        retry,
      };
      if (at >= 0) items[at] = item;
      else items.push(item);
      break;
    }
    case 'message.completed': {
      const at = assistantIndex(items, e.messageId);
      const item = {
        kind: 'assistant' as const,
        key: `a${e.messageId}`,
        eventId: e.id,
        messageId: e.messageId,
        text: e.text,
        reasoning: e.reasoning ?? '',
        model: e.model,
        streaming: false,
        interrupted: e.interrupted === true,
        retry: null,
      };
      if (at >= 0) items[at] = item;
      else items.push(item);
      break;
    }
    case 'tool.started':
      items.push({
        kind: 'tool',
        key: `t${e.callId}`,
        callId: e.callId,
        name: e.name,
        input: e.input,
        status: 'running',
        result: null,
        durationMs: null,
        progress: null,
        fromText: e.fromText ?? null,
      });
      break;
    case 'tool.progress': {
      const at = toolIndex(items, e.callId);
      if (at >= 0) items[at] = { ...(items[at] as Extract<TimelineItem, { kind: 'tool' }>), progress: e.data };
      break;
    }
    case 'tool.completed': {
      const at = toolIndex(items, e.callId);
      const done = {
        status: e.result.isError ? ('error' as const) : ('done' as const),
        result: e.result,
        durationMs: e.durationMs,
      };
      if (at >= 0) items[at] = { ...(items[at] as Extract<TimelineItem, { kind: 'tool' }>), ...done };
      else
        items.push({
          kind: 'tool',
          key: `t${e.callId}`,
          callId: e.callId,
          name: e.name,
          input: null,
          progress: null,
          fromText: null,
          ...done,
        });
      break;
    }
    case 'context.measured': {
      const { window, system, tools, conversation, toolOutputs, total } = e;
      next.context = { window, system, tools, conversation, toolOutputs, total };
      break;
    }
    case 'compaction.completed':
      items.push({
        kind: 'compaction',
        key: `c${e.id}`,
        compaction: e.kind,
        tokensBefore: e.tokensBefore,
        tokensAfter: e.tokensAfter,
        manual: e.manual === true,
        summary: e.summary ?? null,
        masked: e.masked ?? [],
      });
      break;
    case 'usage':
      if (e.costKnown === false) next.unpriced = true;
      if (e.context) next.context = e.context;
      next.usage = {
        inputTokens: timeline.usage.inputTokens + e.inputTokens,
        outputTokens: timeline.usage.outputTokens + e.outputTokens,
        costUsd: timeline.usage.costUsd + e.costUsd,
      };
      break;
    case 'run.completed':
      next.runId = null;
      for (let i = 0; i < items.length; i++) items[i] = closeOpen(items[i]!);
      if (e.status === 'error')
        items.push({ kind: 'notice', key: `n${e.id}`, tone: 'error', text: e.error?.message ?? 'The run failed.' });
      else if (e.status === 'budget' && e.limit)
        items.push({
          kind: 'notice',
          key: `n${e.id}`,
          tone: 'info',
          text: budgetEnding(e.limit, e.max ?? 0, e.used ?? 0),
        });
      else if (ENDINGS[e.status])
        items.push({ kind: 'notice', key: `n${e.id}`, tone: 'info', text: ENDINGS[e.status]! });
      if (e.status === 'interrupted') next.continueAt = `n${e.id}`;
      if (e.status === 'error') next.retryAt = `n${e.id}`;
      break;
  }
  return next;
}

/** An item that a run left open, closed: its run is over (it ended, or died with the server). */
function closeOpen(item: TimelineItem): TimelineItem {
  if (item.kind === 'tool' && item.status === 'running')
    return { ...item, status: 'error', result: { content: 'Did not finish: the run stopped.', isError: true } };
  if (item.kind === 'assistant' && item.streaming) return { ...item, streaming: false, interrupted: true, retry: null };
  if (item.kind === 'approval' && item.request.resolution === null)
    return { ...item, request: { ...item.request, stale: true } };
  if (item.kind === 'question' && item.request.answers === null && !item.request.cancelled)
    return { ...item, request: { ...item.request, stale: true } };
  return item;
}

/** Closes what a run left open when it is known not to be running (it died with the server). */
export function settleStale(timeline: Timeline): Timeline {
  return { ...timeline, runId: null, items: timeline.items.map(closeOpen) };
}

/**
 * The children the events leave queued or running, as the server's list of child runs has them now: their live figures
 * (progress is not stored), and `interrupted` for one the server no longer knows (its process died). A child the list
 * has as done is left as it is: its `agent.completed` is on its way.
 */
export function withRunningChildren(timeline: Timeline, running: ChildRun[]): Timeline {
  const open = (child: ChildView) => child.state === 'queued' || child.state === 'running';
  if (!timeline.children.some(open)) return timeline;
  const children = timeline.children.map((child): ChildView => {
    if (!open(child)) return child;
    const live = running.find((run) => run.id === child.childId);
    if (!live) return { ...child, state: 'interrupted', tool: null };
    if (live.state === 'done') return child;
    return { ...child, state: live.state, turns: live.turns, usage: live.usage };
  });
  return { ...timeline, children };
}

export function timelineFrom(events: StampedEvent[]): Timeline {
  return events.reduce(applyEvent, emptyTimeline());
}
