import { RunningAgentsSchema } from '@contract/agents';
import { EVENT_TYPES, type StampedEvent, StampedEventSchema } from '@contract/events';
import { SessionDetailSchema, type SessionSummary } from '@contract/sessions';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, api, errorMessage } from '../lib/api';
import { openEventStream } from '../lib/event-stream';
import { onGlobalEvents } from '../lib/global-events';
import { type Timeline, applyEvent, emptyTimeline, settleStale, timelineFrom, withRunningChildren } from './timeline';

export interface SessionView {
  session: SessionSummary | null;
  timeline: Timeline;
  warnings: string[];
  /** Whether a run is going on, by the server's word or by the events seen since. */
  running: boolean;
  connected: boolean;
  loadError: { status: number; message: string } | null;
  reload(): void;
}

/**
 * Loads a session and follows its event stream. Events are applied once per animation frame, so a fast stream of
 * deltas renders smoothly; after a server restart the session is loaded again from disk. An archived session is
 * read-only and has no stream (the server refuses it); when it is archived or restored, from here or elsewhere, it is
 * loaded again.
 */
export function useSession(sessionId: string | null): SessionView {
  const [session, setSession] = useState<SessionSummary | null>(null);
  const [timeline, setTimeline] = useState<Timeline>(emptyTimeline);
  const [warnings, setWarnings] = useState<string[]>([]);
  const [connected, setConnected] = useState(false);
  const [loadError, setLoadError] = useState<SessionView['loadError']>(null);
  const [generation, setGeneration] = useState(0);
  const pending = useRef<StampedEvent[]>([]);
  const frame = useRef<number | null>(null);
  /** Whether the session as loaded is archived; null until it is loaded. */
  const archived = useRef<boolean | null>(null);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  // Archiving and restoring move the session between the lists: the global stream says so with `session.created`.
  useEffect(() => {
    if (!sessionId) return;
    return onGlobalEvents({
      onEvent(event) {
        if (
          event.type === 'session.created' &&
          event.session.id === sessionId &&
          archived.current !== null &&
          event.session.archived !== archived.current
        )
          reload();
      },
      onRestart: () => undefined,
    });
  }, [sessionId, reload]);

  useEffect(() => {
    setSession(null);
    setTimeline(emptyTimeline());
    setWarnings([]);
    setLoadError(null);
    archived.current = null;
    if (!sessionId) return;
    let closed = false;
    let stop: (() => void) | null = null;
    const flush = () => {
      frame.current = null;
      const events = pending.current;
      pending.current = [];
      setTimeline((t) => events.reduce(applyEvent, t));
    };
    api(`/api/sessions/${sessionId}`, SessionDetailSchema)
      .then((detail) => {
        if (closed) return;
        const loaded = timelineFrom(detail.events);
        archived.current = detail.session.archived;
        setSession(detail.session);
        setTimeline(detail.session.running ? loaded : settleStale(loaded));
        setWarnings(detail.warnings);
        if (loaded.children.some((child) => child.state === 'queued' || child.state === 'running'))
          api('/api/agents/running', RunningAgentsSchema).then(
            ({ children }) => {
              if (!closed) setTimeline((t) => withRunningChildren(t, children));
            },
            // Without the list the cards show what the stored events say; the next progress event corrects them.
            () => undefined,
          );
        if (detail.session.archived) return;
        stop = openEventStream(
          `/api/sessions/${sessionId}/events?after=${detail.session.lastEventId}`,
          { schema: StampedEventSchema, knownTypes: EVENT_TYPES },
          {
            onEvent(event) {
              pending.current.push(event);
              frame.current ??= requestAnimationFrame(flush);
            },
            onRestart: reload,
            onStatus: setConnected,
            onInvalid: (problem) => setWarnings((w) => [...w, problem]),
          },
        );
      })
      .catch((error: unknown) => {
        if (!closed)
          setLoadError({ status: error instanceof ApiError ? error.status : 0, message: errorMessage(error) });
      });
    return () => {
      closed = true;
      stop?.();
      if (frame.current !== null) cancelAnimationFrame(frame.current);
      frame.current = null;
      pending.current = [];
    };
  }, [sessionId, generation, reload]);

  return { session, timeline, warnings, running: timeline.runId !== null, connected, loadError, reload };
}
