/**
 * The store's schema, one list of migrations for both dialects. A migration is written once with
 * the few type names that differ ({{blob}}, {{real}}) filled per dialect. Applied migrations are
 * listed in `schema_migrations`; they run in one transaction under a lock, so two servers starting
 * at once against one PostgreSQL database never apply a migration twice.
 *
 * Times are BIGINT milliseconds since the epoch (UTC); JSON is TEXT.
 */
import type { Db } from './db.js';
import { SCHEMA } from './postgres.js';

interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * Statements for one dialect, run after `sql` each as it is: `sql` is split on `;`, which a
   * trigger's body holds.
   */
  only?: Partial<Record<Db['dialect'], readonly string[]>>;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'runs, attempts, artifacts, blobs',
    sql: `
CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  notebook_path TEXT NOT NULL,
  notebook_sha256 TEXT NOT NULL,
  title TEXT,
  trigger TEXT NOT NULL,
  status TEXT NOT NULL,
  params TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  started_at BIGINT,
  finished_at BIGINT,
  duration_ms {{real}},
  attempt INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL DEFAULT 1,
  timeout_ms BIGINT,
  not_before BIGINT,
  worker TEXT,
  lease_expires_at BIGINT,
  error TEXT,
  record_sha256 TEXT,
  report_sha256 TEXT,
  sweep_id TEXT,
  schedule_key TEXT UNIQUE,
  scheduled_for BIGINT,
  rerun_of TEXT,
  metrics TEXT
);
CREATE INDEX runs_by_notebook ON runs (notebook_path, created_at);
CREATE INDEX runs_by_status ON runs (status, not_before);
CREATE INDEX runs_by_created ON runs (created_at);
CREATE INDEX runs_by_sweep ON runs (sweep_id);
CREATE TABLE run_attempts (
  run_id TEXT NOT NULL REFERENCES runs (id),
  attempt INTEGER NOT NULL,
  worker TEXT,
  started_at BIGINT NOT NULL,
  finished_at BIGINT,
  status TEXT NOT NULL,
  error TEXT,
  PRIMARY KEY (run_id, attempt)
);
CREATE TABLE artifacts (
  run_id TEXT NOT NULL REFERENCES runs (id),
  name TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size BIGINT NOT NULL,
  mime TEXT NOT NULL,
  PRIMARY KEY (run_id, name)
);
CREATE TABLE blobs (
  sha256 TEXT PRIMARY KEY,
  size BIGINT NOT NULL,
  data {{blob}} NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'alert state',
    // One row per notebook that has failed (jobs/alerts.ts): whether it is failing, the fingerprint
    // and time of the last alert sent (deduplication), and what the last delivery came to.
    sql: `
CREATE TABLE alert_state (
  notebook_path TEXT PRIMARY KEY,
  failing INTEGER NOT NULL DEFAULT 0,
  fingerprint TEXT,
  failing_since BIGINT,
  last_sent_at BIGINT,
  last_run_id TEXT,
  last_outcome TEXT,
  suppressed INTEGER NOT NULL DEFAULT 0
);
`,
  },
  {
    version: 3,
    name: 'attempt records',
    // The record of an attempt that failed and was retried (the final attempt's is the run's own):
    // what a flaky scheduled notebook printed the first time is kept, not only its error line.
    sql: `ALTER TABLE run_attempts ADD COLUMN record_sha256 TEXT`,
  },
  {
    version: 4,
    name: 'audit log',
    // The audit log (src/audit/): append-only and hash-chained. `seq` is given by the appender
    // (1, 2, 3… under a lock), `time_ms` is the entry's ISO time in milliseconds, `resource` and
    // `detail` are canonical JSON. The triggers refuse UPDATE, DELETE and TRUNCATE: defense in
    // depth beside the chain, which still finds an entry changed by someone who drops them.
    sql: `
