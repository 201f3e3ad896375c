import type { ModelMessage } from 'ai';
import type { RunEvent, StampedEvent } from '../../contract/events';
import { compactedOpening, conversationFrom } from '../conversation';
import { estimateTokens } from './estimate';
import { maskOldOutputs } from './mask';
import { pinnedState } from './pinned';

/** Below the window, what a summary compaction leaves for the reply and the next turns (besides the model's output). */
const SUMMARY_HEADROOM = 13_000;
/** A compaction that does not take at least this share off is not tried again in the same turn. */
const MIN_SHRINK = 0.2;
/** This many summary compactions within TURN_SPAN turns stop the run instead of spiralling. */
const SPIRAL_COUNT = 3;
const TURN_SPAN = 10;

export interface CompactionSettings {
  maskAt: number;
  keepRecentTokens: number;
  compactAt?: number | undefined;
}

export interface CompactorDeps {
  runId: string;
  settings: CompactionSettings;
  contextWindow: number;
  maxOutput: number;
  /** The session's stored events so far (the pinned state is rebuilt from them). */
  events(): Promise<StampedEvent[]>;
  /** One model call that summarises the conversation, with an optional focus the user gave. */
  summarize(messages: ModelMessage[], focus?: string): Promise<string>;
  emit(event: RunEvent): Promise<void>;
}

/** Why the run must stop: compaction could not keep the conversation within the window. */
export interface CompactionStop {
  code: 'context_overflow';
  message: string;
}

/**
 * Keeps what the model is sent within its context window, between turns and never inside one. Past `maskAt` of the
 * window, old tool outputs become stubs; past `compactAt`, one model call summarises the conversation and the
 * runtime re-injects, verbatim, what it keeps itself (the pinned state). A compaction that does not shrink the
 * conversation by a fifth is not retried in the same turn, and three within ten turns stop the run.
 */
export class Compactor {
  private readonly summaries: number[] = [];
  private readonly masked = new Set<string>();
  private stalledTurn = -1;

  constructor(private readonly deps: CompactorDeps) {}

  private get compactAt(): number {
    const { settings, contextWindow, maxOutput } = this.deps;
    return settings.compactAt ?? Math.max(contextWindow * 0.5, contextWindow - maxOutput - SUMMARY_HEADROOM);
  }

  /** The messages to send for turn `turn`, made smaller when they would not fit; or why the run must stop. */
  async beforeCall(
    messages: ModelMessage[],
    system: string,
    toolsJson: string,
    turn: number,
  ): Promise<{ messages: ModelMessage[]; stop?: CompactionStop }> {
    const { settings, contextWindow } = this.deps;
    let current = messages;
    let tokens = estimateTokens(system, toolsJson, current);
    if (tokens > settings.maskAt * contextWindow) {
      const { messages: masked, masked: outputs } = maskOldOutputs(current, settings.keepRecentTokens);
      const fresh = outputs.filter((o) => !this.masked.has(o.callId));
      current = masked;
      if (fresh.length > 0) {
        for (const output of fresh) this.masked.add(output.callId);
        const after = estimateTokens(system, toolsJson, current);
        const ids = await this.callEventIds(new Set(fresh.map((o) => o.callId)));
        await this.deps.emit({
          type: 'compaction.completed',
          runId: this.deps.runId,
          kind: 'mask',
          tokensBefore: tokens,
          tokensAfter: after,
          coveredEventIds: ids,
          masked: fresh,
        });
        tokens = after;
      }
    }
    if (tokens <= this.compactAt || this.stalledTurn === turn) return { messages: current };
    // The system prompt and the tools take nearly all of it (a small window): a summary could not shrink the request.
    if (estimateTokens('', '', current) < tokens * MIN_SHRINK) return { messages: current };
    const recent = this.summaries.filter((t) => turn - t < TURN_SPAN);
    if (recent.length >= SPIRAL_COUNT)
      return {
        messages: current,
        stop: {
          code: 'context_overflow',
          message: `The conversation outgrew the model's context window ${SPIRAL_COUNT} times in ${TURN_SPAN} turns, even after compacting it; start a new session (the summary so far is in this one) or use a model with a larger window.`,
        },
      };
    const compacted = await this.summarize(current, system, toolsJson, tokens);
    if (!compacted) {
      this.stalledTurn = turn;
      return { messages: current };
    }
    this.summaries.push(turn);
    if (compacted.tokensAfter > tokens * (1 - MIN_SHRINK)) this.stalledTurn = turn;
    return { messages: compacted.messages };
  }

  /** A summary compaction now, whatever the size (`/compact [focus]`); false when the summary could not be made. */
  async compactNow(messages: ModelMessage[], system: string, toolsJson: string, focus?: string): Promise<boolean> {
    const tokens = estimateTokens(system, toolsJson, messages);
    return (await this.summarize(messages, system, toolsJson, tokens, focus, true)) !== null;
  }

  private async summarize(
    messages: ModelMessage[],
    system: string,
    toolsJson: string,
    tokensBefore: number,
    focus?: string,
    manual = false,
  ): Promise<{ messages: ModelMessage[]; tokensAfter: number } | null> {
    let summary: string;
    try {
      summary = (await this.deps.summarize(messages, focus)).trim();
    } catch {
      // The run goes on with the conversation as it was; the next turn may try again.
      return null;
    }
    const events = await this.deps.events();
    // The newest assistant turn stays as it was, so the model sees exactly where it stands.
    const lastTurn = events.findLastIndex((e) => e.type === 'message.completed');
    const coveredUpTo = lastTurn > 0 ? events[lastTurn - 1]!.id : (events.at(-1)?.id ?? 0);
    const previous = events.filter((e) => e.type === 'compaction.completed' && e.kind === 'summary').at(-1);
    const from = previous && previous.type === 'compaction.completed' ? (previous.coveredUpTo ?? 0) : 0;
    const covered = events
      .filter((e) => e.id > from && e.id <= coveredUpTo)
      .filter((e) => e.type === 'message.user' || e.type === 'message.completed' || e.type === 'tool.completed')
      .map((e) => e.id);
    const context = `${pinnedState(events)}\n\n## Summary of the conversation so far\n${summary || '(the model gave no summary)'}`;
    const kept = conversationFrom(events.filter((e) => e.id > coveredUpTo && e.type !== 'compaction.completed'));
    const next = [compactedOpening(context), ...kept];
    const tokensAfter = estimateTokens(system, toolsJson, next);
    await this.deps.emit({
      type: 'compaction.completed',
      runId: this.deps.runId,
      kind: 'summary',
      tokensBefore,
      tokensAfter,
      ...(manual ? { manual: true } : {}),
      summary,
      context,
      coveredEventIds: covered,
      coveredUpTo,
    });
    return { messages: next, tokensAfter };
  }

  private async callEventIds(callIds: ReadonlySet<string>): Promise<number[]> {
    return (await this.deps.events())
      .filter((e) => e.type === 'tool.completed' && callIds.has(e.callId))
      .map((e) => e.id);
  }
}
