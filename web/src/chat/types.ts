import type { Answer, DiffPreview, Question } from '../approvals/types';

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
    | { type: 'run.completed'; status: 'finished' | 'cancelled' | 'max_turns' | 'budget' | 'error' | 'interrupted'; turns: number; error?: { code: string; message: string } }
    | {
        type: 'approval.requested';
        approvalId: string;
        kind: 'tool' | 'plan';
        callId: string;
        name: string;
        level: string;
        input: unknown;
        subject?: string;
        reason: string;
        preview?: DiffPreview;
        plan?: string;
        grantPatterns?: string[];
        ungrantable?: string[];
      }
    | { type: 'approval.resolved'; approvalId: string; outcome: string; grants?: { id: string; rule: string }[]; rule?: string; grantId?: string; message?: string }
    | { type: 'question.asked'; questionId: string; callId: string; questions: Question[] }
    | { type: 'question.answered'; questionId: string; answers?: Answer[]; cancelled?: boolean }
    | { type: 'todos.updated'; todos: Todo[] }
  );

export type PermissionMode = 'default' | 'acceptEdits' | 'plan' | 'bypass';

export interface Todo {
  content: string;
  status: 'pending' | 'in_progress' | 'completed';
}

/** Stored lines about the session rather than a run. */
export type SessionEvent =
  | { id: number; time: string; type: 'session.renamed'; title: string }
  | { id: number; time: string; type: 'session.mode'; mode: PermissionMode | null; previous?: PermissionMode | null; by: 'user' | 'agent' }
  | { id: number; time: string; type: 'grant.revoked'; grantId: string };

export type StoredEvent = RunEvent | SessionEvent;

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
