import { Bot, X } from 'lucide-react';
import { Switch } from '../components/ui';

/** The built-in agent type of managed mode: it plans, dispatches executor agents and checks their work. */
export const MANAGER = 'manager';

/**
 * The agent type of the session's runs: the Managed switch (the manager type, or none), or the name of another type
 * the session was started with (the Agents page's "Try it"), which can be cleared back to the plain agent.
 */
export function AgentTypeControl({
  agentType,
  onChange,
}: {
  agentType: string | null;
  onChange: (agentType: string | null) => void;
}) {
  if (agentType !== null && agentType !== MANAGER)
    return (
      <span
        className="flex min-w-0 items-center gap-1 rounded-md bg-teal-50 py-0.5 pl-1.5 pr-0.5 text-xs font-medium text-teal-800 dark:bg-teal-950 dark:text-teal-200"
        title="The agent type of this session's runs"
      >
        <Bot size={13} aria-hidden className="shrink-0" />
        <span className="truncate" data-testid="session-agent-type">
          {agentType}
        </span>
        <button
          type="button"
          aria-label={`Stop using the agent type ${agentType}`}
          title="Back to the plain agent"
          onClick={() => onChange(null)}
          className="rounded p-0.5 hover:bg-teal-100 dark:hover:bg-teal-900"
        >
          <X size={13} aria-hidden />
        </button>
      </span>
    );
  return (
    <label
      className="flex cursor-pointer items-center gap-1.5 text-xs font-medium text-zinc-700 dark:text-zinc-300"
      title="Managed: a manager agent plans the work, dispatches executor agents for it and checks what they did"
    >
      <Switch label="Managed" checked={agentType === MANAGER} onChange={(on) => onChange(on ? MANAGER : null)} />
      Managed
    </label>
  );
}
