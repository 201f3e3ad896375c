import { useEffect } from 'react';

/** What lib/router.ts dispatches after it changes the address. */
const NAVIGATED = 'boxagnts:navigate';

/**
 * `/files?open=PATH` opens a file (the chat links files there). Calls `onOpen` for the path in the address now, and
 * again whenever navigating brings a different one.
 */
export function useOpenLink(onOpen: (path: string) => void): void {
  useEffect(() => {
    let last: string | null = null;
    const check = () => {
      const path =
        window.location.pathname === '/files' ? new URLSearchParams(window.location.search).get('open') : null;
      if (path && path !== last) onOpen(path);
      last = path;
    };
    check();
    window.addEventListener('popstate', check);
    window.addEventListener(NAVIGATED, check);
    return () => {
      window.removeEventListener('popstate', check);
      window.removeEventListener(NAVIGATED, check);
    };
  }, [onOpen]);
}
