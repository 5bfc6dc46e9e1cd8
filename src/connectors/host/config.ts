/**
 * The workspace config `quire.config.json` (its `connections`, `network`, `quotas` and `server`
 * here). A connection's URL comes from the secret store (`urlSecret`: read by the host when the
 * connection opens, under the run's grants), an environment variable (`urlEnv`) or the file
 * (`url`), never from a notebook: the first two keep the credential out of the repository.
 * `network.allow` lists the hosts kernels may reach through the host's egress proxy
 * (src/kernel/egress/allowlist.ts has the entry syntax); without it a kernel has no network.
 * Errors name the file and the field path.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parseAllowEntry } from '../../kernel/egress/allowlist.js';
import { parseOrigin } from '../../shared/origin.js';

export const CONFIG_FILE = 'quire.config.json';

const PostgresConfig = z
  .object({
    type: z.literal('postgres'),
    url: z.string().min(1).optional(),
    urlEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
      .optional(),
    /** a secret's name (secrets/store.ts SECRET_NAME): the environment's QUIRE_SECRET_<NAME>, else the store */
    urlSecret: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,128}$/, 'must be a secret name')
      .optional(),
  })
  .strict()
  .refine((c) => [c.url, c.urlEnv, c.urlSecret].filter((v) => v !== undefined).length === 1, {
    message: 'set exactly one of "url", "urlEnv" or "urlSecret"',
  });

const AllowEntry = z.string().superRefine((text, context) => {
  const entry = parseAllowEntry(text);
  if (typeof entry === 'string') context.addIssue({ code: 'custom', message: entry });
});

const NetworkConfig = z
  .object({
    /** hosts kernels may reach: `api.example.com`, `*.example.com`, `10.1.2.3:8443`, `[fd00::1]:*`, … */
    allow: z.array(AllowEntry),
  })
  .strict();

// ---- quotas (accounts mode): what one user may hold at once ------------------------------------

const quota = z
  .number()
  .int('must be a whole number')
  .min(1, 'must be at least 1 (null: no limit)')
  .max(10_000)
  .nullable()
  .optional();

/**
 * `quotas`: per user, in accounts mode. `kernelsPerUser`: notebooks a user holds open with a kernel
 * (default 4); `runsPerUser`: runs a user has queued or running (default 4). `null`: no limit.
 */
const QuotasConfig = z
  .object({
    kernelsPerUser: quota,
    runsPerUser: quota,
  })
  .strict();

export const DEFAULT_QUOTAS = { kernelsPerUser: 4, runsPerUser: 4 } as const;

/** The quotas in force (undefined: no limit). */
export interface Quotas {
  kernelsPerUser: number | undefined;
  runsPerUser: number | undefined;
}

// ---- server: how `quire serve` is reached -------------------------------------------------------

const OriginEntry = z.string().transform((text, context) => {
  const parsed = parseOrigin(text);
  if ('error' in parsed) {
    context.addIssue({ code: 'custom', message: parsed.error });
    return z.NEVER;
  }
  return parsed.origin;
});

/**
 * `server.origins`: origins browsers reach `quire serve` at besides its bound address (a reverse
 * proxy's public URL, a DNS name of a server bound to 0.0.0.0), normalized as a browser writes them.
 */
const ServerConfig = z
  .object({
    origins: z.array(OriginEntry).optional(),
  })
  .strict();

const WorkspaceConfig = z
  .object({
    connections: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'invalid connection name'), PostgresConfig)
      .default({}),
    network: NetworkConfig.optional(),
    quotas: QuotasConfig.optional(),
    server: ServerConfig.optional(),
  })
  .passthrough();

export type ConnectionConfig = z.infer<typeof PostgresConfig>;
export type NetworkConfig = z.infer<typeof NetworkConfig>;
export type WorkspaceConfig = z.infer<typeof WorkspaceConfig>;

/** Reads and validates `<workspace>/quire.config.json`; a missing file is an empty config. */
export function loadWorkspaceConfig(workspace: string): WorkspaceConfig {
  const file = path.join(workspace, CONFIG_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { connections: {} };
    throw error;
  }
  return parseWorkspaceConfig(text, file);
}

/** Parses config text; `file` is only used in messages. */
export function parseWorkspaceConfig(text: string, file: string): WorkspaceConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: invalid JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = WorkspaceConfig.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`,
    );
    throw new Error(`${file}: ${issues.join('; ')}`);
  }
  return parsed.data;
}

/**
 * The egress allowlist kernels get, or undefined when the workspace opens no egress (no `network`
 * key, or an empty `allow`): then a kernel is started without the proxy and without the client side.
 */
export function egressAllowList(config: WorkspaceConfig): string[] | undefined {
  const allow = config.network?.allow;
  return allow && allow.length > 0 ? allow : undefined;
}

/**
 * The URL of a `url` or `urlEnv` connection; a missing environment variable names the connection
 * and the variable. A `urlSecret` one is the registry's to resolve (it needs the run's secrets).
 */
export function connectionUrl(
  name: string,
  config: ConnectionConfig,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (config.url !== undefined) return config.url;
  if (config.urlSecret !== undefined)
    throw new Error(`connection "${name}": its URL is the secret "${config.urlSecret}", read for a run`);
  const variable = config.urlEnv as string;
  const value = env[variable];
  if (!value)
    throw new Error(
      `connection "${name}": environment variable ${variable} is not set (${CONFIG_FILE} connections.${name}.urlEnv)`,
    );
  return value;
}

/**
 * One key of `<workspace>/quire.config.json`, validated alone (a server that opens no connection
 * must not refuse to start over one); a missing file is an empty config. Errors name the file and
 * the field.
 */
function loadSection<S extends z.ZodType>(
  workspace: string,
  key: string,
  section: S,
): z.infer<S> | undefined {
  const file = path.join(workspace, CONFIG_FILE);
  let json: unknown = {};
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new Error(`${file}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = z
    .object({ [key]: section.optional() })
    .passthrough()
    .safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`,
    );
    throw new Error(`${file}: ${issues.join('; ')}`);
  }
  return (parsed.data as Record<string, z.infer<S> | undefined>)[key];
}

/** The workspace's quotas, defaults filled. */
export function loadQuotas(workspace: string): Quotas {
  const given = loadSection(workspace, 'quotas', QuotasConfig) ?? {};
  const pick = (name: keyof Quotas): number | undefined => {
    const value = given[name];
    return value === null ? undefined : (value ?? DEFAULT_QUOTAS[name]);
  };
  return { kernelsPerUser: pick('kernelsPerUser'), runsPerUser: pick('runsPerUser') };
}

/** `server.origins`, normalized (none: empty). */
export function loadServerOrigins(workspace: string): string[] {
  return loadSection(workspace, 'server', ServerConfig)?.origins ?? [];
}
