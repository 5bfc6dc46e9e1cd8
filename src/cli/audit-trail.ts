/**
 * What a command changes in the store by hand (a secret set, removed, a key rotated) is an entry in
 * the audit log like a change made through the server: `via: 'cli'`, no quire user (the command
 * line has none: the store's access is the control), the OS account in `detail.osUser`. Written
 * after the change it records, in its own transaction; a failure to write is said and exits 1.
 *
 * The entry passes the secret redactor first (audit/redact.ts): the values of this process's
 * environment and of the store (those the workspace's key opens), so even a value just set is
 * never in its own entry.
 */
import { userInfo } from 'node:os';
import { AuditLog } from '../audit/log.js';
import { auditSecretReads, secretReadEvent } from '../audit/secret-reads.js';
import { envSecretRedactor, registerStoreSecrets } from '../audit/secret-values.js';
import { AuditWriter } from '../audit/writer.js';
import { createLogger } from '../metrics/log.js';
import type { Redactor } from '../outputs/redact.js';
import type { SecretSource } from '../secrets/source.js';
import type { Db } from '../store/db.js';
import { openStore } from '../store/open.js';
import type { RunStore } from '../store/run-store.js';
import { currentWorkspace } from './store-access.js';

export type CliEventDetail = Record<string, string | number | boolean | null>;

export function osUser(): string | null {
  try {
    return userInfo().username;
  } catch {
    return null;
  }
}

export interface CliEventOptions {
  /** the redactor (default: the environment's and the store's secret values) */
  redactor?: Redactor;
  /** the event (default: an administrator's change, `action: 'admin'`, `outcome: 'ok'`) */
  action?: string | null;
  via?: string;
}

export async function recordCliEvent(
  db: Db,
  event: string,
  resource: { kind: string } & Record<string, string>,
  detail: CliEventDetail,
  options: CliEventOptions = {},
): Promise<void> {
  const redactor =
    options.redactor ?? (await registerStoreSecrets(envSecretRedactor(), db, currentWorkspace()));
  await new AuditLog(db, { redactor }).append([
    {
      time: new Date().toISOString(),
      event,
      user: null,
      action: options.action === undefined ? 'admin' : options.action,
      resource,
      outcome: 'ok',
      via: options.via ?? 'cli',
      detail: { ...detail, osUser: osUser() },
    },
  ]);
}

export interface CliSecretTrail {
  /** `source` with each value a cell is given recorded as `secret.read` (via `cli`) */
  secrets: SecretSource;
  /** writes what is still queued and closes the store, if a read opened it (a store given stays open) */
  close(): Promise<void>;
}

/**
 * The secret reads of a command that runs notebooks (`quire run`, `quire rerun`, `quire sweep`):
 * the store of `--db` (or QUIRE_DB, or the workspace's) is opened at the first value a cell is
 * given — a run that reads none opens nothing — and each read is written in the background as it
 * happens, so a run killed later still has the reads before. A write that fails is said on stderr;
 * the run goes on. One trail serves every run of a command: a read is one per run, cell and name.
 *
 * `store`: an open store the command holds for its runs (a sweep's), written through and neither
 * opened nor closed here: runs at once in one process must share one SQLite connection.
 */
export function cliSecretTrail(
  dbUrl: string | undefined,
  workspace: string,
  source: SecretSource,
  store?: RunStore,
): CliSecretTrail {
  const redactor = envSecretRedactor();
  let opened: Promise<{ store: RunStore; writer: AuditWriter } | undefined> | undefined;
  const logger = createLogger({ stream: process.stderr, redact: (text) => redactor.redact(text) });
  const writerOf = (held: RunStore) => ({
    store: held,
    writer: new AuditWriter(new AuditLog(held.db, { redactor }), logger),
  });
  const open = () =>
    (opened ??= (
      store ? Promise.resolve(store) : openStore({ ...(dbUrl ? { url: dbUrl } : {}), workspace })
    ).then(writerOf, (error: unknown) => {
      process.stderr.write(`the audit log could not be opened: ${(error as Error).message}\n`);
      return undefined;
    }));
  const user = osUser();
  let closed: Promise<void> | undefined;
  return {
    secrets: auditSecretReads(
      source,
      (read) => {
        const event = secretReadEvent(read, 'cli');
        void open().then((audit) =>
          audit?.writer.emit({ ...event, detail: { ...event.detail, osUser: user } }),
        );
      },
      redactor,
    ),
    close() {
      closed ??= (async () => {
        const audit = await opened;
        if (!audit) return;
        await audit.writer.flush();
        if (!store) await audit.store.close();
      })();
      return closed;
    },
  };
}
