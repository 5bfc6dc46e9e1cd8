/**
 * `quire grants add|list|rm`: who may do what on a folder or a notebook of `quire serve` in
 * accounts mode (src/auth/grants.ts has the model). A path no grant covers is open (each user's
 * role applies); the first grant on a path restricts it to the subjects of its grants, so `add`
 * says so when it does. Servers apply a change within a second (their snapshot's reload).
 */
import { coveringPaths, isLevel, LEVELS, type GrantLevel, type GrantSubject } from '../auth/grants.js';
import {
  deleteGrant,
  describeSubject,
  insertGrant,
  listGrants,
  loadAccessRules,
} from '../auth/grants-store.js';
import { checkGroupName } from '../auth/groups.js';
import { findUser } from '../auth/users.js';
import type { Db } from '../store/db.js';
import { grantPath, withAccessStore } from './access-paths.js';
import { osUser } from './audit-trail.js';
import { boolean, defineCommand, parsed, text } from './command.js';
import { InputError } from './errors.js';
import { formatTable, formatTime } from './format-table.js';
import { defineGroup } from './subcommands.js';

const DB_HELP = '--db URL        the store (default: QUIRE_DB, else .quire/quire.db in the workspace)';

const levelOf = (text: string, flag: string): GrantLevel => {
  if (!isLevel(text)) throw new InputError(`${flag}: expected one of ${LEVELS.join(', ')}, got "${text}"`);
  return text;
};

async function subjectOf(
  db: Db,
  values: { user: string | undefined; group: string | undefined; everyone: boolean },
): Promise<{ subject: GrantSubject; label: string }> {
  const given = [values.user !== undefined, values.group !== undefined, values.everyone].filter(
    Boolean,
  ).length;
  if (given !== 1) throw new InputError('subject: give exactly one of --user NAME, --group NAME, --everyone');
  if (values.user !== undefined) {
    const found = await findUser(db, { name: values.user });
    if (!found) throw new InputError(`--user: no user named "${values.user}"`);
    return { subject: { kind: 'user', id: found.account.id }, label: `user ${found.account.name}` };
  }
  if (values.group !== undefined) {
    const name = checkGroupName(values.group, '--group');
    return { subject: { kind: 'group', name }, label: `group ${name}` };
  }
  return { subject: { kind: 'everyone' }, label: 'everyone' };
}

const shown = (path: string): string => (path === '' ? '(workspace)' : path);

const add = defineCommand({
  name: 'grants add',
  help: `usage: quire grants add PATH (--user NAME | --group NAME | --everyone) --level LEVEL [--db URL]

  PATH            "" (the workspace), a folder ending with "/" (it and everything under it), or
                  a notebook (a/b.nb.md)
  --user NAME     the grant is for this user
  --group NAME    for every member of this group (quire users groups NAME g1,g2)
  --everyone      for every account
  --level LEVEL   ${LEVELS.join(', ')}: at most read, run or edit there (never more than the role)
  ${DB_HELP}

A path no grant covers is open: each user's role applies there. Once a grant covers a path, only
the subjects of the grants covering it (and admins) can see it, each at the highest level granted.`,
  options: { user: text(), group: text(), everyone: boolean(), level: parsed(levelOf), db: text() },
  positionals: { min: 1, max: 1, wrongCount: () => 'expected one PATH ("" for the workspace)' },
  async run(values, [given = '']) {
    if (!values.level) throw new InputError(`--level: give one of ${LEVELS.join(', ')}`);
    const level = values.level;
    const { grant, label, restricted } = await withAccessStore(values.db, async (db, record, workspace) => {
      const path = grantPath(given, workspace);
      const { subject, label } = await subjectOf(db, values);
      const before = await loadAccessRules(db);
      const grant = await insertGrant(db, { subject, path, level, createdBy: osUser(), now: Date.now() });
      await record('grant.added', { kind: 'grant', id: grant.id }, { path, subject: label, level });
      return { grant, label, restricted: !coveringPaths(path).some((p) => before.byPath.has(p)) };
    });
    process.stdout.write(`${grant.id}: ${label} may ${level} ${shown(grant.path)}\n`);
    if (restricted)
      process.stderr.write(
        `${shown(grant.path)} was open and is now restricted: only the subjects of its grants and admins can see it\n`,
      );
    return 0;
  },
});

const list = defineCommand({
  name: 'grants list',
  help: `usage: quire grants list [PATH] [--json] [--db URL]

  PATH          only the grants on this exact path ("" the workspace, folder/, a/b.nb.md)
  --json        the grants as a JSON array
  ${DB_HELP}`,
  options: { json: boolean(), db: text() },
  positionals: { min: 0, max: 1, wrongCount: () => 'expected at most one PATH' },
  async run(values, positionals) {
    const grants = await withAccessStore(values.db, (db, _record, workspace) =>
      listGrants(db, positionals[0] === undefined ? undefined : grantPath(positionals[0], workspace)),
    );
    if (values.json) process.stdout.write(JSON.stringify(grants, null, 2) + '\n');
    else if (grants.length === 0) process.stderr.write('no grants: every path is open (roles apply)\n');
    else
      process.stdout.write(
        formatTable(
          ['ID', 'PATH', 'SUBJECT', 'LEVEL', 'BY', 'CREATED'],
          grants.map((g) => [
            g.id,
            shown(g.path),
            describeSubject(g),
            g.level,
            g.createdBy ?? '',
            formatTime(g.createdAt),
          ]),
        ) + '\n',
      );
    return 0;
  },
});

const rm = defineCommand({
  name: 'grants rm',
  help: `usage: quire grants rm ID [--db URL]

  ID            the grant's id (g_…, from \`quire grants list\`)
  ${DB_HELP}

When it was the last grant covering a path, that path is open again (roles apply).`,
  options: { db: text() },
  positionals: { min: 1, max: 1, wrongCount: () => 'expected one grant id' },
  async run(values, [id = '']) {
    const removed = await withAccessStore(values.db, async (db, record) => {
      const grant = await deleteGrant(db, id);
      if (!grant) throw new InputError(`id: no grant "${id}"`);
      await record(
        'grant.removed',
        { kind: 'grant', id },
        { path: grant.path, subject: describeSubject(grant), level: grant.level },
      );
      return grant;
    });
    process.stdout.write(
      `removed ${id} (${describeSubject(removed)} ${removed.level} on ${shown(removed.path)})\n`,
    );
    return 0;
  },
});

export const grantsCommand = defineGroup('grants', 'who may do what on a folder or a notebook', {
  add: {
    summary: 'PATH (--user NAME | --group NAME | --everyone) --level read|run|edit',
    command: add,
  },
  list: { summary: 'the grants: [PATH] [--json]', command: list },
  rm: { summary: 'remove a grant: ID', command: rm },
});