CREATE TABLE audit_log (
  seq BIGINT PRIMARY KEY,
  schema_version INTEGER NOT NULL,
  time_ms BIGINT NOT NULL,
  event TEXT NOT NULL,
  user_id TEXT,
  action TEXT,
  resource TEXT NOT NULL,
  outcome TEXT NOT NULL,
  via TEXT NOT NULL,
  detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_log_by_time ON audit_log (time_ms);
CREATE INDEX audit_log_by_user ON audit_log (user_id, seq);
CREATE INDEX audit_log_by_event ON audit_log (event, seq);
`,
    only: {
      sqlite: [
        `CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: an entry is never updated'); END`,
        `CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: an entry is never deleted'); END`,
      ],
      postgres: [
        `CREATE FUNCTION audit_log_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % is refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$`,
        `CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_refuse()`,
        `CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_refuse()`,
        `CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse()`,
      ],
    },
  },
  {
    version: 5,
    name: 'secrets',
    // The encrypted secret store (secrets/store.ts): one value per name, AES-256-GCM under the
    // master key whose id it records; ciphertext (with its tag) and nonce are base64 text. No value
    // is ever stored in the clear.
    sql: `
CREATE TABLE secrets (
  name TEXT PRIMARY KEY,
  ciphertext TEXT NOT NULL,
  nonce TEXT NOT NULL,
  key_id TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT
);
`,
  },
  {
    version: 6,
    name: 'accounts: users, login sessions, API tokens, failed logins',
    // src/auth/ owns these tables. No secret is stored as it is: a password as its argon2id hash,
    // a session id and an API token as their sha256 (both are 256 random bits, so a fast hash
    // suffices), so a copy of the database logs nobody in. Names are lowercase (one spelling per
    // user). `login_failures` is shared by every server on the database: a subject
    // (`account:NAME` or `address:PREFIX`) with its login attempts in the current window.
    sql: `
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  password_hash TEXT,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE login_sessions (
  id_sha256 TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id),
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  address TEXT
);
CREATE INDEX login_sessions_by_user ON login_sessions (user_id);
CREATE INDEX login_sessions_by_expiry ON login_sessions (expires_at);
CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  token_sha256 TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL REFERENCES users (id),
  scope TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  last_used_at BIGINT,
  revoked_at BIGINT
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);
CREATE TABLE login_failures (
  subject TEXT PRIMARY KEY,
  attempts INTEGER NOT NULL,
  window_start BIGINT NOT NULL
)
`,
  },
  {
    version: 7,
    name: 'grants, user groups, notebook locks',
    // src/auth/grants*.ts owns these. A grant gives a subject (`user` + user id, `group` + group
    // name, `everyone` + '') a level (read | run | edit) on a path: '' the workspace, 'folder/' a
    // folder, 'a/b.nb.md' a notebook (after the workspace's path rules). One grant per subject and
    // path. A lock makes a notebook read-only for everyone until it is removed.
    sql: `
CREATE TABLE user_groups (
  user_id TEXT NOT NULL REFERENCES users (id),
  group_name TEXT NOT NULL,
  PRIMARY KEY (user_id, group_name)
);
CREATE TABLE grants (
  id TEXT PRIMARY KEY,
  subject_kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  path TEXT NOT NULL,
  level TEXT NOT NULL,
  created_by TEXT,
  created_at BIGINT NOT NULL,
  UNIQUE (subject_kind, subject, path)
);
CREATE INDEX grants_by_path ON grants (path);
CREATE TABLE notebook_locks (
  path TEXT PRIMARY KEY,
  locked_by TEXT,
  locked_at BIGINT NOT NULL,
  reason TEXT
)
`,
  },
  {
    version: 8,
    name: 'secret grants',
    // Who may read a stored secret (secrets/grants.ts): a row per grant, `kind` 'path' (a folder
    // ending in "/" or one notebook, workspace-relative) or 'user' (the account's id, not its name:
    // a name freed and taken again must not inherit the grant). A secret without rows is open to
    // every run of the workspace. Rows go with their secret (SecretStore.remove).
    sql: `
CREATE TABLE secret_grants (
  secret_name TEXT NOT NULL,
  kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  created_by TEXT,
  PRIMARY KEY (secret_name, kind, subject)
)
`,
  },
  {
    version: 9,
    name: 'single sign-on and first-admin setup: user identities, OIDC logins in flight, setup tokens',
    // src/auth/ owns these tables. `user_identities` ties an account to one (issuer, subject) of an
    // OpenID provider: the subject is the provider's stable id, never the name, so a user renamed
    // there stays the same account here. `oidc_logins` holds a started login's nonce and PKCE
    // verifier under the sha256 of its state for a few minutes; the callback deletes the row it
    // uses, so a state (and a callback) works once, on whichever server behind a load balancer it
    // lands. `setup_tokens` keeps the sha256 of the one-time URL that creates the first admin.
    sql: `
CREATE TABLE user_identities (
  issuer TEXT NOT NULL,
  subject TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users (id),
  created_at BIGINT NOT NULL,
  last_login_at BIGINT NOT NULL,
  PRIMARY KEY (issuer, subject)
);
CREATE INDEX user_identities_by_user ON user_identities (user_id);
CREATE TABLE oidc_logins (
  state_sha256 TEXT PRIMARY KEY,
  nonce TEXT NOT NULL,
  code_verifier TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE TABLE setup_tokens (
  token_sha256 TEXT PRIMARY KEY,
  expires_at BIGINT NOT NULL
)
`,
  },
  {
    version: 10,
    name: 'run owners and schedule owners',
    // Per-user isolation: a queued or scheduled run carries the user it runs as (`owner_id`, NULL
    // for runs queued by `quire submit` or before this migration), checked again when it starts
    // (auth/run-as.ts). `schedule_owners` records who last saved a notebook's `schedule:` through
    // the server, with the sha256 of that schedule: a schedule changed on disk since (another
    // sha256) has no owner until someone saves it again. The index counts a user's runs in flight
    // (the concurrent-runs quota).
    sql: `
ALTER TABLE runs ADD COLUMN owner_id TEXT;
CREATE INDEX runs_by_owner ON runs (owner_id, status);
CREATE TABLE schedule_owners (
  notebook_path TEXT PRIMARY KEY,
  owner_id TEXT NOT NULL,
  schedule_sha256 TEXT NOT NULL,
  saved_at BIGINT NOT NULL
)
`,
  },
];

