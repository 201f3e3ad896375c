import type { LookupAddress } from 'node:dns';
import { BlockList } from 'node:net';
import { networkInterfaces } from 'node:os';
import { blockListOf, listHolds } from './block-networks';
import { bareAddress, hostPort, ipFamily } from './ip';
import { type LookupAll, NetPolicyConfigError, type NetRefusal, refuse } from './types';

export interface BlockedEndpoint {
  host: string;
  port: number;
}

export interface EndpointRule {
  /** The endpoint as configured, `127.0.0.1:30001`. */
  readonly label: string;
  readonly port: number;
  /** Set when the endpoint was given as a host name; requests naming it are refused before any lookup. */
  readonly name: string | undefined;
  /** Every address that reaches the endpoint; empty for a name until `resolveEndpointRules` fills it in. */
  readonly addresses: BlockList;
}

/** What a request is about to reach: the URL's host name, or an address it will connect to. */
export type EndpointTarget = { port: number } & ({ name: string } | { address: string; via?: string | undefined });

/**
 * Addresses that reach this machine whatever a server bound to: all of 127.0.0.0/8 and ::1, the unspecified 0.0.0.0
 * and :: (Linux connects them to loopback), and every interface address. A server on 0.0.0.0 answers on all of them.
 */
export function localMachineCidrs(): string[] {
  const interfaces = Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .map((info) => singleAddressCidr(info.address));
  return ['127.0.0.0/8', '::1/128', '0.0.0.0/32', '::/128', ...interfaces];
}

/** Validates `blockedEndpoints`; address endpoints are complete, name endpoints still need `resolveEndpointRules`. */
export function parseEndpoints(endpoints: readonly BlockedEndpoint[], localCidrs: readonly string[]): EndpointRule[] {
  return endpoints.map(({ host, port }) => {
    const label = `${host}:${port}`;
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new NetPolicyConfigError(
        `blockedEndpoints ${JSON.stringify(label)}: the port must be a number from 1 to 65535`,
      );
    const normalised = normaliseHost(host);
    if (normalised === '')
      throw new NetPolicyConfigError(`blockedEndpoints ${JSON.stringify(label)}: the host is missing`);
    if (ipFamily(normalised) !== undefined)
      return { label, port, name: undefined, addresses: reachingList([normalised], localCidrs) };
    return { label, port, name: normalised, addresses: new BlockList() };
  });
}

/**
 * Looks up every name endpoint (through the policy's resolver, as requests are) so requests to its addresses are
 * refused too. A name that cannot be resolved refuses the request: the endpoint protects this runtime's own server,
 * and not knowing where that is must not mean not protecting it.
 */
export async function resolveEndpointRules(
  rules: readonly EndpointRule[],
  lookup: LookupAll,
  localCidrs: readonly string[],
): Promise<EndpointRule[] | NetRefusal> {
  const resolved: EndpointRule[] = [];
  for (const rule of rules) {
    if (rule.name === undefined) {
      resolved.push(rule);
      continue;
    }
    const answers = await lookupAll(lookup, rule.name).catch(() => []);
    const addresses = answers
      .map((entry) => entry.address)
      .filter((address) => ipFamily(bareAddress(address)) !== undefined);
    if (addresses.length === 0)
      return refuse(
        'blockedEndpoints',
        `blockedEndpoints: could not resolve ${rule.label}, so no request is sent until it resolves`,
      );
    resolved.push({ ...rule, addresses: reachingList(addresses, localCidrs) });
  }
  return resolved;
}

/** The refusal when `target` reaches a blocked endpoint: same port, and the same name or any address reaching it. */
export function endpointRefusal(rules: readonly EndpointRule[], target: EndpointTarget): NetRefusal | undefined {
  const rule = rules.find((candidate) => candidate.port === target.port && reaches(candidate, target));
  if (rule === undefined) return undefined;
  const requested =
    'name' in target
      ? `${target.name}:${target.port}`
      : hostPort(target.via ?? bareAddress(target.address), target.port);
  const what =
    requested === rule.label
      ? `${requested} is always refused`
      : `${requested} reaches ${rule.label}, which is always refused`;
  return refuse('blockedEndpoints', `blockedEndpoints: ${what}`);
}

function reaches(rule: EndpointRule, target: EndpointTarget): boolean {
  if ('name' in target) return rule.name === target.name;
  return listHolds(rule.addresses, target.address);
}

/** Lower case, without URL brackets or a final dot, so `LOCALHOST.` and `[::1]` compare as URL hosts do. */
function normaliseHost(host: string): string {
  const bare = bareAddress(host.trim().toLowerCase());
  return bare.endsWith('.') ? bare.slice(0, -1) : bare;
}

/** A list of `addresses`; one on this machine stands for all of this machine's addresses (see localMachineCidrs). */
function reachingList(addresses: readonly string[], localCidrs: readonly string[]): BlockList {
  const local = blockListOf(localCidrs);
  return blockListOf(
    addresses.flatMap((address) => (listHolds(local, address) ? localCidrs : [singleAddressCidr(address)])),
  );
}

function singleAddressCidr(address: string): string {
  const bare = bareAddress(address);
  return `${bare}/${ipFamily(bare) === 'ipv4' ? 32 : 128}`;
}

function lookupAll(lookup: LookupAll, hostname: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) =>
    lookup(hostname, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  );
}
