import type { RunEvent, SessionEvent, StampedEvent } from '../contract/events';
import type { Todo } from '../contract/interactions';
import { type PermissionMode, type Rule, parseRule } from '../permissions/policy';

export interface SessionGrant {
  /** The approval that made it. */
  id: string;
  rule: Rule;
}

/** What a session's events say about it beyond the conversation: its mode, its task list, its grants. */
export interface SessionState {
  /** null: follow the workspace setting. */
  mode: PermissionMode | null;
  /** The mode to return to when a plan is approved. */
  previousMode: PermissionMode | null;
  todos: Todo[];
  grants: SessionGrant[];
  /** The agent type the session's runs take; null: the plain agent. */
  agentType: string | null;
}

export const emptySessionState = (): SessionState => ({
  mode: null,
  previousMode: null,
  todos: [],
  grants: [],
  agentType: null,
});

export function applySessionEvent(state: SessionState, event: RunEvent | SessionEvent): SessionState {
  switch (event.type) {
    case 'session.mode':
      return { ...state, mode: event.mode, previousMode: event.previous ?? null };
    case 'todos.updated':
      return { ...state, todos: event.todos };
    case 'approval.resolved': {
      if (event.outcome !== 'session') return state;
      const legacy = event.rule !== undefined ? [{ id: event.grantId ?? event.approvalId, rule: event.rule }] : [];
      const granted = event.grants ?? legacy;
      return { ...state, grants: [...state.grants, ...granted.map((g) => ({ id: g.id, rule: parseRule(g.rule) }))] };
    }
    case 'session.agent':
      return { ...state, agentType: event.agentType };
    case 'grant.revoked':
      return { ...state, grants: state.grants.filter((g) => g.id !== event.grantId) };
    default:
      return state;
  }
}

export function sessionStateFrom(events: readonly StampedEvent[]): SessionState {
  return events.reduce(applySessionEvent, emptySessionState());
}
