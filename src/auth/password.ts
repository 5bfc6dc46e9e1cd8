/**
 * Password hashes: argon2id with m = 19 MiB, t = 2, p = 1 (OWASP's first recommended setting),
 * a 16-byte random salt and a 32-byte output, kept in the PHC string form
 * (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`) so the parameters travel with each hash and can
 * be raised later without breaking stored ones.
 *
 * - The library (@node-rs/argon2) hashes on libuv's thread pool: a login does not hold the
 *   server's event loop for the ~50–200 ms a hash takes.
 * - A password is capped at MAX_PASSWORD_BYTES before anything is hashed, so a 1 MB "password"
 *   costs a length check, not a hash of 1 MB.
 * - verifyPassword recomputes the hash with the stored parameters and compares with
 *   timingSafeEqual; an account that does not exist is checked against a dummy hash, so a wrong
 *   name and a wrong password take the same time.
 *
 * Must not: log or return a password; store anything.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { hashRaw } from '@node-rs/argon2';

/** The argon2id parameters new hashes get. */
export const PASSWORD_PARAMS = {
  /** memory in KiB (19 MiB) */
  memoryKiB: 19_456,
  /** passes over the memory */
  iterations: 2,
  parallelism: 1,
  saltBytes: 16,
  hashBytes: 32,
} as const;

/** The longest password accepted, in UTF-8 bytes; longer ones are refused before hashing. */
export const MAX_PASSWORD_BYTES = 1024;
/** The shortest password accepted when one is set (NIST SP 800-63B: at least 8). */
export const MIN_PASSWORD_CHARS = 8;

/** `Algorithm.Argon2id` of @node-rs/argon2 (a const enum, which isolated modules cannot import). */
const ARGON2ID = 2;
/** `Version.V0x13` */
const V0X13 = 1;

export class PasswordPolicyError extends Error {
  override readonly name = 'PasswordPolicyError';
}

/** Why `password` cannot be set, or undefined when it can. */
export function passwordProblem(password: string): string | undefined {
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES)
    return `a password is at most ${MAX_PASSWORD_BYTES} bytes`;
  if ([...password].length < MIN_PASSWORD_CHARS)
    return `a password has at least ${MIN_PASSWORD_CHARS} characters`;
  return undefined;
}

interface Encoded {
  memoryKiB: number;
  iterations: number;
  parallelism: number;
  salt: Buffer;
  hash: Buffer;
}

const b64 = (bytes: Buffer): string => bytes.toString('base64').replace(/=+$/, '');

function encode(e: Encoded): string {
  return `$argon2id$v=19$m=${e.memoryKiB},t=${e.iterations},p=${e.parallelism}$${b64(e.salt)}$${b64(e.hash)}`;
}

const PHC =
  /^\$argon2id\$v=19\$m=(\d{1,10}),t=(\d{1,10}),p=(\d{1,3})\$([A-Za-z0-9+/]{16,})\$([A-Za-z0-9+/]{16,})$/;

/** The parts of an encoded argon2id hash, or undefined when it is not one (tests read the parameters). */
export function decodePasswordHash(encoded: string): Encoded | undefined {
  const m = PHC.exec(encoded);
  if (!m) return undefined;
  return {
    memoryKiB: Number(m[1]),
    iterations: Number(m[2]),
    parallelism: Number(m[3]),
    salt: Buffer.from(m[4] ?? '', 'base64'),
    hash: Buffer.from(m[5] ?? '', 'base64'),
  };
}

async function argon2id(
  password: string,
  p: { memoryKiB: number; iterations: number; parallelism: number; salt: Buffer; hashBytes: number },
): Promise<Buffer> {
  return hashRaw(password, {
    algorithm: ARGON2ID as never,
    version: V0X13 as never,
    memoryCost: p.memoryKiB,
    timeCost: p.iterations,
    parallelism: p.parallelism,
    outputLen: p.hashBytes,
    salt: p.salt,
  });
}

/** The encoded argon2id hash of a password that passes the policy (else PasswordPolicyError). */
export async function hashPassword(password: string): Promise<string> {
  const problem = passwordProblem(password);
  if (problem) throw new PasswordPolicyError(problem);
  const salt = randomBytes(PASSWORD_PARAMS.saltBytes);
  const hash = await argon2id(password, { ...PASSWORD_PARAMS, salt });
  return encode({ ...PASSWORD_PARAMS, salt, hash });
}

/**
 * A hash of a random password, made once: what an unknown account's login is checked against,
 * so it costs what a known account's does.
 */
let dummy: Promise<string> | undefined;
const dummyHash = (): Promise<string> => (dummy ??= hashPassword(randomBytes(24).toString('base64')));

/**
 * Whether `password` matches `encoded` (undefined: no such account; still costs one hash). An
 * over-long password is false at once: no stored password can be that long.
 */
export async function verifyPassword(password: string, encoded: string | undefined): Promise<boolean> {
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return false;
  const parts = decodePasswordHash(encoded ?? (await dummyHash()));
  // Bounded parameters: a hash written into the database by hand cannot make a login cost minutes.
  if (!parts || parts.memoryKiB > 1 << 20 || parts.iterations > 64 || parts.hash.length > 64) return false;
  const actual = await argon2id(password, { ...parts, hashBytes: parts.hash.length });
  return timingSafeEqual(actual, parts.hash) && encoded !== undefined;
}

/** Whether a stored hash was made with weaker parameters than today's (rehash at the next login). */
export function needsRehash(encoded: string): boolean {
  const parts = decodePasswordHash(encoded);
  return (
    !parts ||
    parts.memoryKiB < PASSWORD_PARAMS.memoryKiB ||
    parts.iterations < PASSWORD_PARAMS.iterations ||
    parts.hash.length < PASSWORD_PARAMS.hashBytes
  );
}
