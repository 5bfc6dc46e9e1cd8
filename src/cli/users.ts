/**
 * `quire users add|list|passwd|role|disable|enable|groups`: the accounts `quire serve` logs in (when the
 * store has at least one user; with none it keeps its single-user login token). Passwords come on
 * standard input only (password-input.ts).
 */
import { ROLES, isRole, type Role } from '../auth/roles.js';
import type { Account } from '../auth/users.js';
import { DB_HELP, withAccounts } from './accounts-store.js';
import { checkGroupName, groupsOf, listMemberships, replaceGroups } from '../auth/groups.js';
import { AccountError } from '../auth/users.js';
import { boolean, defineCommand, list as textList, parsed, text } from './command.js';
import { InputError } from './errors.js';
import { formatTable, formatTime } from './format-table.js';
import { readPasswordFromStdin } from './password-input.js';
import { defineGroup } from './subcommands.js';

const roleOf = (text: string, flag: string): Role => {
  if (!isRole(text)) throw new InputError(`${flag}: expected one of ${ROLES.join(', ')}, got "${text}"`);
  return text;
};

const oneName = (what: string) => ({
  min: 1,
  max: 1,
  wrongCount: (n: number) => `expected one user name${n > 1 ? ` (${what})` : ''}`,
});

const add = defineCommand({
  name: 'users add',
  help: `usage: quire users add NAME (--role ROLE | --admin) [--group G]… [--db URL] < password

  NAME          lowercase letters, digits, ".", "_", "-" (at most 64)
  --role ROLE   ${ROLES.join(', ')}
  --admin       the same as --role admin (the first admin of a new server)
  --group G     a group the user is in (repeatable); grants to G apply to them
  ${DB_HELP}

The password is read from standard input (8 to 1024 bytes; one trailing newline is dropped),
never from the command line.`,
  options: { role: parsed(roleOf), admin: boolean(), group: textList(), db: text() },
  positionals: oneName('the password comes on standard input'),
  async run(values, [name = '']) {
    const groups = groupsFrom(values.group, '--group');
    if (values.admin && values.role && values.role !== 'admin')
      throw new InputError(`--admin and --role ${values.role} disagree`);
    const role = values.admin ? 'admin' : values.role;
    if (!role) throw new InputError(`give --role ${ROLES.join('|')} (or --admin)`);
    const password = await readPasswordFromStdin();
    const account = await withAccounts(values.db, async (accounts, record) => {
      const added = await accounts.addUser(name, role, password);
      await record('user.added', { kind: 'user', name: added.name }, { role: added.role });
      if (groups.length > 0) {
        await replaceGroups(accounts.db, added.id, groups);
        await record('user.groups-changed', { kind: 'user', name: added.name }, { groups: groups.join(',') });
      }
      return added;
    });
    process.stdout.write(
      `added user ${account.name} (${account.role}${groups.length > 0 ? `; groups ${groups.join(', ')}` : ''})\n`,
    );
    return 0;
  },
});

const list = defineCommand({
  name: 'users list',
  help: `usage: quire users list [--json] [--db URL]

  --json        the users as a JSON array, with their groups (never with password hashes)
  ${DB_HELP}`,
  options: { json: boolean(), db: text() },
  async run(values) {
    const users = await withAccounts(values.db, async (accounts) => {
      const memberships = await listMemberships(accounts.db);
      return (await accounts.listUsers()).map((user) => ({
        ...user,
        groups: memberships.filter((m) => m.userId === user.id).map((m) => m.group),
      }));
    });
    if (values.json) process.stdout.write(JSON.stringify(users, null, 2) + '\n');
    else if (users.length === 0)
      process.stderr.write('no users: `quire serve` uses its single-user login token\n');
    else process.stdout.write(usersTable(users) + '\n');
    return 0;
  },
});

function usersTable(users: (Account & { groups: string[] })[]): string {
  return formatTable(
    ['NAME', 'ROLE', 'STATUS', 'CREATED', 'UPDATED', 'GROUPS'],
    users.map((u) => [
      u.name,
      u.role,
      u.disabled ? 'disabled' : u.hasPassword ? 'active' : 'no password',
      formatTime(u.createdAt),
      formatTime(u.updatedAt),
      u.groups.join(','),
    ]),
  );
}

