/**
 * `quire secrets set NAME | list [--json] | rm NAME | rotate-key [--new-key-file FILE] |
 * grant NAME --path P|--user U | revoke NAME --path P|--user U [--widen]`, each with `--db URL`:
 * the encrypted secret store (secrets/store.ts) and its grants (secrets/grants.ts) from the
 * command line. A value is read
 * from stdin only — never from argv, where `ps` and shell histories would show it — and no
 * command prints one.
 *
 * Must not: echo a value, or put one in a message.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { MasterKey } from '../secrets/crypto.js';
import type { MasterKeys } from '../secrets/master-key.js';
import type { SecretGrant } from '../secrets/grants.js';
import type { SecretStore } from '../secrets/store.js';
import type { Db } from '../store/db.js';
import { osUser, recordCliEvent } from './audit-trail.js';
import { readStdinUpTo } from './stdin.js';
import { boolean, defineCommand, text, type Command } from './command.js';
import { EXIT, InputError } from './errors.js';
import { formatTable, formatTime } from './format-table.js';

const DB = `  --db URL   the store (default: QUIRE_DB, else .quire/quire.db in the workspace)`;
const KEY = `The master key: QUIRE_MASTER_KEY (base64 of 32 bytes) when set, else .quire/master.key in the
workspace (created, mode 0600, by the first \`quire secrets set\`).`;

const HELP = `usage: quire secrets <set|list|rm|rotate-key|grant|revoke> [options]

  set NAME          store a secret: the value is read from stdin (one trailing newline removed)
  list [--json]     names, key ids, times and grants; never values
  rm NAME           remove a secret (and its grants)
  rotate-key        a new master key; every value re-encrypted in one transaction
  grant NAME --path P | --user U     only runs of these notebooks / users may read it
  revoke NAME --path P | --user U    remove a grant

${DB}

${KEY}

exit codes: 0 ok · 1 the store or key refused (a wrong key, a tampered value) · 2 bad input`;

/** The largest value `set` takes: a certificate chain fits, a data file does not belong here. */
const MAX_VALUE_BYTES = 64 * 1024;

const GRANT_RULE = `A stored secret without grants is read by every run of the workspace. Once it has grants, a run
reads it only if its notebook is covered by a path grant (when it has any) AND its user by a user
grant (when it has any). A path is a folder ("reports/", every notebook under it) or one notebook
("reports/q1.nb.md"), relative to the workspace. The run's user: a queued run's owner; \`quire run\`
on this host is the host owner, whom no user grant restricts (they hold the master key); an editor
session has none (its kernel is shared), so a secret with user grants is refused there.
QUIRE_SECRET_<NAME> in a run's environment is the host owner's and no grant limits it.`;

/** Opens the store of `--db` with the workspace's master keys, runs `fn`, closes it. */
async function withSecretStore<T>(
  db: string | undefined,
  fn: (store: SecretStore, db: Db) => Promise<T>,
): Promise<T> {
  const [{ openCommandStore, currentWorkspace }, { SecretStore }, { MasterKeys, keyFilePath }] =
    await Promise.all([
      import('./store-access.js'),
      import('../secrets/store.js'),
      import('../secrets/master-key.js'),
    ]);
  const workspace = currentWorkspace();
  const runStore = await openCommandStore(db, workspace);
  try {
    return await fn(
      new SecretStore(runStore.db, new MasterKeys({ file: keyFilePath(workspace) })),
      runStore.db,
    );
  } finally {
    await runStore.close();
  }
}

/**
 * The store's refusals: a bad name or an empty value is bad input (2); a key that does not match,
 * a key file too open or a value that does not open is the store's state (1), said in one line.
 */
async function refusals(command: string, fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'SecretError') throw error;
    const { SecretStoreError } = await import('../secrets/store.js');
    if (error instanceof SecretStoreError) throw new InputError(error.message);
    process.stderr.write(`quire secrets ${command}: ${error.message}\n`);
    return EXIT.failed;
  }
}

