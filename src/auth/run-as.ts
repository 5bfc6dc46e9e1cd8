/**
 * Whom a queued or scheduled run runs as, checked when it starts (jobs/executor.ts), on whichever
 * machine takes it: the owner recorded with the run must still exist, be enabled and be allowed to
 * execute the notebook *now*. A run queued by an editor who was demoted or disabled before it
 * started does not run with the rights they no longer have.
 *
 * `mayRunAsOwner` is the one place that question is answered: the role read from the store at
 * start, narrowed by the grants read at start too (grants.ts `decideAccess`, the server's own
 * rule): a grant revoked since the run was queued or the schedule saved stops it.
 *
 * Must not: cache a user (the point is to read the current role), or throw for a refusal.
 */
import type { Db } from '../store/db.js';
import { countUsers, findUser } from './users.js';
import { ALL_FILES, fileAccessOf, type FileAccess } from './file-access.js';
import { decideAccess } from './grants.js';
import { loadAccessRules } from './grants-store.js';

/** Why a run may not run as its owner; undefined when it may. */
export type RunAsRefusal = string | undefined;

/**
 * May the run of `notebookPath` run as `ownerId`? Resolves to the reason it may not (one line,
 * `owner … may no longer run …`), or undefined. A store without users is single-user mode: the
 * workspace owner runs everything, whoever queued it.
 */
export async function mayRunAsOwner(
  store: { db: Db },
  ownerId: string,
  notebookPath: string,
): Promise<RunAsRefusal> {
  const found = await findUser(store.db, { id: ownerId });
  if (!found) {
    if ((await countUsers(store.db)).users === 0) return undefined;
    return `owner ${ownerId} may no longer run ${notebookPath}: there is no such account`;
  }
  const { account } = found;
  if (account.disabled)
    return `owner ${account.name} may no longer run ${notebookPath}: the account is disabled`;
  const rules = await loadAccessRules(store.db);
  const who = { id: account.id, role: account.role };
  if (decideAccess(rules, who, 'notebook:execute', { kind: 'notebook', path: notebookPath }))
    return undefined;
  if (
    !decideAccess({ ...rules, byPath: new Map() }, who, 'notebook:execute', {
      kind: 'notebook',
      path: notebookPath,
    })
  )
    return `owner ${account.name} may no longer run ${notebookPath}: role ${account.role} may not execute notebooks`;
  return `owner ${account.name} may no longer run ${notebookPath}: no grant lets them run it`;
}

/** What the run-as check needs of a run. */
export interface OwnedRun {
  path: string;
  trigger: string;
  ownerId?: string;
}

/**
 * The check for one run as it starts. A run with an owner: `mayRunAsOwner`. A scheduled run
 * without one (a schedule found on disk that nobody saved through the server): fine in single-user
 * mode (the workspace owner's), refused once the store has accounts. Other runs without an owner
 * were queued by `quire submit` (someone who holds the store itself) or before runs had owners:
 * they run as before.
 */
export async function runAsRefusal(store: { db: Db }, run: OwnedRun): Promise<RunAsRefusal> {
  if (run.ownerId !== undefined) return mayRunAsOwner(store, run.ownerId, run.path);
  if (run.trigger !== 'schedule') return undefined;
  if ((await countUsers(store.db)).users === 0) return undefined;
  return (
    `the schedule of ${run.path} has no owner: nobody saved it through quire serve since it changed on disk; ` +
    `an editor must save the notebook in the editor to run its schedule as themselves`
  );
}

/**
 * What the run's kernel may read: its owner's grants as they are at the start (file-access.ts),
 * read after `runAsRefusal` let it start. A run without an owner runs as before (all of the
 * workspace): queued by someone who holds the store itself; so does any run while the store has
 * no accounts (single-user mode, whose owner queued it).
 */
export async function runFileAccess(store: { db: Db }, run: OwnedRun): Promise<FileAccess> {
  if (run.ownerId === undefined) return ALL_FILES;
  const rules = await loadAccessRules(store.db);
  // A store without accounts is single-user mode: its owner (who queued it) reads everything.
  if (rules.accounts?.size === 0) return ALL_FILES;
  // The role comes with the rules (their `accounts`); an owner unknown there reads nothing.
  return fileAccessOf(rules, { id: run.ownerId, role: rules.accounts?.get(run.ownerId)?.role ?? 'viewer' });
}