const passwd = defineCommand({
  name: 'users passwd',
  help: `usage: quire users passwd NAME [--db URL] < password

Sets NAME's password from standard input; every login session of NAME ends.
  ${DB_HELP}`,
  options: { db: text() },
  positionals: oneName('the password comes on standard input'),
  async run(values, [name = '']) {
    const password = await readPasswordFromStdin();
    const ended = await withAccounts(values.db, async (accounts, record) => {
      const count = await accounts.setPassword(name, password);
      await record('user.password-changed', { kind: 'user', name }, { sessionsEnded: count });
      return count;
    });
    process.stdout.write(
      `changed the password of ${name}; ${ended} login session${ended === 1 ? '' : 's'} ended\n`,
    );
    return 0;
  },
});

const role = defineCommand({
  name: 'users role',
  help: `usage: quire users role NAME ROLE [--db URL]

  ROLE          ${ROLES.join(', ')}
  ${DB_HELP}`,
  options: { db: text() },
  positionals: { min: 2, max: 2, wrongCount: () => 'expected a user name and a role' },
  async run(values, [name = '', given = '']) {
    const newRole = roleOf(given, 'ROLE');
    await withAccounts(values.db, async (accounts, record) => {
      await accounts.setRole(name, newRole);
      await record('user.role-changed', { kind: 'user', name }, { role: newRole });
    });
    process.stdout.write(`${name} is now ${newRole}\n`);
    return 0;
  },
});

const toggle = (disabled: boolean) =>
  defineCommand({
    name: disabled ? 'users disable' : 'users enable',
    help: `usage: quire users ${disabled ? 'disable' : 'enable'} NAME [--db URL]

${
  disabled
    ? 'NAME can no longer log in; their login sessions end and their API tokens stop working.'
    : 'NAME can log in again, and their API tokens that are not expired or revoked work again.'
}
  ${DB_HELP}`,
    options: { db: text() },
    positionals: oneName(''),
    async run(values, [name = '']) {
      await withAccounts(values.db, async (accounts, record) => {
        await accounts.setDisabled(name, disabled);
        await record(disabled ? 'user.disabled' : 'user.enabled', { kind: 'user', name });
      });
      process.stdout.write(`${disabled ? 'disabled' : 'enabled'} ${name}\n`);
      return 0;
    },
  });

/** Group names from repeated flags or comma lists, each checked (the error names `field`). */
function groupsFrom(given: readonly string[], field: string): string[] {
  const names = given
    .flatMap((g) => g.split(','))
    .map((g) => g.trim())
    .filter(Boolean);
  try {
    return [...new Set(names.map((g) => checkGroupName(g, field)))];
  } catch (error) {
    if (error instanceof AccountError) throw new InputError(error.message);
    throw error;
  }
}

const groups = defineCommand({
  name: 'users groups',
  help: `usage: quire users groups NAME [G1,G2,…] [--db URL]

Sets NAME's groups to exactly these (none given: shows them; "" removes them all). Grants to a
group apply to its members; \`quire serve\` applies a change within a second.
  ${DB_HELP}`,
  options: { db: text() },
  positionals: {
    min: 1,
    max: 2,
    wrongCount: () => 'expected a user name and a comma-separated list of groups',
  },
  async run(values, [name = '', given]) {
    const wanted = given === undefined ? undefined : groupsFrom([given], 'GROUPS');
    const now = await withAccounts(values.db, async (accounts, record) => {
      const user = await accounts.user(name);
      if (wanted === undefined) return groupsOf(accounts.db, user.id);
      await accounts.db.transaction((tx) => replaceGroups(tx, user.id, wanted));
      await record('user.groups-changed', { kind: 'user', name }, { groups: wanted.join(',') });
      return wanted;
    });
    process.stdout.write(
      `${name}${given === undefined ? ' is' : ' is now'} in ${now.length === 0 ? 'no group' : now.join(', ')}\n`,
    );
    return 0;
  },
});

export const usersCommand = defineGroup('users', 'the accounts of `quire serve`', {
  add: { summary: 'add a user: NAME --role ROLE | --admin (password on stdin)', command: add },
  list: { summary: 'the users: [--json]', command: list },
  passwd: { summary: "set a user's password (on stdin); their sessions end", command: passwd },
  role: { summary: "change a user's role: NAME ROLE", command: role },
  disable: { summary: 'stop a user: no login, sessions end, tokens stop', command: toggle(true) },
  enable: { summary: 'let a disabled user back in', command: toggle(false) },
  groups: { summary: "set a user's groups: NAME g1,g2 (grants to a group apply to them)", command: groups },
});