const setCommand = defineCommand({
  name: 'secrets set',
  help: `usage: quire secrets set NAME [--db URL]  (the value on stdin)

  printf %s "$TOKEN" | quire secrets set API_KEY
  quire secrets set TLS_KEY < key.pem

The value is read from stdin, never from the command line. One trailing newline ("\\n" or "\\r\\n",
as \`echo\` adds) is removed; a value that must end with a newline ends with two. An empty value is
refused. A cell reads it with secrets.get('NAME'); QUIRE_SECRET_<NAME> in a run's environment
takes precedence.

${DB}

${KEY}`,
  positionals: { min: 1, max: 1, wrongCount: (n) => `expected one secret name, got ${n}` },
  options: { db: text() },
  async run(values, [name]) {
    const { checkSecretName } = await import('../secrets/store.js');
    try {
      checkSecretName(name!);
    } catch (error) {
      throw new InputError((error as Error).message);
    }
    if (process.stdin.isTTY)
      throw new InputError(
        `the value is read from stdin, not a terminal: printf %s "$VALUE" | quire secrets set ${name}`,
      );
    const value = withoutTrailingNewline(await readStdin());
    if (value === '') throw new InputError(`the value on stdin is empty: an empty secret is not set`);
    return refusals('set', () =>
      withSecretStore(values.db, async (store, db) => {
        const keyFileBefore = existsSync(store.keys.file);
        const { created, keyId } = await store.set(name!, value, { updatedBy: osUser() });
        process.stdout.write(`secret ${name} ${created ? 'stored' : 'replaced'} (key ${keyId})\n`);
        await recordCliEvent(db, 'secret.written', { kind: 'secret', name: name! }, { created, keyId });
        if (store.keys.mode === 'file' && !keyFileBefore && existsSync(store.keys.file))
          process.stderr.write(
            `created the master key file ${store.keys.file} (mode 0600): back it up; without it the stored secrets cannot be read\n`,
          );
        const { secretEnvVar } = await import('../secrets/source.js');
        if (process.env[secretEnvVar(name!)])
          process.stderr.write(
            `note: ${secretEnvVar(name!)} is set in this environment; runs started with it read that variable, not the store\n`,
          );
        return EXIT.ok;
      }),
    );
  },
});

/** Everything on stdin, as UTF-8; more than MAX_VALUE_BYTES is refused. */
const readStdin = (): Promise<string> =>
  readStdinUpTo(MAX_VALUE_BYTES, `the value is over ${MAX_VALUE_BYTES / 1024} KiB`);

/** `echo`'s newline is not part of the value: one "\n" or "\r\n" at the end is removed. */
export function withoutTrailingNewline(value: string): string {
  if (value.endsWith('\r\n')) return value.slice(0, -2);
  if (value.endsWith('\n')) return value.slice(0, -1);
  return value;
}

const listCommand = defineCommand({
  name: 'secrets list',
  help: `usage: quire secrets list [--json] [--db URL]

Each stored secret's name, the id of the key it is encrypted with, when it was created and last
set, by whom (the OS user), and whom it is granted to ("(every run)": no grants). Never a value.

  --json     {"key": {"id", "source"} | null, "secrets": [{"name", "keyId", "createdAt", "updatedAt",
             "updatedBy", "grants": [{"kind": "path", "path"} | {"kind": "user", "userId", "user"}]}]}
${DB}`,
  options: { json: boolean(), db: text() },
  async run(values) {
    return refusals('list', () =>
      withSecretStore(values.db, async (store, db) => {
        const secrets = await store.list();
        const names = await userNames(db);
        const shown = (g: SecretGrant): string =>
          g.kind === 'path'
            ? `path:${g.subject}`
            : `user:${names.get(g.subject) ?? `${g.subject} (no such user)`}`;
        const key = keyInUse(store.keys);
        if (values.json) {
          process.stdout.write(
            JSON.stringify(
              {
                key: key.id ? { id: key.id, source: store.keys.where() } : null,
                secrets: secrets.map((s) => ({
                  ...s,
                  createdAt: new Date(s.createdAt).toISOString(),
                  updatedAt: new Date(s.updatedAt).toISOString(),
                  grants: s.grants.map((g) =>
                    g.kind === 'path'
                      ? { kind: g.kind, path: g.subject }
                      : { kind: g.kind, userId: g.subject, user: names.get(g.subject) ?? null },
                  ),
                })),
              },
              null,
              2,
            ) + '\n',
          );
        } else {
          process.stdout.write(
            formatTable(
              ['NAME', 'KEY', 'CREATED', 'UPDATED', 'BY', 'GRANTED TO'],
              secrets.map((s) => [
                s.name,
                s.keyId,
                formatTime(s.createdAt),
                formatTime(s.updatedAt),
                s.updatedBy ?? '',
                s.grants.length === 0 ? '(every run)' : s.grants.map(shown).join(' '),
              ]),
            ) + '\n',
          );
          process.stderr.write(`master key: ${key.id ?? 'none'} (${key.problem ?? store.keys.where()})\n`);
        }
        const stale = secrets.filter((s) => key.id && s.keyId !== key.id && s.keyId !== key.pending);
        if (stale.length > 0)
          process.stderr.write(
            `warning: ${stale.map((s) => s.name).join(', ')} ${stale.length === 1 ? 'is' : 'are'} encrypted with another key than the one in use\n`,
          );
        if (key.pending && secrets.some((s) => s.keyId === key.pending))
          process.stderr.write(
            'warning: a key rotation was interrupted: run `quire secrets rotate-key` to finish it\n',
          );
        return EXIT.ok;
      }),
    );
  },
});

