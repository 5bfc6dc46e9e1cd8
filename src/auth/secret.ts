/**
 * The random values accounts hand out (session ids, API tokens, record ids) and the one-way form
 * they are stored in. A session id or a token is 256 random bits: a plain sha256 of it is as hard
 * to reverse as the value is to guess, so no slow hash is needed, and a lookup is one indexed
 * equality on the digest (its timing tells nothing about the secret).
 */
import { createHash, randomBytes } from 'node:crypto';

/** `bytes` random bytes as base64url (32 bytes: 43 characters, 256 bits). */
export const randomSecret = (bytes = 32): string => randomBytes(bytes).toString('base64url');

/** The stored form of a secret: its sha256, hex. */
export const digest = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** A record id with a kind prefix: `u_…` (user), `tok_…` (API token); 64 random bits. */
export const newId = (prefix: string): string => `${prefix}_${randomBytes(8).toString('hex')}`;
