/**
 * The host's named connections: loaded from the workspace config, each pool opened on first use
 * (a notebook that never touches the warehouse never connects, and a missing env var only fails
 * the cells that need it). Answers the kernel's ConnectionQuery messages.
 */
import { connectionUrl, loadWorkspaceConfig, type ConnectionConfig } from './config.js';
import { PostgresConnection, type QueryResult } from './postgres.js';

export class ConnectionRegistry {
  readonly #configs: Record<string, ConnectionConfig>;
  readonly #open = new Map<string, PostgresConnection>();
  readonly #env: NodeJS.ProcessEnv;

  constructor(configs: Record<string, ConnectionConfig>, env: NodeJS.ProcessEnv = process.env) {
    this.#configs = configs;
    this.#env = env;
  }

  static async load(workspace: string, env: NodeJS.ProcessEnv = process.env): Promise<ConnectionRegistry> {
    return new ConnectionRegistry(loadWorkspaceConfig(workspace).connections, env);
  }

  /** The configured connection names. */
  get names(): string[] {
    return Object.keys(this.#configs);
  }

  async query(connection: string, sql: string, parameters: unknown[]): Promise<QueryResult> {
    return this.#connection(connection).query(sql, parameters);
  }

  async close(): Promise<void> {
    const open = [...this.#open.values()];
    this.#open.clear();
    await Promise.all(open.map((c) => c.close()));
  }

  #connection(name: string): PostgresConnection {
    const existing = this.#open.get(name);
    if (existing) return existing;
    const config = Object.hasOwn(this.#configs, name) ? this.#configs[name] : undefined;
    if (!config) {
      const known = this.names.length ? this.names.join(', ') : 'none configured';
      throw new Error(`unknown connection "${name}" (known: ${known})`);
    }
    const opened = new PostgresConnection(connectionUrl(name, config, this.#env));
    this.#open.set(name, opened);
    return opened;
  }
}
