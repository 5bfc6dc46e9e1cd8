/**
 * Content-addressed, immutable blobs: a run's source, record, report and outputs, stored once per
 * sha256 however many runs produce them. Embedded: files under `.quire/blobs/ab/cdef…`, written to
 * a temporary name, fsynced and renamed, so a reader sees a whole blob or none. PostgreSQL: the
 * `blobs` table, so workers on other machines and the server share them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Db } from './db.js';
import { makeDirs } from '../shared/make-dirs.js';

export interface BlobStore {
  /** stores `data` (a no-op when a blob with its hash exists); resolves to its sha256 */
  put(data: string | Buffer): Promise<{ sha256: string; size: number }>;
  /** the blob's bytes; throws when it is missing */
  get(sha256: string): Promise<Buffer>;
  /** where a user can open the blob, when it is a file */
  pathOf?(sha256: string): string;
}

export const sha256Of = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

const HASH = /^[0-9a-f]{64}$/;

function checkHash(sha256: string): void {
  if (!HASH.test(sha256)) throw new Error(`not a sha256: ${JSON.stringify(sha256)}`);
}

export class FileBlobStore implements BlobStore {
  constructor(readonly root: string) {}

  pathOf(sha256: string): string {
    checkHash(sha256);
    return join(this.root, sha256.slice(0, 2), sha256.slice(2));
  }

  async put(data: string | Buffer): Promise<{ sha256: string; size: number }> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    const sha256 = sha256Of(bytes);
    const path = this.pathOf(sha256);
    if (existsSync(path)) return { sha256, size: bytes.length };
    await makeDirs(dirname(path));
    const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      const handle = await open(temp, 'wx');
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return { sha256, size: bytes.length };
  }

  async get(sha256: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(sha256));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        throw new Error(`blob ${sha256} is missing from ${this.root}`, { cause: error });
      throw error;
    }
  }
}

export class DbBlobStore implements BlobStore {
  constructor(private readonly db: Db) {}

  async put(data: string | Buffer): Promise<{ sha256: string; size: number }> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    const sha256 = sha256Of(bytes);
    await this.db.run(
      'INSERT INTO blobs (sha256, size, data) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING',
      [sha256, bytes.length, bytes],
    );
    return { sha256, size: bytes.length };
  }

  async get(sha256: string): Promise<Buffer> {
    checkHash(sha256);
    const rows = await this.db.all<{ data: Buffer }>('SELECT data FROM blobs WHERE sha256 = ?', [sha256]);
    if (!rows[0]) throw new Error(`blob ${sha256} is missing from ${this.db.label}`);
    return Buffer.from(rows[0].data);
  }
}
