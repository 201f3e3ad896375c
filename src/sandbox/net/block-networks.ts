import { BlockList } from 'node:net';
import { addressForms, bareAddress, ipFamily, showAddress } from './ip';
import { NetPolicyConfigError, type NetRefusal, refuse } from './types';

interface BlockRange {
  /** Completes "<address> is …" in a refusal. */
  readonly label: string;
  readonly list: BlockList;
}

export interface BlockEntry {
  readonly text: string;
  readonly ranges: readonly BlockRange[];
}

/**
 * What `private` stands for: every address that reaches this machine or a network behind it rather than the public
 * internet. Unspecified addresses come first because 0.0.0.0 and :: connect to this machine's loopback.
 */
const PRIVATE_RANGES: ReadonlyArray<readonly [label: string, cidrs: readonly string[]]> = [
  ['unspecified', ['0.0.0.0/32', '::/128']],
  ['loopback', ['127.0.0.0/8', '::1/128']],
  ['a private network address (RFC 1918)', ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']],
  ['link-local (where cloud metadata services live)', ['169.254.0.0/16', 'fe80::/10']],
  ['shared address space (CGNAT, RFC 6598)', ['100.64.0.0/10']],
  ['in 0.0.0.0/8 ("this network")', ['0.0.0.0/8']],
  ['unique-local (fc00::/7)', ['fc00::/7']],
];

const PRIVATE: BlockEntry = {
  text: 'private',
  ranges: PRIVATE_RANGES.map(([label, cidrs]) => ({ label, list: blockListOf(cidrs) })),
};

/**
 * Parses one `blockNetworks` entry: `private`, a CIDR (`10.0.0.0/8`, `fd00::/8`) or a single address. Throws
 * NetPolicyConfigError naming the entry and the problem otherwise, so a typo never leaves a network open.
 */
export function parseBlockEntry(text: string): BlockEntry {
  if (text === 'private') return PRIVATE;
  const fail = (why: string) => new NetPolicyConfigError(`${JSON.stringify(text)}: ${why}`);
  if (text.trim() === '') throw fail('an entry cannot be empty');
  if (/\s/.test(text)) throw fail('an entry cannot contain spaces');
  if (text.startsWith('[')) throw fail('write IPv6 networks without brackets, as in fd00::/8');
  const [address = '', prefix, ...extra] = text.split('/');
  const family = address.includes('%') ? undefined : ipFamily(address);
  if (family === undefined || extra.length > 0)
    throw fail('not a network: write a CIDR such as 10.0.0.0/8 or fd00::/8, a single address, or private');
  const bits = family === 'ipv4' ? 32 : 128;
  const length = prefix === undefined ? bits : /^\d{1,3}$/.test(prefix) ? Number(prefix) : Number.NaN;
  if (!(length >= 0 && length <= bits))
    throw fail(
      `the prefix length must be a number from 0 to ${bits} for an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} network`,
    );
  const list = new BlockList();
  list.addSubnet(address, length, family);
  return { text, ranges: [{ label: `in ${text}`, list }] };
}

/** The refusal for the first entry whose networks hold `address`; `via` names the host name it was resolved from. */
export function networkRefusal(entries: readonly BlockEntry[], address: string, via?: string): NetRefusal | undefined {
  for (const entry of entries) {
    const range = entry.ranges.find((candidate) => listHolds(candidate.list, address));
    if (range === undefined) continue;
    const subject =
      via === undefined ? `${showAddress(address)} is` : `${via} resolves to ${showAddress(address)}, which is`;
    return refuse('blockNetworks', `blockNetworks: ${entry.text} (${subject} ${range.label})`);
  }
  return undefined;
}

/** Whether `address`, in any of the forms it can be reached under, is in `list`. */
export function listHolds(list: BlockList, address: string): boolean {
  return addressForms(address).some((form) => list.check(form.address, form.family));
}

/** A BlockList of CIDRs this module wrote itself (so they are known to be valid). */
export function blockListOf(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', prefix = ''] = cidr.split('/');
    list.addSubnet(bareAddress(address), Number(prefix), ipFamily(address));
  }
  return list;
}
