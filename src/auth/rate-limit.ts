/**
 * Limits on login attempts, per account name and per client address, kept in the store so every
 * server behind a load balancer counts the same attempts.
 *
 * Each subject (`account:NAME`, `address:PREFIX`) counts attempts in a fixed window. An attempt is
 * counted *before* its password is checked, so a burst of parallel guesses cannot all slip in while
 * the first hashes run; a successful login takes its own count back (and clears its account's).
 * Past the limit, attempts are refused without checking the password until the window ends.
 *
 * The account limit is generous (a person mistyping does not reach it) because anyone can spend
 * it: someone guessing a name's password locks that name out for the rest of the window, from every
 * address. The address limit catches one client guessing many names. IPv6 clients are counted by
 * their /64, which one host usually owns whole.
 */
import type { Db } from '../store/db.js';

export interface LoginLimits {
  windowMs: number;
  /** attempts per account name per window */
  perAccount: number;
  /** attempts per client address per window */
  perAddress: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { windowMs: 15 * 60_000, perAccount: 10, perAddress: 50 };

export const accountSubject = (name: string): string => `account:${name.toLowerCase()}`;
export const addressSubject = (address: string | undefined): string => `address:${addressPrefix(address)}`;

/** The part of a client address that is counted: IPv4 whole, IPv6 as its /64. */
export function addressPrefix(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (!address.includes(':')) return address;
  // drop a zone (`%eth0`), then expand `::` to the zero groups it stands for
  const [head = '', tail] = (address.toLowerCase().split('%')[0] ?? '').split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0');
  const groups = tail === undefined ? left : [...left, ...zeros, ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** Counts one attempt for `subject`; resolves to its attempts in the window and the window's start. */
async function count(db: Db, subject: string, limits: LoginLimits, now: number) {
  const stale = now - limits.windowMs;
  const [row] = await db.all<{ attempts: number; window_start: number }>(
    `INSERT INTO login_failures (subject, attempts, window_start) VALUES (?, 1, ?)
     ON CONFLICT (subject) DO UPDATE SET
       attempts = CASE WHEN login_failures.window_start <= ? THEN 1 ELSE login_failures.attempts + 1 END,
       window_start = CASE WHEN login_failures.window_start <= ? THEN ? ELSE login_failures.window_start END
     RETURNING attempts, window_start`,
    [subject, now, stale, stale, now],
  );
  return { attempts: Number(row?.attempts ?? 1), windowStart: Number(row?.window_start ?? now) };
}

/**
 * Counts a login attempt for the account and the address. Resolves to undefined when it may go on,
 * or to how long until it may be tried again (ms) when either limit is passed.
 */
export async function countAttempt(
  db: Db,
  name: string,
  address: string | undefined,
  limits: LoginLimits,
  now: number,
): Promise<number | undefined> {
  const account = await count(db, accountSubject(name), limits, now);
  const client = await count(db, addressSubject(address), limits, now);
  let retryAfter: number | undefined;
  for (const [c, limit] of [
    [account, limits.perAccount],
    [client, limits.perAddress],
  ] as const)
    if (c.attempts > limit) retryAfter = Math.max(retryAfter ?? 0, c.windowStart + limits.windowMs - now);
  return retryAfter;
}

/** A successful login: its account's count is cleared and its own attempt taken back from the address. */
export async function forgiveAttempt(db: Db, name: string, address: string | undefined): Promise<void> {
  await db.run('DELETE FROM login_failures WHERE subject = ?', [accountSubject(name)]);
  await db.run(
    'UPDATE login_failures SET attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END WHERE subject = ?',
    [addressSubject(address)],
  );
}

/** Removes the counts of windows that have ended (run at each successful login). */
export const purgeAttempts = (db: Db, limits: LoginLimits, now: number): Promise<number> =>
  db.run('DELETE FROM login_failures WHERE window_start <= ?', [now - limits.windowMs]);
