/**
 * `quire token create|list|revoke`: API tokens for scripts and CI (`Authorization: Bearer qk_…`).
 * `create` prints the token once, alone on standard output (so `TOKEN=$(quire token create …)`
 * works); only its hash is stored.
 */
import { MAX_TOKEN_LIFETIME_MS, type TokenInfo } from '../auth/accounts.js';
import { SCOPES, isScope, type Scope } from '../auth/roles.js';
import { parseDuration } from '../format/duration.js';
import { DB_HELP, withAccounts } from './accounts-store.js';
import { boolean, defineCommand, parsed, text } from './command.js';
import { InputError } from './errors.js';
import { formatTable, formatTime } from './format-table.js';
import { defineGroup } from './subcommands.js';

const DAY = 24 * 3_600_000;

/** `30d`, `12h`, `90m`: a token's lifetime, more than zero and at most 366 days. */
export function parseLifetime(text: string, flag: string): number {
  const days = /^(\d+)d$/.exec(text.trim());
  let ms: number;
  try {
    ms = days ? Number(days[1]) * DAY : parseDuration(text);
  } catch {
    throw new InputError(`${flag}: expected a lifetime such as 30d, 12h or 90m, got "${text}"`);
  }
  if (ms <= 0 || ms > MAX_TOKEN_LIFETIME_MS)
    throw new InputError(`${flag}: a token lives more than zero and at most 366d, got "${text}"`);
  return ms;
}

const scopeOf = (text: string, flag: string): Scope => {
  if (!isScope(text)) throw new InputError(`${flag}: expected one of ${SCOPES.join(', ')}, got "${text}"`);
  return text;
};

const create = defineCommand({
  name: 'token create',
  help: `usage: quire token create --user NAME --scope SCOPE [--expires 30d] [--json] [--db URL]

  --user NAME      whose token (it acts as this user, never beyond their role)
  --scope SCOPE    ${SCOPES.join(', ')} (read: notebooks and runs; run: also execute; edit: also
                   change notebooks and schedules; admin: everything)
  --expires TIME   its lifetime: 30d (default), 12h, 90m … at most 366d
  --json           {id, token, user, scope, expiresAt} instead of the token alone
  ${DB_HELP}

The token is printed once and cannot be shown again: store it now.`,
  options: {
    user: text(),
    scope: parsed(scopeOf),
    expires: parsed(parseLifetime, 30 * DAY),
    json: boolean(),
    db: text(),
  },
  async run(values) {
    if (!values.user) throw new InputError('give --user NAME');
    if (!values.scope) throw new InputError(`give --scope ${SCOPES.join('|')}`);
    const { user, scope } = values;
    const made = await withAccounts(values.db, async (accounts, record) => {
      const created = await accounts.createToken(user, scope, values.expires);
      // The id names the token; the token itself is never recorded.
      await record(
        'token.created',
        { kind: 'token', id: created.id },
        { user, scope, expiresAt: created.expiresAt },
      );
      return created;
    });
    if (values.json) {
      const out = { id: made.id, token: made.token, user, scope, expiresAt: made.expiresAt };
      process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    } else {
      process.stdout.write(made.token + '\n');
      process.stderr.write(
        `token ${made.id} for ${user}, scope ${scope}, expires ${formatTime(made.expiresAt)}: shown once, store it now\n`,
      );
    }
    return 0;
  },
});

const status = (t: TokenInfo, now: number): string =>
  t.revokedAt !== null ? 'revoked' : t.expiresAt <= now ? 'expired' : 'active';

const list = defineCommand({
  name: 'token list',
  help: `usage: quire token list [--user NAME] [--json] [--db URL]

  --user NAME   only this user's tokens
  --json        the tokens as a JSON array (ids, never the tokens)
  ${DB_HELP}`,
  options: { user: text(), json: boolean(), db: text() },
  async run(values) {
    const tokens = await withAccounts(values.db, (accounts) => accounts.listTokens(values.user));
    const now = Date.now();
    if (values.json) process.stdout.write(JSON.stringify(tokens, null, 2) + '\n');
    else if (tokens.length === 0) process.stderr.write('no tokens\n');
    else
      process.stdout.write(
        formatTable(
          ['ID', 'USER', 'SCOPE', 'STATUS', 'CREATED', 'EXPIRES', 'LAST USED'],
          tokens.map((t) => [
            t.id,
            t.user,
            t.scope,
            status(t, now),
            formatTime(t.createdAt),
            formatTime(t.expiresAt),
            t.lastUsedAt === null ? 'never' : formatTime(t.lastUsedAt),
          ]),
        ) + '\n',
      );
    return 0;
  },
});

const revoke = defineCommand({
  name: 'token revoke',
  help: `usage: quire token revoke ID [--db URL]

  ID            the token's id (tok_…, from \`quire token list\`); it stops working at once
  ${DB_HELP}`,
  options: { db: text() },
  positionals: { min: 1, max: 1, wrongCount: () => 'expected one token id' },
  async run(values, [id = '']) {
    const outcome = await withAccounts(values.db, async (accounts, record) => {
      const result = await accounts.revokeToken(id);
      if (result === 'revoked') await record('token.revoked', { kind: 'token', id });
      return result;
    });
    process.stdout.write(outcome === 'revoked' ? `revoked ${id}\n` : `${id} was already revoked\n`);
    return 0;
  },
});

export const tokenCommand = defineGroup('token', 'API tokens for scripts and CI', {
  create: { summary: 'a token: --user NAME --scope read|run|edit|admin [--expires 30d]', command: create },
  list: { summary: 'the tokens (never their secrets): [--user NAME] [--json]', command: list },
  revoke: { summary: 'stop a token at once: ID', command: revoke },
});
