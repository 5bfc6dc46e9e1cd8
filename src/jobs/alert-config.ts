/**
 * The `alerts` key of the workspace config `quire.config.json` (the file itself is read and its
 * `connections` validated by connectors/host/config.ts):
 *
 *     "alerts": {
 *       "webhook": { "urlEnv": "QUIRE_ALERT_WEBHOOK" } | { "urlSecret": "ALERT_WEBHOOK" },
 *       "windowMinutes": 60, "baseUrl": "https://quire.example.com", "timeoutMs": 5000, "retries": 3
 *     }
 *
 * Without the key alerts are off. The webhook URL is a credential (a Slack or Teams URL carries its
 * token in the path), so it never appears in the file, in messages or in logs: it comes from an
 * environment variable of the host, or from a secret (`urlSecret`, or its older spelling `secret`):
 * `QUIRE_SECRET_<NAME>`, else the encrypted secret store (`loadHostAlertConfig`). The store is read
 * by the host for its own configuration, not by a run: a secret's grants (secrets/grants.ts)
 * restrict runs and do not apply here.
 */
import path from 'node:path';
import { z } from 'zod';
import { CONFIG_FILE, loadWorkspaceConfig } from '../connectors/host/config.js';
import { keyFilePath, MasterKeys } from '../secrets/master-key.js';
import { EnvSecretSource, secretEnvVar } from '../secrets/source.js';
import { SecretStore } from '../secrets/store.js';
import type { Db } from '../store/db.js';

export const DEFAULT_WEBHOOK_ENV = 'QUIRE_ALERT_WEBHOOK';

/**
 * The workspace's alert configuration cannot be used: an invalid file or key, or a webhook
 * variable that is not set. A server or worker refuses to start on it (exit 2, one line naming the
 * file, the field and the variable): alerts that are silently off are worse than no start.
 */
export class AlertConfigError extends Error {
  override readonly name = 'AlertConfigError';
}

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

const secretName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'must be a secret name');

const Webhook = z
  .object({
    urlEnv: envName.optional(),
    urlSecret: secretName.optional(),
    secret: secretName.optional(),
    url: z
      .never({
        error:
          'the webhook URL is a credential and does not belong in this file: name an environment variable (urlEnv) or a secret (secret)',
      })
      .optional(),
  })
  .strict()
  .refine((w) => [w.urlEnv, w.urlSecret, w.secret].filter((v) => v !== undefined).length <= 1, {
    message: 'set at most one of "urlEnv" or "urlSecret" (or its older spelling "secret")',
  });

const httpUrl = z.string().refine((text) => /^https?:$/.test(safeUrl(text)?.protocol ?? ''), {
  message: 'must be an http(s) URL',
});

const AlertsSpec = z
  .object({
    webhook: Webhook.default({}),
    windowMinutes: z
      .number()
      .min(0)
      .max(7 * 24 * 60)
      .default(60),
    baseUrl: httpUrl.optional(),
    timeoutMs: z.number().int().min(1).max(120_000).default(5000),
    retries: z.number().int().min(0).max(10).default(3),
  })
  .strict();

export type AlertsSpec = z.infer<typeof AlertsSpec>;

/** What the alerts module runs with: the URL resolved, defaults filled in. */
export interface AlertConfig {
  /** the webhook URL, a credential: never logged, never put in a message */
  url: string;
  /** where the URL came from, for messages: "environment variable QUIRE_ALERT_WEBHOOK" */
  urlSource: string;
  /** a failure with the same fingerprint is not re-sent within this time */
  windowMs: number;
  /** the server's public URL for links to runs, without a trailing slash */
  baseUrl?: string;
  /** per POST */
  timeoutMs: number;
  /** extra attempts after the first one fails with a network error, a timeout, 429 or 5xx */
  retries: number;
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/**
 * Validates the `alerts` key of an already-parsed workspace config; undefined when it is absent.
 * Errors name the file and the field: `…/quire.config.json: alerts.webhook.urlEnv: …`.
 */
export function parseAlertsSpec(config: unknown, file: string): AlertsSpec | undefined {
  const alerts = (config as { alerts?: unknown } | null)?.alerts;
  if (alerts === undefined) return undefined;
  const parsed = AlertsSpec.safeParse(alerts);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (i) => `${['alerts', ...i.path.map(String)].join('.')}: ${i.message}`,
    );
    throw new AlertConfigError(`${file}: ${issues.join('; ')}`);
  }
  return parsed.data;
}

