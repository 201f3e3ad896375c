import { type ChildRun, RunningAgentsSchema } from '@contract/agents';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, errorMessage } from '../lib/api';
import { onGlobalEvents } from '../lib/global-events';

/** How often the list is read again while a child is queued or running: its turns and cost change between events. */
const POLL_MS = 3000;

/**
 * The child runs of this workspace, newest first, kept current: read again whenever a run starts or stops anywhere
 * (a child's run is a run of its own session) and every few seconds while one is going on.
 */
export function useRunningAgents() {
  const [children, setChildren] = useState<ChildRun[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const seq = useRef(0);
  const load = useCallback(() => {
    const mine = ++seq.current;
    api('/api/agents/running', RunningAgentsSchema).then(
      ({ children: listed }) => {
        if (mine !== seq.current) return;
        setChildren([...listed].sort((a, b) => b.startedAt.localeCompare(a.startedAt)));
        setError(null);
      },
      (e: unknown) => mine === seq.current && setError(errorMessage(e)),
    );
  }, []);
  useEffect(load, [load]);
  useEffect(
    () => onGlobalEvents({ onEvent: (event) => event.type === 'run.status' && load(), onRestart: load }),
    [load],
  );
  const active = children?.some((child) => child.state !== 'done') ?? false;
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(load, POLL_MS);
    return () => clearInterval(timer);
  }, [active, load]);
  return { children, error, reload: load };
}
