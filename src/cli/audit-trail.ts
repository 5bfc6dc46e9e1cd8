/**
 * What a command changes in the store by hand (a secret set, removed, a key rotated) is an entry in
 * the audit log like a change made through the server: `via: 'cli'`, no quire user (the command
 * line has none: the store's access is the control), the OS account in `detail.osUser`. Written
 * after the change it records, in its own transaction; a failure to write is said and exits 1.
 */
import { userInfo } from 'node:os';
import { AuditLog } from '../audit/log.js';
import type { Db } from '../store/db.js';

export type CliEventDetail = Record<string, string | number | boolean | null>;

export function osUser(): string | null {
  try {
    return userInfo().username;
  } catch {
    return null;
  }
}

export async function recordCliEvent(
  db: Db,
  event: string,
  resource: { kind: string } & Record<string, string>,
  detail: CliEventDetail,
): Promise<void> {
  await new AuditLog(db).append([
    {
      time: new Date().toISOString(),
      event,
      user: null,
      action: 'admin',
      resource,
      outcome: 'ok',
      via: 'cli',
      detail: { ...detail, osUser: osUser() },
    },
  ]);
}
