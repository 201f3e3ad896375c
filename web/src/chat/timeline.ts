import type { RunEvent, StoredEvent, ToolResult } from './types';

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
      retry: string | null;
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
    }
  | { kind: 'notice'; key: string; tone: 'info' | 'error'; text: string };

export interface Timeline {
  items: TimelineItem[];
  lastEventId: number;
  /** The run in progress, as the events tell it. */
  runId: string | null;
  usage: { inputTokens: number; outputTokens: number; costUsd: number };
  title: string | null;
}

export const emptyTimeline = (): Timeline => ({ items: [], lastEventId: 0, runId: null, usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 }, title: null });

const ENDINGS: Record<string, string> = {
  cancelled: 'Stopped.',
  max_turns: 'Stopped: the run reached its turn limit.',
  budget: 'Stopped: the run reached its budget.',
};

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

/** Applies one event. Returns a new timeline (items are replaced, never mutated) so React sees each change. */
export function applyEvent(timeline: Timeline, event: StoredEvent): Timeline {
  if (event.id <= timeline.lastEventId) return timeline;
  const items = [...timeline.items];
  const next: Timeline = { ...timeline, items, lastEventId: event.id };
  const e = event as RunEvent | Extract<StoredEvent, { type: 'session.renamed' }>;
  switch (e.type) {
    case 'session.renamed':
      next.title = e.title;
      break;
    case 'run.started':
      next.runId = e.runId;
      break;
    case 'message.user':
      if (e.synthetic) items.push({ kind: 'notice', key: `n${e.id}`, tone: 'info', text: /output limit/.test(e.text) ? 'The reply hit the output limit; asked the model to continue.' : 'The model replied with nothing; asked it to answer.' });
      else items.push({ kind: 'user', key: `u${e.id}`, eventId: e.id, text: e.text });
      break;
    case 'message.delta': {
      const at = assistantIndex(items, e.messageId);
      const current = at >= 0 ? (items[at] as Extract<TimelineItem, { kind: 'assistant' }>) : null;
      const base = current ?? { kind: 'assistant' as const, key: `a${e.messageId}`, eventId: null, messageId: e.messageId, text: '', reasoning: '', model: null, streaming: true, interrupted: false, retry: null };
      const updated = { ...base, retry: null, ...(e.kind === 'text' ? { text: base.text + e.text } : { reasoning: base.reasoning + e.text }) };
      if (at >= 0) items[at] = updated;
      else items.push(updated);
      break;
    }
    case 'model.retry': {
      const at = assistantIndex(items, e.messageId);
      const retry = `Retrying in ${Math.max(1, Math.round(e.delayMs / 1000))} s (attempt ${e.attempt + 1}): ${e.reason}`;
      const item = { kind: 'assistant' as const, key: `a${e.messageId}`, eventId: null, messageId: e.messageId, text: '', reasoning: '', model: null, streaming: true, interrupted: false, retry };
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
      items.push({ kind: 'tool', key: `t${e.callId}`, callId: e.callId, name: e.name, input: e.input, status: 'running', result: null, durationMs: null, progress: null });
      break;
    case 'tool.progress': {
      const at = toolIndex(items, e.callId);
      if (at >= 0) items[at] = { ...(items[at] as Extract<TimelineItem, { kind: 'tool' }>), progress: e.data };
      break;
    }
    case 'tool.completed': {
      const at = toolIndex(items, e.callId);
      const done = { status: e.result.isError ? ('error' as const) : ('done' as const), result: e.result, durationMs: e.durationMs };
      if (at >= 0) items[at] = { ...(items[at] as Extract<TimelineItem, { kind: 'tool' }>), ...done };
      else items.push({ kind: 'tool', key: `t${e.callId}`, callId: e.callId, name: e.name, input: null, progress: null, ...done });
      break;
    }
    case 'usage':
      next.usage = { inputTokens: timeline.usage.inputTokens + e.inputTokens, outputTokens: timeline.usage.outputTokens + e.outputTokens, costUsd: timeline.usage.costUsd + e.costUsd };
      break;
    case 'run.completed':
      next.runId = null;
      for (let i = 0; i < items.length; i++) {
        const item = items[i]!;
        // Anything still open when its run ended was cut off (a crash leaves tools that never report back).
        if (item.kind === 'tool' && item.status === 'running') items[i] = { ...item, status: 'error', result: { content: 'Did not finish.', isError: true } };
        if (item.kind === 'assistant' && item.streaming) items[i] = { ...item, streaming: false, interrupted: true, retry: null };
      }
      if (e.status === 'error') items.push({ kind: 'notice', key: `n${e.id}`, tone: 'error', text: e.error?.message ?? 'The run failed.' });
      else if (ENDINGS[e.status]) items.push({ kind: 'notice', key: `n${e.id}`, tone: 'info', text: ENDINGS[e.status]! });
      break;
  }
  return next;
}

/** Closes what a run left open when it is known not to be running (it died with the server). */
export function settleStale(timeline: Timeline): Timeline {
  const stale = timeline.items.some((i) => (i.kind === 'tool' && i.status === 'running') || (i.kind === 'assistant' && i.streaming));
  if (!stale) return { ...timeline, runId: null };
  return {
    ...timeline,
    runId: null,
    items: timeline.items.map((item) =>
      item.kind === 'tool' && item.status === 'running'
        ? { ...item, status: 'error', result: { content: 'Did not finish: the run stopped.', isError: true } }
        : item.kind === 'assistant' && item.streaming
          ? { ...item, streaming: false, interrupted: true }
          : item,
    ),
  };
}

export function timelineFrom(events: StoredEvent[]): Timeline {
  return events.reduce(applyEvent, emptyTimeline());
}
