import type { Todo } from '../contract/interactions';
import { type PermissionMode, type Rule, parseRule } from '../permissions/policy';
import type { StoredEvent } from '../workspace/sessions';

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
}

export const emptySessionState = (): SessionState => ({ mode: null, previousMode: null, todos: [], grants: [] });

export function applySessionEvent(state: SessionState, event: { type: string; [key: string]: unknown }): SessionState {
  switch (event.type) {
    case 'session.mode':
      return {
        ...state,
        mode: (event.mode as PermissionMode | null) ?? null,
        previousMode: (event.previous as PermissionMode | null | undefined) ?? null,
      };
    case 'todos.updated':
      return { ...state, todos: event.todos as Todo[] };
    case 'approval.resolved': {
      if (event.outcome !== 'session') return state;
      const legacy =
        typeof event.rule === 'string' ? [{ id: String(event.grantId ?? event.approvalId), rule: event.rule }] : [];
      const granted = (event.grants as { id: string; rule: string }[] | undefined) ?? legacy;
      return { ...state, grants: [...state.grants, ...granted.map((g) => ({ id: g.id, rule: parseRule(g.rule) }))] };
    }
    case 'grant.revoked':
      return { ...state, grants: state.grants.filter((g) => g.id !== event.grantId) };
    default:
      return state;
  }
}

export function sessionStateFrom(events: readonly StoredEvent[]): SessionState {
  return events.reduce(applySessionEvent, emptySessionState());
}
