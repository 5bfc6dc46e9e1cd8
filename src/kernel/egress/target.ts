/**
 * Host names and `host:port` authorities as the egress proxy and the allowlist compare them: one
 * canonical form for both sides. Pure (the WHATWG URL parser does the normalizing, as a browser or
 * `fetch` would: case, IDN → punycode, IPv4 shorthands like `127.1` or `0x7f000001`).
 */
import { parseIPv6 } from './address.js';

/** A host in canonical form. */
export type Host =
  /** a DNS name: lower case, punycode, no trailing dot */
  | { kind: 'name'; value: string }
  /** an IP address: dotted quad, or compressed IPv6 without brackets */
  | { kind: 'ip'; value: string };

export interface Target {
  host: Host;
  port: number;
}

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** The canonical form of a host as written in a URL or an authority (IPv6 in brackets or bare). */
export function normalizeHost(text: string): Host | undefined {
  const bracketed = text.startsWith('[') && text.endsWith(']');
  let inner = bracketed ? text.slice(1, -1) : text;
  if (bracketed || inner.includes(':')) {
    if (!parseIPv6(inner)) return undefined;
    inner = `[${inner}]`;
  } else if (inner === '' || /[\s/\\?#@%[\]<>^|:*]/.test(inner)) return undefined;
  let hostname: string;
  try {
    hostname = new URL(`http://${inner}/`).hostname;
  } catch {
    return undefined;
  }
  if (hostname.startsWith('[')) return { kind: 'ip', value: hostname.slice(1, -1) };
  if (/^\d+\.\d+\.\d+\.\d+$/.test(hostname)) return { kind: 'ip', value: hostname };
  const name = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  if (name.length === 0 || name.length > 253) return undefined;
  if (!name.split('.').every((label) => LABEL.test(label))) return undefined;
  return { kind: 'name', value: name };
}

/** A port number 1–65535 written in decimal, or undefined. */
export function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/** Splits `host:port`, `[v6]:port`, `host`, `[v6]` or a bare IPv6 address (no port). */
export function splitAuthority(text: string): { host: string; port?: string } | undefined {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return undefined;
    const after = text.slice(close + 1);
    if (after === '') return { host: text.slice(0, close + 1) };
    if (!after.startsWith(':')) return undefined;
    return { host: text.slice(0, close + 1), port: after.slice(1) };
  }
  const colons = text.split(':').length - 1;
  if (colons === 0) return { host: text };
  if (colons === 1) {
    const at = text.indexOf(':');
    return { host: text.slice(0, at), port: text.slice(at + 1) };
  }
  return { host: text };
}

/** A CONNECT request's `host:port` (the port is required), or undefined. */
export function parseAuthority(text: string): Target | undefined {
  const parts = splitAuthority(text);
  if (parts?.port === undefined) return undefined;
  const host = normalizeHost(parts.host);
  const port = parsePort(parts.port);
  return host && port ? { host, port } : undefined;
}

/** The host as it appears in a URL or authority (IPv6 in brackets). */
export function hostText(host: Host): string {
  return host.kind === 'ip' && host.value.includes(':') ? `[${host.value}]` : host.value;
}

/** `host` for the web ports 80 and 443 (what an allowlist entry without a port means), else `host:port`. */
export function describeTarget(target: Target): string {
  const host = hostText(target.host);
  return target.port === 80 || target.port === 443 ? host : `${host}:${target.port}`;
}
