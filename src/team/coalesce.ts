/**
 * Wraps a read that many announcements ask for: while one read runs, any number of asks make exactly one more read
 * after it (which sees everything they announced), not one read each. `read` reports its own failures.
 */
export function coalesce(read: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await read();
      } while (again);
      running = null;
    })();
    return running;
  };
}
