import { useEffect } from 'react';

/**
 * Calls `tick` now and every `ms` while the page is visible; a hidden tab asks nothing, and catches up at once when
 * it is shown again. `tick` should be stable (useCallback), or the timer restarts on every render.
 */
export function useVisibleInterval(tick: () => void, ms: number): void {
  useEffect(() => {
    let timer: ReturnType<typeof setInterval> | undefined;
    const stop = () => {
      clearInterval(timer);
      timer = undefined;
    };
    const sync = () => {
      if (document.visibilityState !== 'visible') return stop();
      if (timer !== undefined) return;
      tick();
      timer = setInterval(tick, ms);
    };
    sync();
    document.addEventListener('visibilitychange', sync);
    return () => {
      document.removeEventListener('visibilitychange', sync);
      stop();
    };
  }, [tick, ms]);
}
