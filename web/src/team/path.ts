/** The address of the Team page with a run's detail open (`/team?run=ID`), or with none. */
export const teamPath = (runId: string | null): string =>
  runId === null ? '/team' : `/team?run=${encodeURIComponent(runId)}`;
