import type { LookupAddress } from 'node:dns';
import { type LookupFunction, type Socket, connect } from 'node:net';
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
      const refusal = peerRefusal(socket, port, check);
      if (refusal === undefined) return callback(null, socket);
      socket.destroy();
      callback(new NetRefusalError(refusal), null);
    });
  };
}

/**
 * A bare TCP connection under the same guards as guardedConnector (one lookup, every address checked, the peer
 * checked again once connected), for callers that speak the protocol themselves. Rejects with a NetRefusalError for
 * a refused address and with the socket's error otherwise. `signal` cancels connecting only: once the promise has
 * resolved, the socket is the caller's. Half-open is allowed, so the caller decides when its side ends.
 */
export function guardedSocket(
  check: AddressCheck,
  lookup: LookupAll,
  target: { host: string; port: number; signal?: AbortSignal | undefined },
): Promise<Socket> {
  const { host, port, signal } = target;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const socket = connect({
      host,
      port,
      allowHalfOpen: true,
      lookup: guardedLookup(lookup, (address, via) => check(address, port, via)),
    });
    const settle = (error: unknown) => {
      signal?.removeEventListener('abort', onAbort);
      socket.off('error', settle);
      if (error === undefined) return resolve(socket);
      socket.destroy();
      reject(error);
    };
    const onAbort = () => settle(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    // net.connect may call the lookup before returning, and so see the signal abort before anything listened.
    if (signal?.aborted) onAbort();
    socket.once('error', settle);
    socket.once('connect', () => {
      const refusal = peerRefusal(socket, port, check);
      settle(refusal === undefined ? undefined : new NetRefusalError(refusal));
    });
  });
}

function peerRefusal(socket: Socket, port: number, check: AddressCheck): NetRefusal | undefined {
  return socket.remoteAddress === undefined
    ? refuse('network', 'the connection closed before it was established')
    : check(socket.remoteAddress, port);
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
