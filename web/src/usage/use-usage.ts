import { type UsageGroupBy, type UsageReport, UsageReportSchema } from '@contract/usage';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, errorMessage } from '../lib/api';
import { onGlobalEvents } from '../lib/global-events';
import { type DayRange, rangeQuery } from './range';

/** The usage of a range in every grouping the page shows, and the range it is of. */
export type UsageReports = Record<UsageGroupBy, UsageReport> & { range: DayRange };

const GROUPINGS: UsageGroupBy[] = ['day', 'model', 'session', 'agent'];

/** The link that downloads a grouping of the range as CSV. */
export const csvHref = (range: DayRange, groupBy: UsageGroupBy) =>
  `/api/usage.csv?${rangeQuery(range)}&groupBy=${groupBy}`;

/**
 * The range's usage in every grouping the page shows, loaded again when the range changes and when a run ends (its
 * calls are then all in the log). The reports on screen stay while new ones load, so the page does not flicker.
 */
export function useUsage(range: DayRange): { reports: UsageReports | null; loading: boolean; error: string | null } {
  const [reports, setReports] = useState<UsageReports | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(0);
  const load = useCallback(() => {
    // A range that ends before it starts is the user's typing in progress: the picker says so, the figures stay.
    if (range.from > range.to) return;
    const request = ++latest.current;
    setLoading(true);
    const query = rangeQuery(range);
    Promise.all(GROUPINGS.map((groupBy) => api(`/api/usage?${query}&groupBy=${groupBy}`, UsageReportSchema))).then(
      ([day, model, session, agent]) => {
        if (request !== latest.current) return;
        setReports({ range, day: day!, model: model!, session: session!, agent: agent! });
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (request !== latest.current) return;
        setError(errorMessage(e));
        setLoading(false);
      },
    );
  }, [range]);
  useEffect(load, [load]);
  useEffect(
    () =>
      onGlobalEvents({
        onEvent: (event) => {
          if (event.type === 'run.status' && !event.running) load();
        },
        onRestart: load,
      }),
    [load],
  );
  return { reports, loading, error };
}