/** The webhook's secret name (`urlSecret` or `secret`) and its field, when it names one. */
const webhookSecret = (spec: AlertsSpec): { name: string; field: string } | undefined => {
  const { urlSecret, secret } = spec.webhook;
  if (urlSecret !== undefined) return { name: urlSecret, field: 'alerts.webhook.urlSecret' };
  return secret === undefined ? undefined : { name: secret, field: 'alerts.webhook.secret' };
};

/**
 * Fills in the URL from the host's environment, or the value `stored` read from the secret store
 * (`loadHostAlertConfig`); a missing or malformed value names where it was looked for.
 */
export function resolveAlertConfig(
  spec: AlertsSpec,
  file: string,
  env: NodeJS.ProcessEnv = process.env,
  stored?: { label: string; value: string | undefined },
): AlertConfig {
  const { urlEnv } = spec.webhook;
  const secret = webhookSecret(spec);
  let url: string | undefined;
  let field: string;
  let urlSource: string;
  if (secret !== undefined) {
    field = secret.field;
    const store = stored ? ` or the secret store ${stored.label}` : '';
    urlSource = `secret "${secret.name}" (environment variable ${secretEnvVar(secret.name)}${store})`;
    url = new EnvSecretSource(env).get(secret.name) ?? stored?.value;
  } else {
    const variable = urlEnv ?? DEFAULT_WEBHOOK_ENV;
    field = urlEnv === undefined ? 'alerts.webhook' : 'alerts.webhook.urlEnv';
    urlSource = `environment variable ${variable}`;
    url = env[variable] || undefined;
  }
  if (url === undefined) throw new AlertConfigError(`${file}: ${field}: ${urlSource} is not set`);
  // The value is a credential: the message says what is wrong with it, never what it is.
  if (!/^https?:$/.test(safeUrl(url.trim())?.protocol ?? ''))
    throw new AlertConfigError(`${file}: ${field}: ${urlSource} does not hold an http(s) URL`);
  return {
    url: url.trim(),
    urlSource,
    windowMs: spec.windowMinutes * 60_000,
    ...(spec.baseUrl !== undefined ? { baseUrl: spec.baseUrl.replace(/\/+$/, '') } : {}),
    timeoutMs: spec.timeoutMs,
    retries: spec.retries,
  };
}

/**
 * The alert config of a workspace, or undefined when `quire.config.json` has no `alerts` key.
 * Throws AlertConfigError on an invalid file (connections included) or a webhook URL that is not set.
 */
export function loadAlertConfig(
  workspace: string,
  env: NodeJS.ProcessEnv = process.env,
): AlertConfig | undefined {
  const { file, spec } = readAlertsSpec(workspace);
  return spec && resolveAlertConfig(spec, file, env);
}

/** The workspace config's `alerts` spec (undefined without one) and the file it came from. */
function readAlertsSpec(workspace: string) {
  const file = path.join(workspace, CONFIG_FILE);
  let config;
  try {
    config = loadWorkspaceConfig(workspace);
  } catch (error) {
    // an unreadable or invalid file: its message already names the file and the field
    throw new AlertConfigError((error as Error).message, { cause: error });
  }
  return { file, spec: parseAlertsSpec(config, file) };
}

/**
 * As `loadAlertConfig`, for a server or worker with its store open: a webhook secret that the
 * environment does not have is read from the store in `db` (opened with the workspace's master key).
 * A store that cannot give it (no key, a wrong key, a tampered value) is an AlertConfigError naming
 * the secret, never holding the value.
 */
export async function loadHostAlertConfig(
  workspace: string,
  db: Db,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AlertConfig | undefined> {
  const { file, spec } = readAlertsSpec(workspace);
  if (!spec) return undefined;
  const secret = webhookSecret(spec);
  if (!secret || new EnvSecretSource(env).get(secret.name) !== undefined)
    return resolveAlertConfig(spec, file, env);
  let value: string | undefined;
  try {
    value = await new SecretStore(db, new MasterKeys({ file: keyFilePath(workspace), env })).get(secret.name);
  } catch (error) {
    throw new AlertConfigError(
      `${file}: ${secret.field}: the secret store ${db.label} cannot give secret "${secret.name}": ${(error as Error).message}`,
    );
  }
  return resolveAlertConfig(spec, file, env, { label: db.label, value });
}