/** The key in use and a pending one, or why it cannot be read (listing still works without it). */
function keyInUse(keys: MasterKeys): { id?: string; pending?: string; problem?: string } {
  try {
    const current = keys.current();
    const pending = keys.pending();
    return { ...(current ? { id: current.id } : {}), ...(pending ? { pending: pending.id } : {}) };
  } catch (error) {
    return { problem: (error as Error).message };
  }
}

const rmCommand = defineCommand({
  name: 'secrets rm',
  help: `usage: quire secrets rm NAME [--db URL]

Removes the secret; a run that names it then fails that cell ("secret "NAME" is not set").

${DB}`,
  positionals: { min: 1, max: 1, wrongCount: (n) => `expected one secret name, got ${n}` },
  options: { db: text() },
  async run(values, [name]) {
    return refusals('rm', () =>
      withSecretStore(values.db, async (store, db) => {
        if (!(await store.remove(name!))) throw new InputError(`no secret "${name}" in the store`);
        process.stdout.write(`secret ${name} removed\n`);
        await recordCliEvent(db, 'secret.removed', { kind: 'secret', name: name! }, {});
        return EXIT.ok;
      }),
    );
  },
});

const rotateCommand = defineCommand({
  name: 'secrets rotate-key',
  help: `usage: quire secrets rotate-key [--new-key-file FILE] [--db URL]

A new master key: every stored value is re-encrypted with it in one transaction (a failure leaves
every value under the old key), then the key file is replaced atomically (mode 0600). The new key
is written to .quire/master.key.new before the store changes, so a crash between the commit and
the replacement loses nothing: runs find the pending key by its id, and the next \`secrets set\`
or \`rotate-key\` moves it into place.

  --new-key-file FILE   the new key (base64 of 32 bytes, mode 0600) instead of a random one;
                        required when QUIRE_MASTER_KEY is set: set the variable to it afterwards
${DB}`,
  options: { 'new-key-file': text(), db: text() },
  async run(values) {
    const [{ readKeyFile }, { rotateMasterKey }] = await Promise.all([
      import('../secrets/master-key.js'),
      import('../secrets/rotate.js'),
    ]);
    const keyFile = values['new-key-file'];
    return refusals('rotate-key', async () => {
      let newKey: MasterKey | undefined;
      if (keyFile !== undefined) {
        newKey = readKeyFile(resolve(keyFile));
        if (!newKey) throw new InputError(`--new-key-file ${keyFile}: no such file`);
      }
      return withSecretStore(values.db, async (store, db) => {
        const rotation = await rotateMasterKey(store, newKey);
        await recordCliEvent(
          db,
          'secret.key-rotated',
          { kind: 'server' },
          { count: rotation.count, from: rotation.from ?? null, to: rotation.to },
        );
        const count = `${rotation.count} secret${rotation.count === 1 ? '' : 's'}`;
        process.stdout.write(
          `re-encrypted ${count} from key ${rotation.from ?? '(none)'} to key ${rotation.to}\n`,
        );
        process.stderr.write(
          rotation.mode === 'file'
            ? `the key file ${store.keys.file} holds the new key; the old one no longer opens anything\n`
            : `now set QUIRE_MASTER_KEY to the key in ${keyFile} wherever quire runs: until then runs fail with ` +
                `"encrypted with key ${rotation.to}"\n`,
        );
        return EXIT.ok;
      });
    });
  },
});

/** The account ids of the store's users, by id, to their names (no users table yet: none). */
async function userNames(db: Db): Promise<Map<string, string>> {
  const { listUsers } = await import('../auth/users.js');
  try {
    return new Map((await listUsers(db)).map((u) => [u.id, u.name]));
  } catch {
    return new Map();
  }
}

/**
 * The grant `--path` or `--user` asks for (exactly one): a path normalized, a user name or id
 * resolved to the account's id (a grant follows the account, not a name that may be taken again).
 */
