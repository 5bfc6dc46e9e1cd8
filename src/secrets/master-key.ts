/**
 * Where the master key comes from: `QUIRE_MASTER_KEY` (the base64 of 32 bytes) when set and not
 * empty, else the key file (default `<workspace>/.quire/master.key`, the same base64 text and a
 * newline). The variable wins over the file, as `QUIRE_DB` wins over the default store: the
 * process's own setting is the more specific one. A key file that group or others may read is
 * refused, with the chmod to run; it is created (mode 0600) only by the first `quire secrets set`.
 *
 * A rotation writes the next key to `master.key.new` before it re-encrypts anything, and renames it
 * over `master.key` after the store committed (secrets/rotate.ts): between the two, the values are
 * under the pending key, which `byId` still finds.
 *
 * Must not: cache a key across calls (a rotation in another process changes the file), or put key
 * bytes in a message.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { makeDirsSync } from '../shared/make-dirs.js';
import { KEY_BYTES, masterKey, type MasterKey } from './crypto.js';

export const MASTER_KEY_ENV = 'QUIRE_MASTER_KEY';

/** The default key file of a workspace. */
export const keyFilePath = (workspace: string): string => join(workspace, '.quire', 'master.key');

/** The key a rotation is moving to, written before the store changes. */
export const pendingKeyPath = (file: string): string => `${file}.new`;

/** The master key is missing, unreadable, malformed or too open. */
export class MasterKeyError extends Error {
  override readonly name = 'SecretError';
}

/** `text` (base64 or base64url of 32 bytes, surrounding whitespace ignored) as a key; `where` names it. */
export function parseKeyText(text: string, where: string): MasterKey {
  const trimmed = text.trim();
  const bytes = /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0);
  if (bytes.length !== KEY_BYTES)
    throw new MasterKeyError(
      `${where}: expected the base64 of ${KEY_BYTES} bytes (e.g. \`openssl rand -base64 32\`)`,
    );
  return masterKey(bytes);
}

/** The key in `path`, or undefined when there is no such file; a file others may read is refused. */
export function readKeyFile(path: string): MasterKey | undefined {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new MasterKeyError(`cannot read the master key file ${path}: ${(error as Error).message}`);
  }
  if ((mode & 0o077) !== 0)
    throw new MasterKeyError(
      `the master key file ${path} is open to group or others (mode ${(mode & 0o777).toString(8).padStart(4, '0')}): ` +
        `run \`chmod 600 ${path}\``,
    );
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new MasterKeyError(`cannot read the master key file ${path}: ${(error as Error).message}`);
  }
  return parseKeyText(text, `the master key file ${path}`);
}

/** Writes `key` to a new temp file beside `path` (mode 0600, synced); returns the temp file's path. */
function writeTemp(path: string, key: MasterKey): string {
  makeDirsSync(dirname(path));
  const temp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, key.key.toString('base64') + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return temp;
}

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces `path` with `key`, atomically: a reader (or the next start after a crash) sees the
 * old key file or the new one, complete, never a mix; the folder is synced so the rename lasts.
 */
export function writeKeyFile(path: string, key: MasterKey): void {
  const temp = writeTemp(path, key);
  try {
    renameSync(temp, path);
  } catch (error) {
    unlinkQuietly(temp);
    throw error;
  }
  syncDir(dirname(path));
}

/**
 * Creates `path` holding `key` unless it exists (a hard link fails on an existing name, so of two
 * processes creating it at once one wins); returns the key the file holds afterwards.
 */
export function createKeyFile(path: string, key: MasterKey): MasterKey {
  const temp = writeTemp(path, key);
  try {
    linkSync(temp, path);
    syncDir(dirname(path));
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const existing = readKeyFile(path);
    if (!existing) throw error;
    return existing;
  } finally {
    unlinkQuietly(temp);
  }
}

/** Moves the pending key over the key file (the end of a rotation). */
export function promotePendingKey(file: string): void {
  renameSync(pendingKeyPath(file), file);
  syncDir(dirname(file));
}

export function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

export interface MasterKeysOptions {
  /** the key file (default: none; a source without one reads only the variable) */
  file: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * The master keys of one process: the variable's, or the key file's and a rotation's pending one.
 * Every call reads them afresh.
 */
export class MasterKeys {
  readonly file: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(options: MasterKeysOptions) {
    this.file = options.file;
    this.env = options.env ?? process.env;
  }

  /** where the key in use comes from: the variable when it is set, else the file */
  get mode(): 'env' | 'file' {
    const text = this.env[MASTER_KEY_ENV];
    return text !== undefined && text.trim() !== '' ? 'env' : 'file';
  }

  /** "QUIRE_MASTER_KEY" or "the key file /w/.quire/master.key", for messages */
  where(): string {
    return this.mode === 'env' ? MASTER_KEY_ENV : `the key file ${this.file}`;
  }

  /** the key new values are encrypted with, or undefined when there is none yet */
  current(): MasterKey | undefined {
    if (this.mode === 'env') return parseKeyText(this.env[MASTER_KEY_ENV]!, MASTER_KEY_ENV);
    return readKeyFile(this.file);
  }

  /** the current key, created in the key file when there is none (the first `quire secrets set`) */
  currentOrCreate(newKey: () => MasterKey): MasterKey {
    return this.current() ?? createKeyFile(this.file, newKey());
  }

  /** the key a rotation left pending (file mode only) */
  pending(): MasterKey | undefined {
    return this.mode === 'file' ? readKeyFile(pendingKeyPath(this.file)) : undefined;
  }

  /**
   * The key with id `id`, for a value that records it: the current key, or in file mode the pending
   * one (a rotation that committed but did not yet rename its key file). Undefined when neither.
   */
  byId(id: string): MasterKey | undefined {
    const current = this.current();
    if (current?.id === id) return current;
    const pending = this.pending();
    return pending?.id === id ? pending : undefined;
  }
}
