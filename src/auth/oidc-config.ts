/**
 * The `auth.oidc` section of the workspace's `quire.config.json`: single sign-on through an OpenID
 * Connect provider. The client secret comes from an environment variable (`clientSecretEnv`,
 * preferred) or from the encrypted secret store (`clientSecretStored`, a name `quire secrets set`
 * stored), never from the file itself: the file is often in git. Errors name the file and the field.
 *
 * Also here, because it is the config's meaning: `roleFromGroups`, the role a login gets from its
 * groups claim (pure).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ROLES, type Role } from './roles.js';

const CONFIG_FILE = 'quire.config.json';
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const RoleName = z.enum(ROLES);

const OidcSection = z
  .object({
    /** the provider's issuer URL, as its discovery document states it */
    issuer: z.url({ protocol: /^https?$/ }),
    clientId: z.string().min(1),
    /** the environment variable holding the client secret (preferred) */
    clientSecretEnv: z.string().regex(ENV_NAME, 'must be an environment variable name').optional(),
    /** the name of the client secret in quire's secret store */
    clientSecretStored: z.string().min(1).optional(),
    /** the claim of the ID token listing the user's groups (default `groups`) */
    groupsClaim: z.string().min(1).default('groups'),
    /** group → role; a user in several mapped groups gets the highest role */
    roleMap: z.record(z.string().min(1), RoleName).default({}),
    /** the role of a user in no mapped group; without it such a user is refused */
    defaultRole: RoleName.optional(),
    /**
     * the origin browsers reach this server at (a reverse proxy's public URL); the redirect URI is
     * `<origin>/login/oidc/callback`. Default: the address the server is bound to.
     */
    publicOrigin: z.url({ protocol: /^https?$/ }).optional(),
    /** scopes asked for besides `openid` (default `profile email`, plus whatever brings the groups) */
    scopes: z.array(z.string().regex(/^[!#-[\]-~]+$/, 'a scope is one word')).default(['profile', 'email']),
  })
  .strict()
  .refine((c) => (c.clientSecretEnv === undefined) !== (c.clientSecretStored === undefined), {
    message: 'set exactly one of "clientSecretEnv" or "clientSecretStored"',
  })
  .refine((c) => Object.keys(c.roleMap).length > 0 || c.defaultRole !== undefined, {
    message: 'map at least one group in "roleMap", or set "defaultRole"',
  });

export type OidcSettings = z.infer<typeof OidcSection>;

/** `quire.config.json` asks for single sign-on the server cannot set up: a bad field, an unset variable. */
export class OidcConfigError extends Error {
  override readonly name = 'OidcConfigError';
}

/** Reads `auth.oidc` of `<workspace>/quire.config.json`; undefined when there is no such section. */
export function loadOidcSettings(workspace: string): OidcSettings | undefined {
  let text: string;
  try {
    text = readFileSync(join(workspace, CONFIG_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return parseOidcSettings(text);
}

/** Parses config text; only its `auth.oidc` is looked at. */
export function parseOidcSettings(text: string): OidcSettings | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new OidcConfigError(`${CONFIG_FILE}: invalid JSON: ${(error as Error).message}`);
  }
  const auth = (json as { auth?: unknown } | null)?.auth;
  if (auth === undefined) return undefined;
  if (typeof auth !== 'object' || auth === null || Array.isArray(auth))
    throw new OidcConfigError(`${CONFIG_FILE}: auth: expected an object`);
  const section = (auth as { oidc?: unknown }).oidc;
  if (section === undefined) return undefined;
  const parsed = OidcSection.safeParse(section);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (i) => `${['auth', 'oidc', ...i.path.map(String)].join('.')}: ${i.message}`,
    );
    throw new OidcConfigError(`${CONFIG_FILE}: ${issues.join('; ')}`);
  }
  return parsed.data;
}

/**
 * The client secret from the environment; for `clientSecretStored`, `readStored` (the secret
 * store) is asked. Unset or empty: an error naming the field, so the server does not start
 * half-configured.
 */
export async function clientSecretOf(
  settings: OidcSettings,
  env: NodeJS.ProcessEnv,
  readStored: (name: string) => Promise<string | undefined>,
): Promise<string> {
  if (settings.clientSecretEnv !== undefined) {
    const value = env[settings.clientSecretEnv];
    if (!value)
      throw new OidcConfigError(
        `${CONFIG_FILE}: auth.oidc.clientSecretEnv names ${settings.clientSecretEnv}, which is not set`,
      );
    return value;
  }
  const name = settings.clientSecretStored as string;
  const value = await readStored(name);
  if (!value)
    throw new OidcConfigError(
      `${CONFIG_FILE}: auth.oidc.clientSecretStored names "${name}", which the secret store does not hold (quire secrets set ${name})`,
    );
  return value;
}

/** The outcome of mapping a login's groups: a role, or why there is none. */
export type RoleDecision = { role: Role; groups: string[] } | { role: undefined; groups: string[] };

/**
 * The role of a user whose ID token says `claim` (the groups claim's value): the highest role any
 * of their groups maps to, else `defaultRole`, else none (refused). A claim that is not a string
 * or a list of strings counts as no groups.
 */
export function roleFromGroups(
  claim: unknown,
  roleMap: Readonly<Record<string, Role>>,
  defaultRole?: Role,
): RoleDecision {
  const groups =
    typeof claim === 'string'
      ? [claim]
      : Array.isArray(claim)
        ? claim.filter((g): g is string => typeof g === 'string')
        : [];
  let best = -1;
  for (const group of groups) {
    const role = Object.hasOwn(roleMap, group) ? roleMap[group] : undefined;
    if (role !== undefined) best = Math.max(best, ROLES.indexOf(role));
  }
  const role = best >= 0 ? ROLES[best] : defaultRole;
  return { role, groups };
}
