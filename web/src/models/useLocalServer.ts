import { type LocalServer, LocalServerSchema } from '@contract/local-models';
import type { ProviderView } from '@contract/models';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../lib/api';
import { errorText } from './types';

export type LocalServerState =
  | { status: 'idle' }
  | { status: 'loading'; last?: LocalServer | undefined }
  | { status: 'ready'; server: LocalServer }
  | { status: 'failed'; message: string };

/**
 * What a provider's model server says (`/api/providers/:id/local`), asked after the card shows, so a slow or absent
 * server never holds the page. Asked again when the provider changes (its models, its address or its kind).
 */
export function useLocalServer(provider: ProviderView): {
  state: LocalServerState;
  /** `probe`: ask the server again now rather than take what the dashboard's server knows. */
  reload: (probe?: boolean) => Promise<void>;
} {
  const [state, setState] = useState<LocalServerState>({ status: 'idle' });
  const latest = useRef(0);
  const enabled = provider.localServer;
  const id = provider.id;
  const shape = JSON.stringify([provider.kind, provider.baseURL, provider.models]);

  const reload = useCallback(
    async (probe = false) => {
      if (!enabled) return;
      const ticket = ++latest.current;
      setState((s) => ({ status: 'loading', last: s.status === 'ready' ? s.server : undefined }));
      try {
        const server = await api(
          `/api/providers/${encodeURIComponent(id)}/local${probe ? '?refresh=1' : ''}`,
          LocalServerSchema,
        );
        if (ticket === latest.current) setState({ status: 'ready', server });
      } catch (error) {
        if (ticket === latest.current) setState({ status: 'failed', message: errorText(error) });
      }
    },
    [enabled, id],
  );

  useEffect(() => {
    void reload();
  }, [reload, shape]);

  return { state, reload };
}

/** The server as last known: while it is asked again, the previous answer stays on screen. */
export function shownServer(state: LocalServerState): LocalServer | undefined {
  if (state.status === 'ready') return state.server;
  if (state.status === 'loading') return state.last;
  return undefined;
}
