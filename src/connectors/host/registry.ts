/**
 * The host's named connections: loaded from the workspace config, each pool opened on first use
 * (a notebook that never touches the warehouse never connects, and a missing env var only fails
 * the cells that need it). Answers the kernel's ConnectionQuery messages.
 *
 * A `urlSecret` URL is read from the run's secrets (ConnectionSecrets: the run's scoped source, so
 * the secret's grants apply to the connection too) when the connection opens, and registered with
 * the run's redactor with its password; an `urlEnv` URL is registered too. The kernel gets the
 * error text of a failed query, so it passes the redactor first: a driver's message that quotes
 * the URL must not hand the credential to user code.
 *
 * Must not: send a URL, or an error that holds one unredacted, toward the kernel.
 */
import { connectionUrl, loadWorkspaceConfig, type ConnectionConfig } from './config.js';
import { PostgresConnection, type QueryResult } from './postgres.js';

/** What a run lends its connections: where `urlSecret` is read, and where the credential is registered. */
export interface ConnectionSecrets {
  /**
   * the run's source (scoped to its notebook and user): the environment, then the store. The shape
   * of secrets/source.ts's SecretSource, spelled out: connectors sit below secrets (scripts/layers.mjs).
   */
  source: {
    get(name: string): string | undefined;
    describe(name: string): string;
    prepare?(names: readonly string[]): Promise<void>;
  };
  /** the run's redactor: every output, record and error the run keeps passes it */
  redactor: { register(value: string): void; redact(text: string): string };
}

export class ConnectionRegistry {
  readonly #configs: Record<string, ConnectionConfig>;
  readonly #open = new Map<string, Promise<PostgresConnection>>();
  readonly #env: NodeJS.ProcessEnv;
  #secrets: ConnectionSecrets | undefined;

  constructor(
    configs: Record<string, ConnectionConfig>,
    env: NodeJS.ProcessEnv = process.env,
    secrets?: ConnectionSecrets,
  ) {
    this.#configs = configs;
    this.#env = env;
    this.#secrets = secrets;
  }

  static async load(
    workspace: string,
    env: NodeJS.ProcessEnv = process.env,
    secrets?: ConnectionSecrets,
  ): Promise<ConnectionRegistry> {
    return new ConnectionRegistry(loadWorkspaceConfig(workspace).connections, env, secrets);
  }

  /**
   * The run's secrets, for a registry loaded before the run's assembly (runner/run.ts): no query
   * reaches it before a cell runs, and a `urlSecret` connection opened without them is refused.
   */
  useSecrets(secrets: ConnectionSecrets): void {
    this.#secrets = secrets;
  }

  /** The configured connection names. */
  get names(): string[] {
    return Object.keys(this.#configs);
  }

  async query(connection: string, sql: string, parameters: unknown[]): Promise<QueryResult> {
    try {
      return await (await this.#connection(connection)).query(sql, parameters);
    } catch (error) {
      throw this.#redacted(error);
    }
  }

  async close(): Promise<void> {
    const open = [...this.#open.values()];
    this.#open.clear();
    await Promise.all(open.map(async (c) => (await c.catch(() => undefined))?.close()));
  }

  #connection(name: string): Promise<PostgresConnection> {
    const existing = this.#open.get(name);
    if (existing) return existing;
    const config = Object.hasOwn(this.#configs, name) ? this.#configs[name] : undefined;
    if (!config) {
      const known = this.names.length ? this.names.join(', ') : 'none configured';
      return Promise.reject(new Error(`unknown connection "${name}" (known: ${known})`));
    }
    const opening = this.#url(name, config).then((url) => new PostgresConnection(url));
    this.#open.set(name, opening);
    // A URL that could not be read (a refused or missing secret) is asked again by the next query.
    opening.catch(() => this.#open.get(name) === opening && this.#open.delete(name));
    return opening;
  }

  async #url(name: string, config: ConnectionConfig): Promise<string> {
    if (config.urlSecret === undefined) {
      const url = connectionUrl(name, config, this.#env);
      if (config.urlEnv !== undefined) this.#register(url);
      return url;
    }
    const secret = config.urlSecret;
    const secrets = this.#secrets;
    if (!secrets)
      throw new Error(`connection "${name}": its URL is the secret "${secret}", and this run has no secrets`);
    await secrets.source.prepare?.([secret]);
    // A refusal (the secret's grants do not cover this run) throws here, naming the secret.
    const url = secrets.source.get(secret);
    if (url === undefined)
      throw new Error(
        `connection "${name}": secret "${secret}" is not set (${secrets.source.describe(secret)})`,
      );
    this.#register(url);
    return url;
  }

  /** The URL and the password in it, as written and decoded: drivers quote either. */
  #register(url: string): void {
    const redactor = this.#secrets?.redactor;
    if (!redactor) return;
    redactor.register(url);
    for (const password of urlPasswords(url)) redactor.register(password);
  }

  #redacted(error: unknown): Error {
    const redactor = this.#secrets?.redactor;
    const message = error instanceof Error ? error.message : String(error);
    if (!redactor) return error instanceof Error ? error : new Error(message);
    const redacted = new Error(redactor.redact(message));
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string') Object.assign(redacted, { code });
    return redacted;
  }
}

/**
 * The passwords in a connection URL (its userinfo, a `password=` parameter), each as written and
 * decoded; none without one.
 */
export function urlPasswords(url: string): string[] {
  const found = new Set<string>();
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/[^/?#@]*?:([^/?#@]*)@/i.exec(url)?.[1];
  const parameters = [...url.matchAll(/[?&]password=([^&#]*)/gi)].map((m) => m[1]);
  for (const raw of [userinfo, ...parameters]) {
    if (!raw) continue;
    found.add(raw);
    try {
      found.add(decodeURIComponent(raw.replace(/\+/g, ' ')));
      found.add(decodeURIComponent(raw));
    } catch {
      // a malformed escape: the raw form is all there is
    }
  }
  return [...found].filter((p) => p !== '');
}
