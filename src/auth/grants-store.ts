/**
 * The `grants` table, and the snapshot of all three access tables (grants, user groups, locks)
 * that the decision reads (grants.ts). Plain reads and writes; the CLI records each change in the
 * audit log.
 */
import type { Db } from '../store/db.js';
import {
  accessRules,
  isLevel,
  type AccessRules,
  type Grant,
  type GrantLevel,
  type GrantSubject,
} from './grants.js';
import { listMemberships } from './groups.js';
import { listLocks } from './locks.js';
import { isRole } from './roles.js';
import { newId } from './secret.js';
import { AccountError } from './users.js';

interface GrantRow {
  id: string;
  subject_kind: string;
  subject: string;
  path: string;
  level: string;
  created_by: string | null;
  created_at: number | string;
  /** the user's name, for a user subject (listings) */
  user_name?: string | null;
}

/** A grant as listed: with its user's name when its subject is a user. */
export type ListedGrant = Grant & { subjectName: string };

function subjectOf(row: GrantRow): GrantSubject {
  if (row.subject_kind === 'user') return { kind: 'user', id: row.subject };
  if (row.subject_kind === 'group') return { kind: 'group', name: row.subject };
  if (row.subject_kind === 'everyone') return { kind: 'everyone' };
  throw new Error(`grant ${row.id} has an unknown subject kind ${JSON.stringify(row.subject_kind)}`);
}

function fromRow(row: GrantRow): Grant {
  if (!isLevel(row.level))
    throw new Error(`grant ${row.id} has an unknown level ${JSON.stringify(row.level)}`);
  return {
    id: row.id,
    subject: subjectOf(row),
    path: row.path,
    level: row.level,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
  };
}

const subjectColumns = (subject: GrantSubject): [string, string] =>
  subject.kind === 'user'
    ? ['user', subject.id]
    : subject.kind === 'group'
      ? ['group', subject.name]
      : ['everyone', ''];

/** How a subject is named to people: `user ada`, `group data`, `everyone`. */
export function describeSubject(grant: ListedGrant): string {
  return grant.subject.kind === 'everyone' ? 'everyone' : `${grant.subject.kind} ${grant.subjectName}`;
}

const SELECT = `SELECT g.id, g.subject_kind, g.subject, g.path, g.level, g.created_by, g.created_at, u.name AS user_name
FROM grants g LEFT JOIN users u ON g.subject_kind = 'user' AND u.id = g.subject`;

/** The grants, sorted by path then subject; with `path`, only those on that exact path. */
export async function listGrants(db: Db, path?: string): Promise<ListedGrant[]> {
  const rows = await db.all<GrantRow & Record<string, unknown>>(
    `${SELECT}${path === undefined ? '' : ' WHERE g.path = ?'} ORDER BY g.path, g.subject_kind, COALESCE(u.name, g.subject)`,
    path === undefined ? [] : [path],
  );
  return rows.map((row) => ({
    ...fromRow(row),
    subjectName: row.subject_kind === 'user' ? (row.user_name ?? row.subject) : row.subject,
  }));
}

/** Adds a grant; one subject has at most one grant per path (AccountError names the one there is). */
export async function insertGrant(
  db: Db,
  grant: { subject: GrantSubject; path: string; level: GrantLevel; createdBy: string | null; now: number },
): Promise<Grant> {
  const [kind, subject] = subjectColumns(grant.subject);
  const existing = await db.all<{ id: string; level: string }>(
    'SELECT id, level FROM grants WHERE subject_kind = ? AND subject = ? AND path = ?',
    [kind, subject, grant.path],
  );
  if (existing[0])
    throw new AccountError(
      `path: this subject already has grant ${existing[0].id} (${existing[0].level}) on ${JSON.stringify(grant.path)}; remove it first`,
    );
  const id = newId('g');
  await db.run(
    'INSERT INTO grants (id, subject_kind, subject, path, level, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [id, kind, subject, grant.path, grant.level, grant.createdBy, grant.now],
  );
  return {
    id,
    subject: grant.subject,
    path: grant.path,
    level: grant.level,
    createdBy: grant.createdBy,
    createdAt: grant.now,
  };
}

/** Removes a grant by id; the grant removed, or undefined when there was none. */
export async function deleteGrant(db: Db, id: string): Promise<ListedGrant | undefined> {
  const [found] = await db.all<GrantRow & Record<string, unknown>>(`${SELECT} WHERE g.id = ?`, [id]);
  if (!found) return undefined;
  await db.run('DELETE FROM grants WHERE id = ?', [id]);
  return {
    ...fromRow(found),
    subjectName: found.subject_kind === 'user' ? (found.user_name ?? found.subject) : found.subject,
  };
}

/** The three tables as the decision reads them. */
export async function loadAccessRules(db: Db): Promise<AccessRules> {
  const rows = await db.all<GrantRow & Record<string, unknown>>(
    'SELECT id, subject_kind, subject, path, level, created_by, created_at FROM grants',
  );
  const rules = accessRules(rows.map(fromRow), await listMemberships(db), await listLocks(db));
  const accounts = await db.all<{ id: string; role: string; disabled: number | boolean }>(
    'SELECT id, role, disabled FROM users',
  );
  return {
    ...rules,
    accounts: new Map(
      accounts.flatMap((row) =>
        isRole(row.role) ? [[row.id, { role: row.role, disabled: Boolean(row.disabled) }] as const] : [],
      ),
    ),
  };
}
