/**
 * Starts `quire serve`'s HTTP server: binds the app to host:port (127.0.0.1 and a random port by
 * default), fixes the server's identity (origins, cookie name) from the bound address, and
 * returns the login token. The workspace is the folder given, exactly: the CLI decides it, and
 * the server never widens it to an ancestor.
 */
import { realpathSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { Accounts } from '../auth/accounts.js';
import { AccountLogins, ServerLogins, TokenLogins } from './account-logins.js';
import { relative, sep } from 'node:path';
import { fileAccessOf, memoPerRules } from '../auth/file-access.js';
import { AccessRulesSnapshot } from '../auth/grants-snapshot.js';
import { resolveInWorkspace } from './paths.js';
import { OidcLogins } from '../auth/oidc.js';
import { clientSecretOf, loadOidcSettings, OidcConfigError, type OidcSettings } from '../auth/oidc-config.js';
import { createSetupToken } from '../auth/setup.js';
import { SecretStore } from '../secrets/store.js';
import { MasterKeys, keyFilePath } from '../secrets/master-key.js';
import {
  authorizeByAccount,
  authorizeOwnerWith,
  cachedCanonical,
  ownOrigins,
  sessionCookieName,
  type Action,
  type Authorize,
  type Resource,
  type User,
} from './auth.js';
import { createApp } from './app.js';
import type { ServerIdentity } from './deps.js';
import { fanOutSink, logEventSink, type EventSink, type GateEvent } from './events.js';
import { ScheduleEvents } from './schedule-events.js';
import { WorkspaceFiles } from './workspace-files.js';
import { NotebookSessions } from './notebook-sessions.js';
import { attachWebSockets } from './ws.js';
import { spawnKernel } from '../kernel/factory.js';
import { isProcessAlive } from '../shared/process-alive.js';
import type { KernelFactory } from '../kernel/types.js';
import type { SecretSource } from '../secrets/source.js';
import { hostSecretSource } from '../secrets/store-source.js';
import { openStore } from '../store/open.js';
import type { RunStore } from '../store/run-store.js';
import { QuireMetrics } from '../metrics/registry.js';
import { resolveMetricsToken } from '../metrics/token.js';
import { createLogger } from '../metrics/log.js';
import { startServerJobs, type ServerJobs } from './server-jobs.js';
import { AuditLog } from '../audit/log.js';
import { AuditWriter } from '../audit/writer.js';
import { loadQuotas, loadServerOrigins, type Quotas } from '../connectors/host/config.js';
import { recordScheduleSave } from '../jobs/schedule-owner.js';
import { auditSecretReads, secretReadEvent } from '../audit/secret-reads.js';
import { envSecretRedactor } from '../audit/secret-values.js';

export interface ServerOptions {
  workspace: string;
  /** 0 (default) picks a free port */
  port?: number;
  /** default 127.0.0.1: only this machine can connect */
  host?: string;
  /**
   * allowed origins besides the bound address, e.g. a reverse proxy's public URL, exactly as a
   * browser writes them (shared/origin.ts); added to `server.origins` of quire.config.json
   */
  origins?: string[];
  /** the login token of single-user mode (default: random) */
  token?: string;
  /**
   * run with accounts even while the store has no user (`quire serve --accounts`): a one-time
   * setup URL creates the first admin. Single sign-on configured implies it.
   */
  accounts?: boolean;
  /** single sign-on (default: `auth.oidc` of the workspace's quire.config.json; false: none) */
  oidc?: OidcSettings | false;
  /** without users: how often the store is checked for the first one (default 1 s) */
  accountsPollMs?: number;
  /**
   * default: the owner may do everything but edit a locked notebook (single-user); the role
   * baseline narrowed by grants and locks (accounts)
   */
  authorize?: Authorize;
  /** how often the grants, groups and locks are reloaded from the store (default 1 s) */
  rulesTtlMs?: number;
  /** where the gate's events go (default: the audit log in the store, and the server's JSON log on stderr) */
  events?: EventSink;
  logError?: (error: unknown) => void;
  /** an editor session's kernel stops after this long without a run (default 10 min) */
  idleKernelMs?: number;
  /** how often notebooks are polled for changes on disk (default 1 s) */
  watchIntervalMs?: number;
  /** the process's metrics, when something else (the jobs pool) shares them; default: new ones */
  metrics?: QuireMetrics;
  /** per-user quotas in place of `quotas` of quire.config.json (`quire serve --runs-per-user`) */
  quotas?: Partial<Record<keyof Quotas, number>>;
  /** `/metrics` needs this bearer token (default: QUIRE_METRICS_TOKEN or quire.config.json) */
  metricsToken?: string;
  /** the run store: a PostgreSQL or SQLite URL as `--db` takes (default: QUIRE_DB, else `.quire/quire.db`) */
  db?: string;
  /**
   * Queued runs and schedules (default on): runs this server executes at once, a cap across every
   * process sharing the store, whether schedules fire. `false`: the editor only.
   */
  jobs?: false | { concurrency?: number; globalCap?: number; schedules?: boolean };
  /** on close, how long runs in flight may finish before they are handed back (default 30 s) */
  graceMs?: number;
  /** makes the kernels of editor sessions and queued runs (default: child-process kernels) */
  kernels?: KernelFactory;
  /**
   * where cells' secrets come from (default: the server's environment, `QUIRE_SECRET_<NAME>`, then
   * the secret store, read as each cell that names one starts)
   */
  secrets?: SecretSource;
}

export interface RunningServer {
  /** `http://host:port` */
  url: string;
  /** the workspace's real path: the folder served, and all that its kernels may read */
  workspace: string;
  /**
   * `token`: no user in the store, whoever opens the printed URL (with its token) is the owner;
   * `accounts`: the store has users, who log in with a name and password (or an API token)
   */
  mode: 'token' | 'accounts';
  /** single-user mode's login token ('' in accounts mode) */
  token: string;
  /** accounts mode without users: the one-time URL that creates the first admin */
  setupUrl?: string;
  /** the URL to print: the token's (opening it logs the browser in), or the login form's */
  loginUrl: string;
  files: WorkspaceFiles;
  /** the editor sessions, one per open notebook */
  notebooks: NotebookSessions;
  /** served at `/metrics`; the jobs code reports runs, alerts and the queue depth here */
  metrics: QuireMetrics;
  /** the run history: `quire run`'s runs and the editor's Run all (closed by `close`) */
  store: RunStore;
  /** the audit log in the store (written by the default events sink) */
  audit: AuditLog;
  /** this server's copy of the grants, groups and locks; `refresh()` after changing them */
  accessRules: AccessRulesSnapshot;
  /** the queued runs and schedules this server executes (undefined with `jobs: false`) */
  jobs: ServerJobs | undefined;
  /** closes sockets and connections, shuts every session's kernel down, then closes the store */
  close(): Promise<void>;
}

/** `quire.config.json` of the workspace asks for something the server cannot do (a token variable unset). */
export class WorkspaceConfigError extends Error {
  override readonly name = 'WorkspaceConfigError';
}

/** `load` of the workspace's config; an invalid key stops the start. */
function fromConfig<T>(load: (workspace: string) => T, workspace: string): T {
  try {
    return load(workspace);
  } catch (error) {
    throw new WorkspaceConfigError((error as Error).message, { cause: error });
  }
}

/**
 * The workspace's quotas with the command line's in their place (the file is still validated), the
 * unlimited ones left out.
 */
function definedQuotas(workspace: string, given: ServerOptions['quotas'] = {}): Partial<Quotas> {
  const defined = (quotas: Partial<Quotas>) => Object.entries(quotas).filter(([, v]) => v !== undefined);
  return Object.fromEntries([...defined(fromConfig(loadQuotas, workspace)), ...defined(given)]);
}

const urlHost = (host: string): string => (host.includes(':') ? `[${host}]` : host);

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const workspace = realpathSync(options.workspace);
  if (!statSync(workspace).isDirectory()) throw new Error(`workspace ${workspace} is not a folder`);
  const host = options.host ?? '127.0.0.1';
  const files = new WorkspaceFiles(workspace);
  // A JSON line on stderr (docs/operations.md#logs); stdout keeps the login URL for people.
  const log = createLogger({ base: { component: 'serve' } });
  const logError = options.logError ?? ((error: unknown) => log.error('unexpected error', { err: error }));
  const metrics = options.metrics ?? new QuireMetrics({ onGaugeError: (_gauge, error) => logError(error) });
  let metricsToken: string | undefined;
  try {
    metricsToken = options.metricsToken ?? resolveMetricsToken({ workspace });
  } catch (error) {
    throw new WorkspaceConfigError((error as Error).message, { cause: error });
  }
  // The edge: the one place a server chooses its kernels and its secrets.
  const kernels = options.kernels ?? spawnKernel;
  const store = await openStore({ ...(options.db ? { url: options.db } : {}), workspace });
  // Every audit entry and `audit` log line passes this: the environment's secrets, and every
  // value this server's runs and sessions were given (registered as they read it).
  const auditRedactor = envSecretRedactor();
  const audit = new AuditLog(store.db, { redactor: auditRedactor });
  // By default every event goes to the audit log (written in the background, flushed on close)
  // and, as before, to the JSON log as an `audit` line (docs/security.md#audit-log).
  const auditWriter = options.events ? undefined : new AuditWriter(audit, log);
  // A save, delete or change on disk that touches a notebook's `schedule:` adds `schedule.changed`.
  const schedules = new ScheduleEvents(
    files,
    options.events ?? fanOutSink(logEventSink(log, auditRedactor), auditWriter!),
    logError,
    options.watchIntervalMs !== undefined ? { watchIntervalMs: options.watchIntervalMs } : {},
  );
  const events = schedules.sink;
  // Each value a cell is given is a `secret.read` (an editor's session: `ws`; a queued run: `queue`).
  const secrets = auditSecretReads(
    options.secrets ?? hostSecretSource(store.db, workspace).source,
    (read) => events.emit(secretReadEvent(read, read.session ? 'ws' : 'queue') as GateEvent),
    auditRedactor,
  );
  let serverJobs: ServerJobs | undefined;
  // Grants and locks are matched against a notebook's real path: a symlinked folder is no way
  // around them. Looked up once per path between two reloads of the rules.
  const canonical = cachedCanonical((path) => {
    try {
      return relative(workspace, resolveInWorkspace(workspace, path).absolute).split(sep).join('/');
    } catch {
      return path;
    }
  });
  // Set once the sessions exist: each reload of the rules asks them whether a kernel's view of
  // the workspace is still its user's.
  const afterRulesLoad: { recheck?: () => void } = {};
  const accessRules = new AccessRulesSnapshot(store.db, {
    ...(options.rulesTtlMs !== undefined ? { ttlMs: options.rulesTtlMs } : {}),
    logError,
    onLoad: () => {
      canonical.clear();
      afterRulesLoad.recheck?.();
    },
  });
  let logins: ServerLogins;
  let oidc: OidcLogins | undefined;
  let setupToken: string | undefined;
  const redirect: { uri?: string } = {};
  let oidcSettings: OidcSettings | undefined;
  let quotas: Partial<Quotas>;
  let origins: string[];
  try {
    await accessRules.start();
    oidcSettings = options.oidc === undefined ? loadOidcSettings(workspace) : options.oidc || undefined;
    const accounts = new Accounts(store.db);
    // Accounts mode when the store has a user, or when asked for; else single-user until the
    // store has one (ServerLogins turns then, without a restart).
    const users = (await accounts.countUsers()).users;
    const asked = options.accounts === true || oidcSettings !== undefined;
    logins = new ServerLogins(
      accounts,
      users > 0 || asked ? new AccountLogins(accounts) : new TokenLogins(options.token),
      (ended) => log.info('the store has users now: accounts mode; single-user logins ended', { ended }),
    );
    if (users === 0 && asked) setupToken = await createSetupToken(store.db, Date.now());
    if (oidcSettings) {
      const clientSecret = await clientSecretOf(oidcSettings, process.env, (name) =>
        new SecretStore(store.db, new MasterKeys({ file: keyFilePath(workspace), env: process.env })).get(
          name,
        ),
      );
      oidc = new OidcLogins({
        settings: oidcSettings,
        clientSecret,
        redirectUri: () => {
          if (!redirect.uri) throw new Error('the server is not listening yet');
          return redirect.uri;
        },
        db: store.db,
        policy: accounts.policy,
      });
    }
    // Per-user quotas hold for accounts; the single user of token mode has none (NotebookSessions
    // and the run service skip the owner), also when the server turns to accounts later.
    quotas = definedQuotas(workspace, options.quotas);
    // A provider sends browsers back to the public origin: saves from there must pass the checks too.
    const publicOrigin = oidcSettings?.publicOrigin ? [new URL(oidcSettings.publicOrigin).origin] : [];
    origins = [...fromConfig(loadServerOrigins, workspace), ...publicOrigin, ...(options.origins ?? [])];
    // Runs of a server on this machine killed mid-run go back to the queue before the pool starts.
    await store.reapDeadLocal(hostname(), isProcessAlive);
    const dbUrl = options.db ?? process.env.QUIRE_DB;
    serverJobs =
      options.jobs === false
        ? undefined
        : await startServerJobs({
            store,
            ...(dbUrl && store.db.dialect === 'postgres' ? { dbUrl } : {}),
            workspace,
            files,
            metrics,
            log,
            kernels,
            secrets,
            events,
            ...(quotas.runsPerUser !== undefined ? { runsPerUser: quotas.runsPerUser } : {}),
            ...options.jobs,
          });
  } catch (error) {
    accessRules.stop();
    await schedules.stop();
    await store.close().catch(() => undefined);
    if (error instanceof OidcConfigError) throw new WorkspaceConfigError(error.message, { cause: error });
    throw error;
  }
  // Set once the port is known; the app reads it per request.
  const bound: { identity?: ServerIdentity } = {};
  const rules = () => accessRules.current();
  // Each user's sessions ask once per reload of the rules for the same answer: kept per snapshot.
  const fileAccessMemo = memoPerRules(fileAccessOf);
  // The owner (single-user) has no role; an account always has one. Decided by the mode in force
  // (a server started without users turns to accounts when the first one is added).
  const byAccount = authorizeByAccount(rules, canonical);
  const byOwner = authorizeOwnerWith(rules, canonical);
  const authorize: Authorize =
    options.authorize ??
    Object.assign(
      (user: User, action: Action, resource: Resource) =>
        (logins.current.mode === 'accounts' ? byAccount : byOwner)(user, action, resource),
      { locked: byAccount.locked },
    );
  const app = createApp({
    files,
    get logins() {
      return logins.current;
    },
    ...(oidc ? { oidc } : {}),
    authorize,
    identity: () => {
      if (!bound.identity) throw new Error('the server is not listening yet');
      return bound.identity;
    },
    logError,
    events,
    metrics,
    metricsToken,
    store,
    audit: { log: audit, flush: async () => auditWriter?.flush() },
    ...(serverJobs ? { jobs: serverJobs.jobs.service } : {}),
  });

  let server: Server;
  try {
    server = await new Promise<Server>((resolve, reject) => {
      const created = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: host }, () =>
        resolve(created as Server),
      ) as Server;
      created.once('error', reject);
    });
  } catch (error) {
    await serverJobs?.stop(0).catch(() => undefined);
    accessRules.stop();
    await schedules.stop();
    await store.close().catch(() => undefined);
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  bound.identity = { origins: ownOrigins(host, port, origins), cookieName: sessionCookieName(port) };
  const url = `http://${urlHost(host)}:${port}`;
  // The provider sends browsers back to this server's own origin (or its proxy's, when configured).
  redirect.uri = `${oidcSettings?.publicOrigin?.replace(/\/$/, '') ?? url}/login/oidc/callback`;
  logins.watch(options.accountsPollMs ?? 1000, logError);
  const notebooks = new NotebookSessions(files, {
    ...(options.idleKernelMs !== undefined ? { idleKernelMs: options.idleKernelMs } : {}),
    ...(options.watchIntervalMs !== undefined ? { watchIntervalMs: options.watchIntervalMs } : {}),
    logError,
    metrics,
    kernels,
    secrets,
    recordRuns: { store, logError },
    onSaved: ({ path, text, user }) => recordScheduleSave(store, path, text, user.id),
    // An account's kernels read what its grants give it (the single-user owner reads everything).
    fileAccess: (user) => (logins.current.mode === 'accounts' ? fileAccessMemo(rules(), user) : undefined),
    locked: (path) => authorize.locked?.(path) ?? false,
    ...(quotas.kernelsPerUser !== undefined ? { kernelsPerUser: quotas.kernelsPerUser } : {}),
  });
  afterRulesLoad.recheck = () => void notebooks.rulesReloaded().catch(logError);
  metrics.setGauges({
    sessions: async () => (await notebooks.list()).length,
    kernels: async () =>
      (await notebooks.list()).filter((s) => s.kernelPid !== undefined).length +
      (serverJobs?.jobs.service.executor.inFlight.size ?? 0),
    ...(serverJobs ? { queueDepth: () => serverJobs.jobs.queue.depth() } : {}),
  });
  const sockets = attachWebSockets(server, {
    get logins() {
      return logins.current;
    },
    authorize,
    identity: () => bound.identity!,
    notebooks,
    files,
    events,
    logError,
  });

  return {
    url,
    workspace,
    get mode() {
      return logins.current.mode;
    },
    get token() {
      const current = logins.current;
      return current.mode === 'token' ? current.token : '';
    },
    get loginUrl() {
      const current = logins.current;
      return current.mode === 'token'
        ? `${url}/login?token=${encodeURIComponent(current.token)}`
        : `${url}/login`;
    },
    ...(setupToken ? { setupUrl: `${url}/setup?token=${setupToken}` } : {}),
    files,
    notebooks,
    metrics,
    store,
    audit,
    accessRules,
    jobs: serverJobs,
    close: async () => {
      const closed = new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      logins.stop();
      await sockets.close();
      // The sessions first: a Run all cut short is recorded as ended before the store closes.
      await notebooks.close();
      await serverJobs?.stop(options.graceMs ?? 30_000);
      // Every event emitted so far is in the audit log before its store closes.
      await schedules.stop();
      await auditWriter?.flush();
      accessRules.stop();
      await store.close();
      await closed;
    },
  };
}
