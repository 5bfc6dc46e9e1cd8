/**
 * Where secret values come from. A run asks its source for each name a cell declares (statically,
 * see analysis/secrets.ts) before the cell starts. Today the only source is the host's environment;
 * the encrypted store with users and grants will implement the same interface.
 *
 * Must not: hand values to anything but the session (which registers them with the redactor first).
 */

/** A place secret values are looked up by name. */
export interface SecretSource {
  /** the value of the secret `name`, or undefined when it is not set (an empty value counts as not set) */
  get(name: string): string | undefined;
  /** where `get` looked, for error messages: "environment variable QUIRE_SECRET_API_KEY" */
  describe(name: string): string;
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
