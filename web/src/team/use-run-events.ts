import { EVENT_TYPES, type StampedEvent, StampedEventSchema } from '@contract/events';
import { useCallback, useEffect, useRef, useState } from 'react';
import { type Timeline, applyEvent, emptyTimeline } from '../chat/timeline';
import { openEventStream } from '../lib/event-stream';
import { runEventsUrl } from './team-api';

/** `opening`: not connected yet; `lost`: the stream broke (the browser retries); `failed`: it never opened. */
export type StreamState = 'opening' | 'open' | 'lost' | 'failed';

/**
 * Follows a team run's session events (stored ones first, then live) into a timeline, as the chat page builds one.
 * Events are applied once per animation frame, so a burst of deltas renders smoothly. A reconnect resumes after the
 * last event (the browser sends its id); after a server restart the events are read again from the start.
 */
export function useRunEvents(runId: string) {
  const [timeline, setTimeline] = useState<Timeline>(emptyTimeline);
  const [state, setState] = useState<StreamState>('opening');
  const [warnings, setWarnings] = useState<string[]>([]);
  const [generation, setGeneration] = useState(0);
  const pending = useRef<StampedEvent[]>([]);
  const frame = useRef<number | null>(null);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  useEffect(() => {
    setTimeline(emptyTimeline());
    setState('opening');
    setWarnings([]);
    let opened = false;
    const flush = () => {
      frame.current = null;
      const events = pending.current;
      pending.current = [];
      setTimeline((t) => events.reduce(applyEvent, t));
    };
    const stop = openEventStream(
      runEventsUrl(runId),
      { schema: StampedEventSchema, knownTypes: EVENT_TYPES },
      {
        onEvent(event) {
          pending.current.push(event);
          frame.current ??= requestAnimationFrame(flush);
        },
        onRestart: reload,
        onStatus(connected) {
          opened ||= connected;
          // An error before the stream ever opened is a refusal (an unknown run answers 404), which is not retried.
          setState(connected ? 'open' : opened ? 'lost' : 'failed');
        },
        onInvalid: (problem) => setWarnings((w) => [...w, problem]),
      },
    );
    return () => {
      stop();
      if (frame.current !== null) cancelAnimationFrame(frame.current);
      frame.current = null;
      pending.current = [];
    };
  }, [runId, generation, reload]);

  return { timeline, state, warnings };
}
