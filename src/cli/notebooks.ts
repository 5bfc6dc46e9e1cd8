/**
 * `quire notebooks lock|unlock`: read-only notebooks. A locked notebook refuses every edit and
 * save, admins' included, until it is unlocked; it can still be read and run. Servers apply a
 * change within a second (their snapshot's reload).
 */
import { lockNotebook, unlockNotebook } from '../auth/locks.js';
import { notebookPath, withAccessStore } from './access-paths.js';
import { osUser } from './audit-trail.js';
import { defineCommand, text } from './command.js';
import { InputError } from './errors.js';
import { defineGroup } from './subcommands.js';

const DB_HELP = '--db URL        the store (default: QUIRE_DB, else .quire/quire.db in the workspace)';
const onePath = { min: 1, max: 1, wrongCount: () => 'expected one notebook path (a/b.nb.md)' };

const lock = defineCommand({
  name: 'notebooks lock',
  help: `usage: quire notebooks lock PATH [--reason TEXT] [--db URL]

  PATH            a notebook of the workspace (a/b.nb.md); it need not exist yet
  --reason TEXT   why (shown with the lock, recorded in the audit log)
  ${DB_HELP}

Nobody, admins included, can edit or save it until \`quire notebooks unlock PATH\`.`,
  options: { reason: text(), db: text() },
  positionals: onePath,
  async run(values, [given = '']) {
    const reason = values.reason ?? null;
    if (reason !== null && reason.length > 500) throw new InputError('--reason: at most 500 characters');
    const { path, outcome } = await withAccessStore(values.db, async (db, record, workspace) => {
      const path = notebookPath(given, workspace);
      const outcome = await lockNotebook(db, { path, lockedBy: osUser(), lockedAt: Date.now(), reason });
      if (outcome === 'locked') await record('notebook.locked', { kind: 'notebook', path }, { reason });
      return { path, outcome };
    });
    process.stdout.write(outcome === 'locked' ? `locked ${path}\n` : `${path} was already locked\n`);
    return 0;
  },
});

const unlock = defineCommand({
  name: 'notebooks unlock',
  help: `usage: quire notebooks unlock PATH [--db URL]

  PATH            a locked notebook (a/b.nb.md)
  ${DB_HELP}`,
  options: { db: text() },
  positionals: onePath,
  async run(values, [given = '']) {
    const path = await withAccessStore(values.db, async (db, record, workspace) => {
      const path = notebookPath(given, workspace);
      if (!(await unlockNotebook(db, path))) throw new InputError(`path: ${path} is not locked`);
      await record('notebook.unlocked', { kind: 'notebook', path });
      return path;
    });
    process.stdout.write(`unlocked ${path}\n`);
    return 0;
  },
});

export const notebooksCommand = defineGroup('notebooks', 'read-only notebooks', {
  lock: { summary: 'make a notebook read-only for everyone: PATH [--reason TEXT]', command: lock },
  unlock: { summary: 'let a locked notebook be edited again: PATH', command: unlock },
});
