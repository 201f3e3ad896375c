import type { McpServerStatus } from '@contract/mcp';
import { CircleAlert, CircleCheck, CirclePause, LoaderCircle } from 'lucide-react';
import { Badge } from '../components/ui';

export const count = new Intl.NumberFormat('en');

export const plural = (n: number, one: string, many = `${one}s`) => `${count.format(n)} ${n === 1 ? one : many}`;

export const TRANSPORT_LABELS: Record<McpServerStatus['transport'], string> = {
  stdio: 'stdio',
  http: 'Streamable HTTP',
  sse: 'HTTP+SSE',
};

export function StatusBadge({ state }: { state: McpServerStatus['state'] }) {
  if (state === 'ready')
    return (
      <Badge tone="green">
        <CircleCheck aria-hidden size={12} /> Ready
      </Badge>
    );
  if (state === 'connecting')
    return (
      <Badge tone="teal">
        <LoaderCircle aria-hidden size={12} className="animate-spin" /> Connecting
      </Badge>
    );
  if (state === 'failed')
    return (
      <Badge tone="red">
        <CircleAlert aria-hidden size={12} /> Failed
      </Badge>
    );
  return (
    <Badge>
      <CirclePause aria-hidden size={12} /> Disabled
    </Badge>
  );
}

/** "in 12 s", or "now" once it is due (the next state change reloads the list). */
export function retryIn(retryAt: string, now: number): string {
  const seconds = Math.ceil((Date.parse(retryAt) - now) / 1000);
  return seconds > 0 ? `in ${seconds} s` : 'now';
}
