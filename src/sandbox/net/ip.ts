import { isIPv4, isIPv6 } from 'node:net';

export type IpFamily = 'ipv4' | 'ipv6';

export interface AddressForm {
  address: string;
  family: IpFamily;
}

/** An address as the checks see it: no URL brackets and no IPv6 zone (`%eth0`), which BlockList cannot match. */
export function bareAddress(text: string): string {
  const unbracketed = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  return unbracketed.split('%')[0] ?? unbracketed;
}

export function ipFamily(address: string): IpFamily | undefined {
  if (isIPv4(address)) return 'ipv4';
  return isIPv6(address) ? 'ipv6' : undefined;
}

/**
 * Every form under which an address must be checked: itself and, for IPv6, the IPv4 address it carries when packets
 * to it end up at that IPv4 host — IPv4-mapped (::ffff:0:0/96, which the kernel connects over IPv4) and NAT64
 * (64:ff9b::/96, which a NAT64 gateway forwards into its own IPv4 network). Empty when `text` is not an IP address.
 */
export function addressForms(text: string): AddressForm[] {
  const address = bareAddress(text);
  const family = ipFamily(address);
  if (family === undefined) return [];
  const embedded = family === 'ipv6' ? embeddedIPv4(address) : undefined;
  return embedded === undefined ? [{ address, family }] : [{ address, family }, { address: embedded, family: 'ipv4' }];
}

/** `::ffff:7f00:1 (127.0.0.1)`: the address as given, plus the IPv4 address it reaches when that differs. */
export function showAddress(text: string): string {
  const [self, embedded] = addressForms(text);
  return embedded === undefined ? bareAddress(text) : `${self?.address ?? text} (${embedded.address})`;
}

/** `host:port`, with IPv6 addresses in brackets as in a URL. */
export function hostPort(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

function embeddedIPv4(ipv6: string): string | undefined {
  const words = ipv6Words(ipv6);
  const zeros = (from: number, to: number) => words.slice(from, to).every((word) => word === 0);
  const mapped = zeros(0, 5) && words[5] === 0xffff;
  const nat64 = words[0] === 0x64 && words[1] === 0xff9b && zeros(2, 6);
  if (!mapped && !nat64) return undefined;
  const [high = 0, low = 0] = words.slice(6);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** The eight 16-bit words of a valid IPv6 address, expanding `::` and a trailing dotted IPv4 part. */
function ipv6Words(address: string): number[] {
  const [left = [], right] = address.split('::').map((part) => groupWords(part));
  if (right === undefined) return left;
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

function groupWords(part: string): number[] {
  if (part === '') return [];
  return part.split(':').flatMap((group) => {
    if (!group.includes('.')) return [Number.parseInt(group, 16)];
    const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
    return [(a << 8) | b, (c << 8) | d];
  });
}