const TYPES = {
  sqlite: { blob: 'BLOB', real: 'REAL' },
  postgres: { blob: 'BYTEA', real: 'DOUBLE PRECISION' },
} as const;

const fill = (sql: string, dialect: Db['dialect']): string =>
  sql.replace(/\{\{(\w+)\}\}/g, (_, name: keyof (typeof TYPES)['sqlite']) => TYPES[dialect][name]);

const statements = (sql: string): string[] =>
  sql
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);

/** Applies the migrations `db` lacks; returns the versions applied. */
export async function migrate(db: Db): Promise<number[]> {
  if (db.dialect === 'postgres') await db.run(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`).catch(ignoreRace);
  return db.transaction(async (tx) => {
    // One migrator at a time across processes: an advisory lock on PostgreSQL, BEGIN IMMEDIATE's
    // write lock on SQLite.
    if (tx.dialect === 'postgres') await tx.all('SELECT pg_advisory_xact_lock(7242100)');
    await tx.run(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
    const done = new Set(
      (await tx.all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) =>
        Number(r.version),
      ),
    );
    const newest = Math.max(0, ...done);
    // The list is checked to be 1, 2, 3… in order (tests/unit/store/migrations.test.ts); the
    // newest is still taken as the largest, not the last, so that a list merged out of order
    // cannot make a current store look newer than this quire.
    const known = Math.max(0, ...MIGRATIONS.map((m) => m.version));
    if (newest > known) {
      throw new Error(
        `the store ${db.label} has schema version ${newest}, newer than this quire knows (${known}): upgrade quire`,
      );
    }
    const applied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      for (const statement of statements(fill(migration.sql, tx.dialect))) await tx.run(statement);
      for (const statement of migration.only?.[tx.dialect] ?? []) await tx.run(statement);
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        migration.version,
        migration.name,
        Date.now(),
      ]);
      applied.push(migration.version);
    }
    return applied;
  });
}

/** Two processes creating the schema at once: the loser's "already exists" is not an error. */
function ignoreRace(error: unknown): void {
  const code = (error as { code?: string }).code;
  if (code !== '23505' && code !== '42P06') throw error;
}
