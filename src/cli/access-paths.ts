/**
 * What `quire grants` and `quire notebooks` share: a grant's or a lock's path given on the command
 * line, normalized by the workspace's path rules (server/paths.ts) into the spelling the server
 * matches: '' (the workspace), 'folder/' (a folder and all under it), 'a/b.nb.md' (a notebook),
 * each by its real location (a symlinked folder names the folder it points to, as the server
 * resolves a request's path before matching grants). Also the store such a command opens, with
 * the audit entry each change writes.
 */
import { realpathSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { AccountError } from '../auth/users.js';
import type { Db } from '../store/db.js';
import { NOTEBOOK_SUFFIX } from '../server/scan.js';
import { PathError, resolveInWorkspace } from '../server/paths.js';
import { recordCliEvent, type CliEventDetail } from './audit-trail.js';
import { InputError } from './errors.js';
import { currentWorkspace, openCommandStore } from './store-access.js';

function realRelative(workspace: string, path: string, field: string): string {
  try {
    const { absolute } = resolveInWorkspace(workspace, path);
    return relative(realpathSync(workspace), absolute).split(sep).join('/');
  } catch (error) {
    if (error instanceof PathError) throw new InputError(`${field}: ${error.message}`);
    throw error;
  }
}

/**
 * A grant's path: '' or '.' the workspace; `folder/` (the slash says it is a folder) or
 * `a/b.nb.md`. Anything else is refused, naming `field`.
 */
export function grantPath(text: string, workspace: string, field = 'path'): string {
  if (text === '' || text === '.' || text === './') return '';
  if (text.endsWith('/')) return realRelative(workspace, text.slice(0, -1), field) + '/';
  if (text.endsWith(NOTEBOOK_SUFFIX)) return realRelative(workspace, text, field);
  throw new InputError(
    `${field}: a grant is on the workspace (""), a folder (ending with "/") or a notebook (ending with ${NOTEBOOK_SUFFIX}); got ${JSON.stringify(text)}`,
  );
}

/** A notebook's path (a lock's). */
export function notebookPath(text: string, workspace: string, field = 'path'): string {
  if (!text.endsWith(NOTEBOOK_SUFFIX))
    throw new InputError(
      `${field}: a notebook path ends with ${NOTEBOOK_SUFFIX}; got ${JSON.stringify(text)}`,
    );
  return realRelative(workspace, text, field);
}

/** Records a change the command made: `grant.added`, `notebook.locked`… */
export type RecordAccessChange = (
  event: string,
  resource: { kind: string } & { [k: string]: string },
  detail?: CliEventDetail,
) => Promise<void>;

/**
 * Opens the workspace's store (or `--db`) for one command and closes it after; mistakes in what was
 * asked (AccountError) are bad input (exit 2).
 */
export async function withAccessStore<T>(
  db: string | undefined,
  fn: (db: Db, record: RecordAccessChange, workspace: string) => Promise<T>,
): Promise<T> {
  const workspace = currentWorkspace();
  const store = await openCommandStore(db, workspace);
  try {
    const record: RecordAccessChange = (event, resource, detail = {}) =>
      recordCliEvent(store.db, event, resource, detail);
    return await fn(store.db, record, workspace);
  } catch (error) {
    if (error instanceof AccountError) throw new InputError(error.message);
    throw error;
  } finally {
    await store.close();
  }
}
