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
import { envSecretRedactor, registerStoreSecrets } from '../audit/secret-values.js';
import type { Redactor } from '../outputs/redact.js';
import type { Db } from '../store/db.js';
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
  const redactor = options.redactor ?? (await registerStoreSecrets(envSecretRedactor(), db, currentWorkspace()));
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
