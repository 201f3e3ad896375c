import { ToolListSchema } from '@contract/tools';
import { useEffect, useState } from 'react';
import { api } from '../lib/api';
import { onGlobalEvents } from '../lib/global-events';

/**
 * About how many tokens the tool definitions of a plain chat cost per request (GET /api/tools), kept current as
 * tools come and go (an MCP server connecting, a tool switched off); null until known.
 */
export function useToolTokens(): number | null {
  const [tokens, setTokens] = useState<number | null>(null);
  useEffect(() => {
    const load = () =>
      void api('/api/tools', ToolListSchema).then(
        (list) => setTokens(list.offeredTokens),
        // The figure is a hint in the header: without it the header simply does not show it.
        () => setTokens(null),
      );
    load();
    return onGlobalEvents({ onEvent: (event) => event.type === 'tools.changed' && load(), onRestart: load });
  }, []);
  return tokens;
}
