/**
 * The optional bearer token of `/metrics` (docs/operations.md#metrics). Metrics hold no notebook
 * content, so by default they answer without a login; an operator who wants them private sets
 * `QUIRE_METRICS_TOKEN`, or in the workspace's `quire.config.json`
 * `"metrics": {"tokenEnv": "NAME"}` (preferred: no secret in the repository) or `{"token": "…"}`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const METRICS_TOKEN_ENV = 'QUIRE_METRICS_TOKEN';
const CONFIG_FILE = 'quire.config.json';

const MetricsConfig = z
  .object({
    token: z.string().min(1).optional(),
    tokenEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
      .optional(),
  })
  .strict()
  .refine((c) => c.token === undefined || c.tokenEnv === undefined, {
    message: 'set at most one of "token" or "tokenEnv"',
  });

/**
 * The configured token, or undefined when `/metrics` is open. The environment variable wins over
 * the workspace config; an empty value counts as unset. A config that cannot be read throws: a
 * server must not start with its metrics open when the operator meant to protect them.
 */
export function resolveMetricsToken(
  options: { env?: NodeJS.ProcessEnv; workspace?: string } = {},
): string | undefined {
  const env = options.env ?? process.env;
  const fromEnv = env[METRICS_TOKEN_ENV]?.trim();
  if (fromEnv) return fromEnv;
  if (options.workspace === undefined) return undefined;
  const config = readMetricsConfig(join(options.workspace, CONFIG_FILE));
  if (config?.tokenEnv !== undefined) {
    const value = env[config.tokenEnv]?.trim();
    if (!value)
      throw new Error(`${CONFIG_FILE}: metrics.tokenEnv names ${config.tokenEnv}, which is not set`);
    return value;
  }
  return config?.token;
}

function readMetricsConfig(file: string): z.infer<typeof MetricsConfig> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: invalid JSON: ${(error as Error).message}`, { cause: error });
  }
  const metrics = (json as { metrics?: unknown } | null)?.metrics;
  if (metrics === undefined) return undefined;
  const parsed = MetricsConfig.safeParse(metrics);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${file}: metrics${issue.path.map((p) => `.${String(p)}`).join('')}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * Whether an `Authorization` header carries `token`. Both sides are hashed first, so the
 * comparison takes the same time whatever the given value's length or content.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? '');
  const given = createHash('sha256')
    .update(match?.[1] ?? '')
    .digest();
  const expected = createHash('sha256').update(token).digest();
  return timingSafeEqual(given, expected) && match !== null;
}
