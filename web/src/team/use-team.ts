import type { TeamStatus } from '@contract/team';
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../lib/api';
import { onGlobalEvents } from '../lib/global-events';
import { useVisibleInterval } from '../lib/use-visible-interval';
import { loadTeam } from './team-api';

/**
 * A `team.changed` can be missed (the global stream reconnecting, a machine whose database notice was lost), and a
 * worker goes offline without any event when it simply stops: read again every so often while the page is shown.
 */
const FALLBACK_MS = 30_000;

/** The team's queue, kept current from the global stream (`team.changed`) and a visible-page interval. */
export function useTeam() {
  const [status, setStatus] = useState<TeamStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const seq = useRef(0);
  const load = useCallback(() => {
    const mine = ++seq.current;
    loadTeam().then(
      (loaded) => {
        if (mine !== seq.current) return;
        setStatus(loaded);
        setError(null);
      },
      (e: unknown) => mine === seq.current && setError(errorMessage(e)),
    );
  }, []);
  useVisibleInterval(load, FALLBACK_MS);
  useEffect(
    () =>
      onGlobalEvents({
        onEvent: (event) => {
          if (event.type === 'team.changed') load();
        },
        onRestart: load,
      }),
    [load],
  );
  return { status, error, reload: load };
}
