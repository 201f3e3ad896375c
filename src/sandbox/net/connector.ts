import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { buildConnector } from 'undici';
import { type LookupAll, type NetRefusal, NetRefusalError, refuse } from './types';

/** Decides whether the policy lets a connection reach `address` on `port`; `via` is the name it was resolved from. */
export type AddressCheck = (address: string, port: number, via?: string) => NetRefusal | undefined;

/**
 * An undici connector that resolves names through `lookup` and refuses the connection when any resolved address is
 * blocked. net.connect dials only the addresses this lookup hands it, so what was checked is exactly what is
 * connected to: a name that answers differently on a second query (DNS rebinding) gets no second query.
 * Literal IPs skip lookup, so the URL checks cover them, and the peer address of every socket is checked once more
 * after connecting, in case some path reached a socket without either check.
 */
export function guardedConnector(check: AddressCheck, lookup: LookupAll): buildConnector.connector {
  return (options, callback) => {
    const port = Number(options.port) || (options.protocol === 'https:' ? 443 : 80);
    const connect = buildConnector({ lookup: guardedLookup(lookup, (address, via) => check(address, port, via)) });
    connect(options, (error, socket) => {
      if (error) return callback(error, null);
      const refusal =
        socket.remoteAddress === undefined
          ? refuse('network', 'the connection closed before it was established')
          : check(socket.remoteAddress, port);
      if (refusal === undefined) return callback(null, socket);
      socket.destroy();
      callback(new NetRefusalError(refusal), null);
    });
  };
}

/** A net.connect `lookup` that asks `lookup` for every address and fails with a NetRefusalError if any is refused. */
function guardedLookup(
  lookup: LookupAll,
  check: (address: string, via: string) => NetRefusal | undefined,
): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const first = addresses[0];
      if (first === undefined) return callback(notFound(hostname), []);
      const refusal = firstRefusal(addresses, (address) => check(address, hostname));
      if (refusal !== undefined) return callback(new NetRefusalError(refusal), []);
      // net.connect asks for every address when it races IPv4 and IPv6 (autoSelectFamily), else for one.
      if (options.all) callback(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}

function firstRefusal(
  addresses: readonly LookupAddress[],
  check: (address: string) => NetRefusal | undefined,
): NetRefusal | undefined {
  for (const { address } of addresses) {
    const refusal = check(address);
    if (refusal !== undefined) return refusal;
  }
  return undefined;
}

function notFound(hostname: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`no addresses for ${hostname}`), { code: 'ENOTFOUND', hostname });
}
