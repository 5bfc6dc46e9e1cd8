/**
 * The grammar of an origin a server is reached at (`quire serve --origin`, `server.origins` in
 * quire.config.json): `scheme://host[:port]` exactly, as a browser sends it in the Origin header.
 * Pure. The Host and Origin checks (server/auth.ts) compare exact strings, so an origin is
 * normalized the way a browser writes it (lower-case host, IDN in punycode, the scheme's default
 * port left out); anything that is more than an origin (a path, a query, a user) is refused rather
 * than cut off, so a proxy's URL pasted with its path is noticed, not silently half-used.
 */

const FORM = 'scheme://host[:port], as in https://notebooks.example.com';

/** The origin as a browser writes it, or the reason `text` is not one (for the flag's or field's error). */
export function parseOrigin(text: string): { origin: string } | { error: string } {
  const why = (reason: string) => ({ error: `"${text}" is not an origin: ${reason} (${FORM})` });
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) return why('it has no scheme');
  if (scheme !== 'http' && scheme !== 'https') return why('the scheme must be http or https');
  const authority = text.slice(scheme.length + 3);
  if (authority.includes('@')) return why('it has a user name or password');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return why('its host or port is not valid');
  }
  if (/[/?#]/.test(authority)) return why(`it has a path, query or fragment: write ${url.origin}`);
  if (url.hostname.includes('*')) return why('a wildcard matches nothing: list each origin');
  if (!/^(?:\[[0-9a-f:.]+\]|[a-z0-9_.-]+)$/.test(url.hostname))
    return why('its host is not a name or address');
  return { origin: url.origin };
}
