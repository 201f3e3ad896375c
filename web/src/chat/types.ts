/** Shapes of the chat API (src/server/sessions.ts, src/agent/events.ts), as the dashboard reads them. */

export interface SessionSummary {
  id: string;
  title: string;
  titleSource: 'default' | 'auto' | 'user';
  createdAt: string;
  updatedAt: string;
  messageCount: number;
  lastEventId: number;
  parentId?: string;
  running: boolean;
}

export type ContentBlock = { type: 'text'; text: string } | { type: 'image'; data: string; mediaType: string };

export interface ToolResult {
  content: string | ContentBlock[];
  isError?: boolean;
  metadata?: Record<string, unknown>;
}

interface Base {
  id: number;
  time: string;
  runId: string;
}

export type RunEvent = Base &
  (
    | { type: 'run.started'; model: string; maxTurns: number }
    | { type: 'message.user'; messageId: string; text: string; synthetic?: boolean }
    | { type: 'message.delta'; messageId: string; kind: 'text' | 'reasoning'; text: string }
    | {
        type: 'message.completed';
        messageId: string;
        model: string;
        text: string;
        reasoning?: string;
        toolCalls: { callId: string; name: string; input: unknown; invalid?: string }[];
        finishReason: string;
        interrupted?: boolean;
      }
    | { type: 'tool.started'; messageId: string; callId: string; name: string; input: unknown }
    | { type: 'tool.progress'; callId: string; data: Record<string, unknown> }
    | { type: 'tool.completed'; messageId: string; callId: string; name: string; result: ToolResult; durationMs: number }
    | { type: 'model.retry'; messageId: string; attempt: number; delayMs: number; reason: string }
    | { type: 'usage'; provider: string; model: string; inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheWriteTokens: number; costUsd: number }
    | { type: 'run.completed'; status: 'finished' | 'cancelled' | 'max_turns' | 'budget' | 'error'; turns: number; error?: { code: string; message: string } }
  );

/** Stored lines that are not run events (a rename). */
export type StoredEvent = RunEvent | { id: number; time: string; type: 'session.renamed'; title: string };

export interface SessionDetail {
  session: SessionSummary;
  runId: string | null;
  events: StoredEvent[];
  warnings: string[];
}

export type GlobalEvent =
  | { id: number; type: 'session.created' | 'session.updated'; session: SessionSummary }
  | { id: number; type: 'session.deleted'; sessionId: string }
  | { id: number; type: 'run.status'; sessionId: string; runId: string; running: boolean };

export interface ModelChoice {
  id: string;
  provider: string;
  model: string;
  info: { contextWindow: number; label?: string };
}
