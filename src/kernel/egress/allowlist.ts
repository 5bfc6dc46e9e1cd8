/**
 * The workspace's egress allowlist (`quire.config.json` → `network.allow`): parsing its entries and
 * matching a target against them. Pure; the proxy applies the address rules on top (address.ts).
 *
 * An entry is `HOST[:PORT]`:
 * - HOST: a DNS name (`api.example.com`), a wildcard `*.example.com` (any name below it, at any
 *   depth, not `example.com` itself), an IPv4 address, an IPv6 address (in brackets when a port
 *   follows: `[fd00::1]:8443`), or `*` alone (any host).
 * - PORT: a number, or `*` for any port. Without a port an entry allows the web ports 80 and 443
 *   only: naming an API host should not open its database or SSH ports too.
 *
 * A *named* entry (an exact DNS name or IP address) may reach loopback, private and link-local
 * addresses: naming an internal host is deliberate. A wildcard or `*` reaches public addresses only.
 */
import { normalizeHost, parsePort, splitAuthority, type Host, type Target } from './target.js';

export type AllowHost =
  | { kind: 'any' }
  | { kind: 'suffix'; suffix: string }
  | { kind: 'name'; name: string }
  | { kind: 'ip'; address: string };

export interface AllowEntry {
  /** the entry as written in the setting */
  text: string;
  host: AllowHost;
  /** `web` = 80 and 443 (no port written); `any` = `:*` */
  port: number | 'web' | 'any';
}

export interface AllowMatch {
  entry: AllowEntry;
  /** the entry names this exact host or address, so internal addresses are allowed for it */
  named: boolean;
}

const FORMS =
  'write a host name, *.example.com, an IP address or [IPv6 address], optionally followed by :port or :*';

function hostOf(text: string): AllowHost | string {
  if (text === '*') return { kind: 'any' };
  if (text.startsWith('*.')) {
    const suffix = normalizeHost(text.slice(2));
    if (suffix?.kind !== 'name') return 'a wildcard is *. followed by a domain name';
    return { kind: 'suffix', suffix: suffix.value };
  }
  if (text.includes('*')) return 'a wildcard can only be a leading "*." (as in *.example.com) or "*" alone';
  const host = normalizeHost(text);
  if (!host) return 'not a host name or IP address';
  return host.kind === 'name' ? { kind: 'name', name: host.value } : { kind: 'ip', address: host.value };
}

/** An entry, or the reason it is not one (for the config error). */
export function parseAllowEntry(text: string): AllowEntry | string {
  const why = (reason: string): string => `"${text}" is not a valid entry: ${reason} (${FORMS})`;
  const trimmed = text.trim();
  if (trimmed === '') return why('it is empty');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) return why('write the host without a scheme');
  if (/[/?#@]/.test(trimmed)) return why('write only the host and port, without a path or user');
  const parts = splitAuthority(trimmed);
  if (!parts) return why('an IPv6 address in brackets is followed by nothing or :port');
  let port: AllowEntry['port'] = 'web';
  if (parts.port !== undefined) {
    const number = parsePort(parts.port);
    if (parts.port === '*') port = 'any';
    else if (number === undefined) return why(`"${parts.port}" is not a port (1-65535 or *)`);
    else port = number;
  }
  const host = hostOf(parts.host);
  if (typeof host === 'string') return why(host);
  return { text, host, port };
}

/** Parses every entry; throws one error naming each invalid entry and its index. */
export function parseAllowList(texts: readonly string[], setting = 'network.allow'): AllowEntry[] {
  const errors: string[] = [];
  const entries: AllowEntry[] = [];
  texts.forEach((text, index) => {
    const entry = parseAllowEntry(text);
    if (typeof entry === 'string') errors.push(`${setting}.${index}: ${entry}`);
    else entries.push(entry);
  });
  if (errors.length) throw new Error(errors.join('; '));
  return entries;
}

function portMatches(entry: AllowEntry, port: number): boolean {
  if (entry.port === 'any') return true;
  if (entry.port === 'web') return port === 80 || port === 443;
  return entry.port === port;
}

function hostMatches(allow: AllowHost, host: Host): boolean {
  switch (allow.kind) {
    case 'any':
      return true;
    case 'suffix':
      return host.kind === 'name' && host.value.endsWith(`.${allow.suffix}`);
    case 'name':
      return host.kind === 'name' && host.value === allow.name;
    case 'ip':
      return host.kind === 'ip' && host.value === allow.address;
  }
}

/** The entry that allows `target`, a named one in preference to a wildcard; undefined if none. */
export function matchAllow(entries: readonly AllowEntry[], target: Target): AllowMatch | undefined {
  let wildcard: AllowEntry | undefined;
  for (const entry of entries) {
    if (!portMatches(entry, target.port) || !hostMatches(entry.host, target.host)) continue;
    if (entry.host.kind === 'name' || entry.host.kind === 'ip') return { entry, named: true };
    wildcard ??= entry;
  }
  return wildcard && { entry: wildcard, named: false };
}
