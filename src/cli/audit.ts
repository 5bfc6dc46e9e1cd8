/**
 * `quire audit [--since ISO] [--user U] [--event E] [--limit N] [--json] [--db URL]`: the newest
 * entries of the audit log, oldest first. `quire audit verify [--anchor SEQ:HASH] [--json]
 * [--db URL]`: walks the whole hash chain; exit 0 with the count and the head to record elsewhere,
 * exit 1 naming the first bad entry and what is wrong with it (docs/security.md#audit-log).
 *
 * Reads only: nothing here writes to the store but its migrations.
 */
import { AuditLog } from '../audit/log.js';
import type { AuditEntry } from '../audit/schema.js';
import type { ChainHead } from '../audit/chain.js';
import { openStore, StoreConfigError } from '../store/open.js';
import type { RunStore } from '../store/run-store.js';
import { boolean, defineCommand, parsed, text, wholeNumber, type Command, type Values } from './command.js';
import { EXIT, InputError } from './errors.js';
import { formatTable, formatTime } from './format-table.js';
import { checkDbFlag, currentWorkspace } from './store-access.js';

const DB_HELP = '  --db URL        the store (default: QUIRE_DB, else .quire/quire.db in the workspace)';

const LIST_HELP = `usage: quire audit [--since TIME] [--user USER] [--event EVENT] [--limit N] [--json] [--db URL]
       quire audit verify [--anchor SEQ:HASH] [--json] [--db URL]

  --since TIME    entries at or after this ISO 8601 time (e.g. 2026-12-01 or 2026-12-01T09:00:00Z)
  --user USER     only this user's entries (a user id, e.g. owner)
  --event EVENT   only this event (login, notebook.saved, run.started, access.denied…)
  --limit N       the newest N entries that match (default 100), printed oldest first
  --json          the entries as a JSON array, with their seq, prevHash and hash
${DB_HELP}

  verify          check the hash chain; see quire audit verify --help`;

const VERIFY_HELP = `usage: quire audit verify [--anchor SEQ:HASH] [--json] [--db URL]

  Walks the audit log's hash chain from the first entry. Exit 0: every entry is as written; the
  head (last seq and hash) is printed: record it outside the database and give it back with
  --anchor to find entries cut off the end or a log rewritten up to there. Exit 1: the first bad
  entry's seq and what is wrong with it (edited, deleted, reordered, wrong-prev, anchor).

  --anchor SEQ:HASH  a head printed by an earlier verify: that entry must still be there, unchanged
  --json             {ok, count, head: {seq, hash}, break?: {seq, problem, message}}
${DB_HELP}`;

const since = (value: string, flag: string): number => {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new InputError(`${flag}: expected an ISO 8601 time, got "${value}"`);
  return ms;
};

const anchor = (value: string, flag: string): ChainHead => {
  const match = /^(\d+):([0-9a-f]{64})$/.exec(value.trim());
  if (!match || Number(match[1]) < 1)
    throw new InputError(`${flag}: expected SEQ:HASH as verify prints it, got "${value}"`);
  return { seq: Number(match[1]), hash: match[2]! };
};

const listOptions = {
  since: parsed(since),
  user: text(),
  event: text(),
  limit: wholeNumber(
    { min: 1, message: (flag, t) => `${flag}: expected a whole number ≥ 1, got "${t}"` },
    100,
  ),
  json: boolean(),
  db: text(),
};

const verifyOptions = { anchor: parsed(anchor), json: boolean(), db: text() };

const listCommand = defineCommand({ name: 'audit', help: LIST_HELP, options: listOptions, run: list });
const verifyCommand = defineCommand({
  name: 'audit verify',
  help: VERIFY_HELP,
  options: verifyOptions,
  run: verify,
});

export const auditCommand: Command = {
  name: 'audit',
  run: (argv) => (argv[0] === 'verify' ? verifyCommand.run(argv.slice(1)) : listCommand.run(argv)),
};

/** The store without `openCommandStore`'s clean-up of dead runs: these commands only read. */
async function openAudit(db: string | undefined): Promise<{ store: RunStore; audit: AuditLog }> {
  checkDbFlag(db);
  try {
    const store = await openStore({ ...(db ? { url: db } : {}), workspace: currentWorkspace() });
    return { store, audit: new AuditLog(store.db) };
  } catch (error) {
    if (error instanceof StoreConfigError) throw new InputError(error.message);
    throw error;
  }
}

async function list(values: Values<typeof listOptions>): Promise<number> {
  const { store, audit } = await openAudit(values.db);
  try {
    const entries = await audit.list({
      ...(values.since !== undefined ? { since: values.since } : {}),
      ...(values.user !== undefined ? { user: values.user } : {}),
      ...(values.event !== undefined ? { event: values.event } : {}),
      limit: values.limit,
    });
    if (values.json) process.stdout.write(JSON.stringify(entries, null, 2) + '\n');
    else if (entries.length === 0) process.stderr.write(`no audit entries in ${store.db.label}\n`);
    else process.stdout.write(auditTable(entries) + '\n');
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

async function verify(values: Values<typeof verifyOptions>): Promise<number> {
  const { store, audit } = await openAudit(values.db);
  try {
    const result = await audit.verify(values.anchor);
    if (values.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    else if (result.ok)
      process.stdout.write(
        result.count === 0
          ? `verified 0 entries: the audit log in ${store.db.label} is empty\n`
          : `verified ${entries(result.count)}: the chain is intact\nhead ${result.head.seq}:${result.head.hash}\n`,
      );
    else
      process.stdout.write(
        `audit log broken at entry ${result.break.seq} (${result.break.problem}): ${result.break.message}\n` +
          `${entries(result.count)} before it verified\n`,
      );
    return result.ok ? EXIT.ok : EXIT.failed;
  } finally {
    await store.close();
  }
}

const entries = (n: number): string => `${n} ${n === 1 ? 'entry' : 'entries'}`;

/** `notebook a.nb.md`, `run 01J… a.nb.md`, `server` */
const resourceText = ({ kind, ...rest }: AuditEntry['resource']): string =>
  [kind, ...Object.values(rest)].join(' ');

const detailText = (detail: AuditEntry['detail']): string =>
  Object.entries(detail)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join(',') : String(value)}`)
    .join(' ');

export function auditTable(entries: AuditEntry[]): string {
  return formatTable(
    ['SEQ', 'TIME (UTC)', 'USER', 'EVENT', 'OUTCOME', 'VIA', 'RESOURCE', 'DETAIL'],
    entries.map((e) => [
      String(e.seq),
      formatTime(Date.parse(e.time)),
      e.user ?? '-',
      e.event,
      e.outcome,
      e.via,
      resourceText(e.resource),
      detailText(e.detail).slice(0, 80),
    ]),
  );
}
