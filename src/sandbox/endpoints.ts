import { networkInterfaces } from 'node:os';
import type { Endpoint } from './service';

/** Every address a server bound to `host:port` answers on (all interfaces for 0.0.0.0 or ::). */
export function endpointsOf(host: string, port: number): Endpoint[] {
  const unspecified = host === '0.0.0.0' || host === '::';
  const hosts = unspecified
    ? [
        '127.0.0.1',
        '::1',
        'localhost',
        ...Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address)),
      ]
    : [host, ...(host.startsWith('127.') || host === 'localhost' ? ['localhost', '127.0.0.1'] : [])];
  return [...new Set(hosts)].map((h) => ({ host: h, port }));
}
