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
 * to it end up at that IPv4 host (see `embeddedIPv4`). Empty when `text` is not an IP address.
 */
export function addressForms(text: string): AddressForm[] {
  const address = bareAddress(text);
  const family = ipFamily(address);
  if (family === undefined) return [];
  const embedded = family === 'ipv6' ? embeddedIPv4(address) : undefined;
  return embedded === undefined
    ? [{ address, family }]
    : [
        { address, family },
        { address: embedded, family: 'ipv4' },
      ];
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

/**
 * The IPv4 address an IPv6 address leads to, for every form whose packets end up at an IPv4 host:
 * - IPv4-mapped `::ffff:a.b.c.d` (::ffff:0:0/96), which the kernel connects over IPv4;
 * - IPv4-compatible `::a.b.c.d` (::/96, deprecated), which an automatic tunnel (Linux's sit0) sends to a.b.c.d over
 *   IPv4; `::` and `::1` are the unspecified and loopback addresses themselves, and are classed as such;
 * - NAT64 `64:ff9b::a.b.c.d` (64:ff9b::/96), which a NAT64 gateway forwards into its own IPv4 network;
 * - 6to4 `2002:AABB:CCDD::/48`, the site behind the 6to4 router a.b.c.d, which a 6to4 tunnel reaches over IPv4;
 * - Teredo `2001:0::/32`, whose client's IPv4 address is the last 32 bits inverted, reached over UDP by a Teredo
 *   client on this machine.
 */
function embeddedIPv4(ipv6: string): string | undefined {
  const words = ipv6Words(ipv6);
  const word = (i: number) => words[i] ?? 0;
  const zeros = (from: number, to: number) => words.slice(from, to).every((w) => w === 0);
  if (zeros(0, 5) && word(5) === 0xffff) return dotted(word(6), word(7));
  if (zeros(0, 6) && (word(6) !== 0 || word(7) > 1)) return dotted(word(6), word(7));
  if (word(0) === 0x64 && word(1) === 0xff9b && zeros(2, 6)) return dotted(word(6), word(7));
  if (word(0) === 0x2002) return dotted(word(1), word(2));
  if (word(0) === 0x2001 && word(1) === 0) return dotted(word(6) ^ 0xffff, word(7) ^ 0xffff);
  return undefined;
}

function dotted(high: number, low: number): string {
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
