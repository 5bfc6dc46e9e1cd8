/**
 * The workspace config `quire.config.json` (only its `connections` here). A connection's URL comes
 * from an environment variable (`urlEnv`, preferred: no secret in the repository) or the file,
 * never from a notebook. Errors name the file and the field path.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const CONFIG_FILE = 'quire.config.json';

const PostgresConfig = z
  .object({
    type: z.literal('postgres'),
    url: z.string().min(1).optional(),
    urlEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
      .optional(),
  })
  .strict()
  .refine((c) => (c.url === undefined) !== (c.urlEnv === undefined), {
    message: 'set exactly one of "url" or "urlEnv"',
  });

const WorkspaceConfig = z
  .object({
    connections: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'invalid connection name'), PostgresConfig)
      .default({}),
  })
  .passthrough();

export type ConnectionConfig = z.infer<typeof PostgresConfig>;
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

/** The URL of a connection; a missing environment variable names the connection and the variable. */
export function connectionUrl(
  name: string,
  config: ConnectionConfig,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (config.url !== undefined) return config.url;
  const variable = config.urlEnv as string;
  const value = env[variable];
  if (!value)
    throw new Error(
      `connection "${name}": environment variable ${variable} is not set (${CONFIG_FILE} connections.${name}.urlEnv)`,
    );
  return value;
}
