/**
 * Where secret values come from. A run asks its source for each name a cell declares (statically,
 * see analysis/secrets.ts) before the cell starts. Two sources exist: the host's environment
 * (here) and the encrypted secret store (store-source.ts); the edges combine them with
 * `CompositeSecretSource`, the environment first.
 *
 * A stored secret may be granted to paths and users (grants.ts): a run's source is the host's
 * source `forRun` its notebook and user (`scopeSecrets`), and refuses what is not granted to them.
 * The environment's secrets are the host owner's, set for the whole process: no grant limits them.
 *
 * Must not: hand values to anything but the session (which registers them with the redactor first).
 */
import type { SecretScope } from './grants.js';

/**
 * Who a value is read for: the cell (the engine says which), and the run or editor session around
 * it (the runner or the session adds that). The audit log's `secret.read` is made of it
 * (audit/secret-reads.ts); a `get` without one (a check that a name is set) is no cell's read.
 */
export interface SecretReader {
  cellId: string;
  /** the engine's count of executions: a cell run twice in one session reads twice */
  execution?: number;
  runId?: string;
  /** an editor session's id */
  session?: string;
  /** the notebook's workspace path */
  path?: string;
  /** the quire user who asked for the run (an editor's), when one did */
  user?: string | null;
}

/** A place secret values are looked up by name. */
export interface SecretSource {
  /** the value of the secret `name`, or undefined when it is not set (an empty value counts as not set) */
  get(name: string, reader?: SecretReader): string | undefined;
  /** where the value `get` last gave for `name` came from: `env`, `store` (for the audit log) */
  originOf?(name: string): string | undefined;
  /** where `get` looked, for error messages: "environment variable QUIRE_SECRET_API_KEY" */
  describe(name: string): string;
  /**
   * Fetches ahead what `get` will be asked for, for a source that cannot answer synchronously on
   * its own (the store): a run awaits it with every name its cells name before the first cell
   * starts. It never rejects: a failure is reported by `get` for the names it concerns.
   */
  prepare?(names: readonly string[]): Promise<void>;
  /**
   * This source as one run sees it (its notebook, its user): its `get` throws SecretRefusedError
   * for a stored secret whose grants do not cover the run. A source without grants has no `forRun`.
   */
  forRun?(scope: SecretScope): SecretSource;
}

/** `source` for the run in `scope` (itself when it knows no grants). */
export const scopeSecrets = (source: SecretSource, scope: SecretScope): SecretSource =>
  source.forRun?.(scope) ?? source;

/**
 * Several sources, asked in order: the first that has the name answers. `describe` names them all
 * (the message of a secret none of them has).
 */
export class CompositeSecretSource implements SecretSource {
  /** which source gave each name last (`originOf`) */
  private readonly answered = new Map<string, SecretSource>();

  constructor(readonly sources: readonly SecretSource[]) {}

  get(name: string, reader?: SecretReader): string | undefined {
    for (const source of this.sources) {
      const value = source.get(name, reader);
      if (value !== undefined) {
        this.answered.set(name, source);
        return value;
      }
    }
    return undefined;
  }

  originOf(name: string): string | undefined {
    return this.answered.get(name)?.originOf?.(name);
  }

  describe(name: string): string {
    return this.sources.map((s) => s.describe(name)).join(' or ');
  }

  forRun(scope: SecretScope): CompositeSecretSource {
    return new CompositeSecretSource(this.sources.map((s) => scopeSecrets(s, scope)));
  }

  /** Each source prepares the names no source before it has (those it would be asked for). */
  async prepare(names: readonly string[]): Promise<void> {
    let left = names;
    for (const [i, source] of this.sources.entries()) {
      if (left.length === 0) return;
      await source.prepare?.(left);
      if (i === this.sources.length - 1) return;
      // a name whose lookup fails is that source's to report: later ones are not asked for it
      left = left.filter((name) => {
        try {
          return source.get(name) === undefined;
        } catch {
          return false;
        }
      });
    }
  }
}

/** The environment variable that holds the secret `name`: upper-cased, every non-alphanumeric char -> `_`. */
export function secretEnvVar(name: string): string {
  return `QUIRE_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/**
 * Secrets from the host's environment (`QUIRE_SECRET_<NAME>`). The kernel never sees these
 * variables: its environment is an allowlist (kernel/host.ts).
 */
export class EnvSecretSource implements SecretSource {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  get(name: string): string | undefined {
    const value = this.env[secretEnvVar(name)];
    return value === undefined || value === '' ? undefined : value;
  }

  describe(name: string): string {
    return `environment variable ${secretEnvVar(name)}`;
  }

  originOf(): string {
    return 'env';
  }
}

/** A cell named a secret that its source does not have; the cell fails without running. */
export class MissingSecretError extends Error {
  override readonly name = 'SecretError';
  constructor(
    readonly secret: string,
    where: string,
  ) {
    super(`secret "${secret}" is not set (${where})`);
  }
}

/**
 * A stored secret the run may not read (grants.ts): the cell fails without running, and the
 * message names the secret and the check that failed, never the value (which was not opened).
 */
export class SecretRefusedError extends Error {
  override readonly name = 'SecretError';
  constructor(
    readonly secret: string,
    reason: string,
  ) {
    super(reason);
  }
}
