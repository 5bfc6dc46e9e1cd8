/**
 * How one secret value is encrypted at rest: AES-256-GCM under the master key, a fresh random
 * 96-bit nonce per value, and additional authenticated data that binds the ciphertext to the
 * secret's name and the key's id — so a ciphertext copied onto another name, or relabelled with
 * another key id, fails to open instead of answering for the wrong secret.
 *
 * Must not: put a value, or any part of it, in an error message.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** A master key: 32 bytes, and the short id every value encrypted with it records. */
export interface MasterKey {
  key: Buffer;
  /** 12 hex characters of a hash of the key: names the key in messages, reveals nothing of it */
  id: string;
}

/** One value as stored: base64 text, so both SQL dialects hold it as TEXT. */
export interface SealedValue {
  /** base64 of the ciphertext followed by the 16-byte GCM tag */
  ciphertext: string;
  /** base64 of the 12-byte nonce */
  nonce: string;
  keyId: string;
}

export const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** The id of a key: a domain-separated SHA-256, cut to 12 hex characters. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('quire master key id\0').update(key).digest('hex').slice(0, 12);
}

export function masterKey(key: Buffer): MasterKey {
  if (key.length !== KEY_BYTES) throw new Error(`a master key is ${KEY_BYTES} bytes, got ${key.length}`);
  return { key, id: keyIdOf(key) };
}

export const newMasterKey = (): MasterKey => masterKey(randomBytes(KEY_BYTES));

/** The AAD: a version tag, the secret's name and the key's id, NUL-separated (a name has no NUL). */
const aad = (name: string, keyId: string): Buffer => Buffer.from(`quire-secret-v1\0${name}\0${keyId}`);

export function seal(name: string, value: string, key: MasterKey): SealedValue {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(name, key.id));
  const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return { ciphertext: body.toString('base64'), nonce: nonce.toString('base64'), keyId: key.id };
}

/** A stored value that does not open: tampered with, moved to another name, or another key's. */
export class SecretDecryptError extends Error {
  override readonly name = 'SecretError';
}

/**
 * The value of `sealed`, stored under `name`, opened with `key` (whose id the caller matched to
 * `sealed.keyId`; a different one is refused here too).
 */
export function unseal(name: string, sealed: SealedValue, key: MasterKey): string {
  if (sealed.keyId !== key.id)
    throw new SecretDecryptError(
      `the secret "${name}" was encrypted with key ${sealed.keyId}; the master key in use is ${key.id}`,
    );
  const nonce = Buffer.from(sealed.nonce, 'base64');
  const body = Buffer.from(sealed.ciphertext, 'base64');
  if (nonce.length !== NONCE_BYTES || body.length < TAG_BYTES) throw tampered(name);
  const decipher = createDecipheriv('aes-256-gcm', key.key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad(name, key.id));
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  try {
    return Buffer.concat([
      decipher.update(body.subarray(0, body.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    throw tampered(name);
  }
}

const tampered = (name: string): SecretDecryptError =>
  new SecretDecryptError(
    `the secret "${name}" cannot be decrypted: its stored value was altered or belongs to another name ` +
      `(the authentication check failed); set it again with \`quire secrets set ${name}\``,
  );
