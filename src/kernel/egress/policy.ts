/**
 * The egress decision for one target: is it on the allowlist, what does its name resolve to, and
 * may the kernel reach those addresses. A wildcard or `*` entry reaches public addresses only; an
 * entry that names the exact host or address reaches whatever it resolves to. Every answer of the
 * resolver is checked, and a name with any closed answer is refused whole: a resolver that mixes a
 * public and a private answer is the DNS-rebinding pattern, and the client would fail over to the
 * second. The caller connects only to the addresses returned here (upstream.ts), never by name.
 */
import { classifyAddress } from './address.js';
import { matchAllow, type AllowEntry } from './allowlist.js';
import { describeTarget, hostText, normalizeHost, type Target } from './target.js';

/** Resolves a DNS name to IP addresses (all of them); the default is `dns.lookup` with `all`. */
export type Resolver = (hostname: string) => Promise<string[]>;

export type Decision =
  | { allowed: true; addresses: string[]; named: boolean }
  | { allowed: false; status: 403 | 502; reason: string };

/** The setting refusals point at. */
export const ALLOW_SETTING = 'quire.config.json network.allow';

function refused(reason: string): Decision {
  return { allowed: false, status: 403, reason };
}

/** Canonical address text (so `::ffff:7f00:1` and `::FFFF:127.0.0.1` compare equal). */
export function canonicalAddress(address: string): string | undefined {
  const host = normalizeHost(address);
  return host?.kind === 'ip' ? host.value : undefined;
}

export async function decide(
  target: Target,
  entries: readonly AllowEntry[],
  resolve: Resolver,
  setting: string = ALLOW_SETTING,
): Promise<Decision> {
  const shown = describeTarget(target);
  const match = matchAllow(entries, target);
  if (!match) return refused(`egress to ${shown} is not allowed (${setting})`);
  let addresses: string[];
  if (target.host.kind === 'ip') addresses = [target.host.value];
  else {
    try {
      addresses = await resolve(target.host.value);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      return {
        allowed: false,
        status: 502,
        reason: `egress to ${shown} failed: ${target.host.value} could not be resolved (${code})`,
      };
    }
    if (addresses.length === 0)
      return {
        allowed: false,
        status: 502,
        reason: `egress to ${shown} failed: ${target.host.value} has no address`,
      };
  }
  const checked: string[] = [];
  for (const address of addresses) {
    const canonical = canonicalAddress(address);
    const kind = canonical && classifyAddress(canonical);
    if (!canonical || !kind) return refused(`egress to ${shown} is not allowed: bad address ${address}`);
    if (kind !== 'public' && !match.named) {
      const what =
        target.host.kind === 'ip'
          ? `${hostText(target.host)} is ${kind === 'unspecified' ? 'an' : 'a'} ${kind} address`
          : `${target.host.value} resolves to ${address} (${kind})`;
      return refused(
        `egress to ${shown} is not allowed: ${what}, and only an entry naming the host exactly opens such addresses (${setting} matched ${match.entry.text})`,
      );
    }
    if (!checked.includes(canonical)) checked.push(canonical);
  }
  return { allowed: true, addresses: checked, named: match.named };
}