async function grantOf(
  db: Db,
  values: { path?: string | undefined; user?: string | undefined },
): Promise<{ grant: SecretGrant; shown: string; detail: Record<string, string> }> {
  if ((values.path === undefined) === (values.user === undefined))
    throw new InputError('give exactly one of --path P or --user U');
  if (values.path !== undefined) {
    const { grantPath } = await import('../secrets/grants.js');
    let path: string;
    try {
      path = grantPath(values.path);
    } catch (error) {
      throw new InputError((error as Error).message);
    }
    return { grant: { kind: 'path', subject: path }, shown: `path ${path}`, detail: { path } };
  }
  const { findUser } = await import('../auth/users.js');
  const wanted = values.user!;
  const found =
    (await findUser(db, { name: wanted.toLowerCase() }).catch(() => undefined)) ??
    (await findUser(db, { id: wanted }).catch(() => undefined));
  if (found) {
    const { id, name } = found.account;
    return {
      grant: { kind: 'user', subject: id },
      shown: `user ${name}`,
      detail: { userId: id, user: name },
    };
  }
  // A grant to an account that is gone can still be revoked by its id.
  return { grant: { kind: 'user', subject: wanted }, shown: `user ${wanted}`, detail: { userId: wanted } };
}

const grantCommand = defineCommand({
  name: 'secrets grant',
  help: `usage: quire secrets grant NAME (--path P | --user U) [--db URL]

  quire secrets grant WAREHOUSE_URL --path reports/
  quire secrets grant WAREHOUSE_URL --path ops/daily.nb.md
  quire secrets grant WAREHOUSE_URL --user alice

Grants the stored secret NAME to a folder or notebook of the workspace, or to a user (a name or id
of \`quire users\`). Recorded in the audit log (secret.granted).

${GRANT_RULE}

${DB}`,
  positionals: { min: 1, max: 1, wrongCount: (n) => `expected one secret name, got ${n}` },
  options: { path: text(), user: text(), db: text() },
  async run(values, [name]) {
    return refusals('grant', () =>
      withSecretStore(values.db, async (store, db) => {
        const { grant, shown, detail } = await grantOf(db, values);
        if (grant.kind === 'user' && !('user' in detail))
          throw new InputError(`no user "${values.user}" (see \`quire users list\`)`);
        const created = await store.grant(name!, grant, { by: osUser() });
        process.stdout.write(
          `secret ${name} ${created ? 'granted to' : 'was already granted to'} ${shown}\n`,
        );
        if (created) await recordCliEvent(db, 'secret.granted', { kind: 'secret', name: name! }, detail);
        return EXIT.ok;
      }),
    );
  },
});

const revokeCommand = defineCommand({
  name: 'secrets revoke',
  help: `usage: quire secrets revoke NAME (--path P | --user U) [--widen] [--db URL]

Removes a grant of the stored secret NAME. Recorded in the audit log (secret.revoked).

Removing the last path grant lets every notebook pass the path check, the last user grant every
user, and the last grant of all opens the secret to every run: a revocation that would open it
wider is refused unless --widen says that is meant (\`quire secrets rm NAME\` removes it instead).

${GRANT_RULE}

${DB}`,
  positionals: { min: 1, max: 1, wrongCount: (n) => `expected one secret name, got ${n}` },
  options: { path: text(), user: text(), widen: boolean(), db: text() },
  async run(values, [name]) {
    return refusals('revoke', () =>
      withSecretStore(values.db, async (store, db) => {
        const { grant, shown, detail } = await grantOf(db, values);
        if (!(await store.revoke(name!, grant, { widen: values.widen === true })))
          throw new InputError(`secret "${name}" is not granted to ${shown}`);
        process.stdout.write(`secret ${name} no longer granted to ${shown}\n`);
        await recordCliEvent(
          db,
          'secret.revoked',
          { kind: 'secret', name: name! },
          {
            ...detail,
            widen: values.widen === true,
          },
        );
        return EXIT.ok;
      }),
    );
  },
});

const SUBCOMMANDS: Record<string, Command> = {
  set: setCommand,
  list: listCommand,
  rm: rmCommand,
  'rotate-key': rotateCommand,
  grant: grantCommand,
  revoke: revokeCommand,
};

export const secretsCommand: Command = {
  name: 'secrets',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '--help' || sub === '-h') {
      process.stdout.write(HELP + '\n');
      return sub === undefined ? EXIT.badInput : EXIT.ok;
    }
    const command = SUBCOMMANDS[sub];
    if (!command) throw new InputError(`unknown subcommand "${sub}"\n${HELP}`);
    return command.run(rest);
  },
};
