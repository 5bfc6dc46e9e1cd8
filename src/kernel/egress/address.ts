/**
 * Which kind of IP address a kernel's egress would reach: `public`, or one of the internal classes
 * that stay closed unless the workspace names the host or address exactly. Pure: parses the text
 * form itself (no node:net), so every range is tested as a table.
 *
 * IPv6 forms that embed an IPv4 address and can reach it (IPv4-mapped `::ffff:a.b.c.d`, NAT64
 * `64:ff9b::/96`, 6to4 `2002::/16`) take the class of the embedded address; other special or
 * unassigned IPv6 space is `reserved`, so only global unicast (2000::/3) can be `public`.
 */

export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'unique-local'
  | 'multicast'
  | 'unspecified'
  | 'reserved';

interface Range {
  bytes: number[];
  prefix: number;
  kind: AddressClass;
}

function range(text: string, kind: AddressClass): Range {
  const [address = '', prefix = ''] = text.split('/');
  const bytes = parseIPv4(address) ?? parseIPv6(address);
  if (!bytes) throw new Error(`bad range ${text}`);
  return { bytes, prefix: Number(prefix), kind };
}

/** IPv4 special-purpose ranges (IANA registry), most specific first where they overlap. */
const IPV4: Range[] = [
  range('0.0.0.0/8', 'unspecified'),
  range('10.0.0.0/8', 'private'),
  range('100.64.0.0/10', 'private'), // shared address space (carrier-grade NAT)
  range('127.0.0.0/8', 'loopback'),
  range('169.254.0.0/16', 'link-local'), // includes 169.254.169.254, the cloud metadata service
  range('172.16.0.0/12', 'private'),
  range('192.0.0.0/24', 'reserved'),
  range('192.0.2.0/24', 'reserved'), // documentation
  range('192.88.99.0/24', 'reserved'), // 6to4 relay anycast
  range('192.168.0.0/16', 'private'),
  range('198.18.0.0/15', 'reserved'), // benchmarking
  range('198.51.100.0/24', 'reserved'),
  range('203.0.113.0/24', 'reserved'),
  range('224.0.0.0/4', 'multicast'),
  range('240.0.0.0/4', 'reserved'), // includes 255.255.255.255
];

/** IPv6 ranges checked after the embedded-IPv4 forms. */
const IPV6: Range[] = [
  range('::/128', 'unspecified'),
  range('::1/128', 'loopback'),
  range('fc00::/7', 'unique-local'),
  range('fe80::/10', 'link-local'),
  range('fec0::/10', 'private'), // deprecated site-local
  range('ff00::/8', 'multicast'),
  range('2001::/23', 'reserved'), // IETF protocol assignments, Teredo (2001::/32)
  range('2001:db8::/32', 'reserved'), // documentation
  range('3fff::/20', 'reserved'), // documentation
];

const GLOBAL_UNICAST = range('2000::/3', 'public');

function within(bytes: number[], r: Range): boolean {
  if (bytes.length !== r.bytes.length) return false;
  let bits = r.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((r.bytes[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** The 4 bytes of a dotted-quad IPv4 address (decimal, no leading zeros), or undefined. */
export function parseIPv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    bytes.push(value);
  }
  return bytes;
}

/** The 16 bytes of an IPv6 address (`::` compression and a dotted IPv4 tail allowed, no zone), or undefined. */
export function parseIPv6(text: string): number[] | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  let tail: number[] = [];
  let rest = text;
  if (text.includes('.')) {
    // A dotted IPv4 tail stands for the last two groups: "::ffff:1.2.3.4" → "::ffff" + 4 bytes.
    const lastColon = text.lastIndexOf(':');
    const v4 = parseIPv4(text.slice(lastColon + 1));
    if (!v4 || lastColon < 1) return undefined;
    tail = v4;
    rest = text.slice(0, lastColon + 1);
    if (!rest.endsWith('::')) rest = rest.slice(0, -1);
  }
  const halves = rest.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string | undefined): number[] | undefined => {
    if (part === undefined || part === '') return [];
    const out: number[] = [];
    for (const group of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
      out.push(parseInt(group, 16));
    }
    return out;
  };
  const head = groups(halves[0]);
  const back = groups(halves[1]);
  if (!head || !back) return undefined;
  const needed = 8 - tail.length / 2;
  let all: number[];
  if (halves.length === 2) {
    const missing = needed - head.length - back.length;
    if (missing < 1) return undefined;
    all = [...head, ...new Array<number>(missing).fill(0), ...back];
  } else {
    all = head;
    if (all.length !== needed) return undefined;
  }
  return [...all.flatMap((g) => [g >> 8, g & 0xff]), ...tail];
}

function classifyIPv4(bytes: number[]): AddressClass {
  return IPV4.find((r) => within(bytes, r))?.kind ?? 'public';
}

/** The IPv4 address an IPv6 address embeds in a form that routes to it, if any. */
function embeddedIPv4(bytes: number[]): number[] | undefined {
  const zeros = (from: number, to: number): boolean => bytes.slice(from, to).every((b) => b === 0);
  // ::ffff:a.b.c.d (IPv4-mapped): the kernel's socket connects to a.b.c.d
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return bytes.slice(12);
  // 64:ff9b::a.b.c.d (NAT64 well-known prefix)
  if (bytes[0] === 0 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zeros(4, 12))
    return bytes.slice(12);
  // 2002:AABB:CCDD::/48 (6to4) embeds AA.BB.CC.DD
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return bytes.slice(2, 6);
  return undefined;
}

function classifyIPv6(bytes: number[]): AddressClass {
  const v4 = embeddedIPv4(bytes);
  if (v4) return classifyIPv4(v4);
  const special = IPV6.find((r) => within(bytes, r));
  if (special) return special.kind;
  return within(bytes, GLOBAL_UNICAST) ? 'public' : 'reserved';
}

/**
 * The class of an IP address in text form (IPv4 dotted quad, or IPv6 with or without brackets and
 * with an optional `%zone`); undefined when the text is not an IP address.
 */
export function classifyAddress(address: string): AddressClass | undefined {
  const v4 = parseIPv4(address);
  if (v4) return classifyIPv4(v4);
  let text = address;
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const v6 = parseIPv6(text);
  return v6 ? classifyIPv6(v6) : undefined;
}
