/**
 * Single sign-on through an OpenID Connect provider (the `auth.oidc` config): the authorization
 * code flow with PKCE (S256), a state and a nonce. `start` makes a login's state, nonce and
 * verifier, keeps the last two in the store under the state's sha256 (oidc_logins, a few minutes,
 * one use) and gives the provider's URL; the browser keeps the state in a cookie. `finish` takes
 * the callback: the state must match the browser's cookie and a stored login (which it consumes),
 * then openid-client exchanges the code and validates the ID token: issuer, audience, nonce,
 * expiry, and its signature against the provider's JWKS (`enableNonRepudiationChecks`; without it
 * a token straight from the token endpoint over TLS would go unsigned-checked). The groups claim
 * maps to a role (oidc-config.ts), and the identity logs in (oidc-identities.ts).
 *
 * The provider's metadata is discovered once, on first use, and again after a failure (a provider
 * that was down at start does not need a restart of quire).
 *
 * Must not: log in without a matching state, nonce and verifier; log the code, the tokens or the
 * client secret; accept an `http:` issuer other than this machine's (a test provider).
 */
import * as client from 'openid-client';
import type { Db } from '../store/db.js';
import { roleFromGroups, type OidcSettings } from './oidc-config.js';
import { savePendingLogin, signInIdentity, takePendingLogin } from './oidc-identities.js';
import { digest } from './secret.js';
import type { SessionPolicy } from './sessions.js';
import type { Account } from './users.js';
import { timingSafeEqual } from 'node:crypto';

/** How long a started login may take at the provider (the user typing a password, a second factor). */
export const PENDING_LOGIN_MS = 10 * 60_000;

export type OidcFinish =
  | { ok: true; account: Account; sessionId: string; created: boolean; groups: string[] }
  | {
      ok: false;
      /**
       * state: no matching state (tampered, used, expired, or started in another browser);
       * provider: the provider answered with an error (the user cancelled);
       * token: the code exchange or the ID token was refused;
       * no-role: none of the user's groups is mapped and there is no default role;
       * disabled: the account is disabled here
       */
      reason: 'state' | 'provider' | 'token' | 'no-role' | 'disabled';
      /** for the log and the page: never a token or a code */
      detail: string;
      groups?: string[];
    };

export interface OidcOptions {
  settings: OidcSettings;
  clientSecret: string;
  /** `<origin>/login/oidc/callback`, known once the server listens */
  redirectUri: () => string;
  db: Db;
  policy: SessionPolicy;
  now?: () => number;
}

/** The claims a new account's name is made from, best first. */
const NAME_CLAIMS = ['preferred_username', 'email', 'name'] as const;

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

const sameText = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export class OidcLogins {
  readonly issuer: string;
  private readonly now: () => number;
  private discovered: Promise<client.Configuration> | undefined;

  constructor(private readonly options: OidcOptions) {
    this.issuer = options.settings.issuer;
    this.now = options.now ?? Date.now;
    const url = new URL(this.issuer);
    if (url.protocol !== 'https:' && !LOOPBACK.test(url.hostname))
      throw new Error(`auth.oidc.issuer must be an https: URL (got ${this.issuer})`);
  }

  /** Where the provider sends the browser back: `<this server's origin>/login/oidc/callback`. */
  redirectUri(): string {
    return this.options.redirectUri();
  }

  /** The provider's metadata, discovered on first use; a failed discovery is tried again next time. */
  configuration(): Promise<client.Configuration> {
    if (!this.discovered) {
      const { settings, clientSecret } = this.options;
      const insecure = new URL(settings.issuer).protocol === 'http:';
      this.discovered = client
        .discovery(new URL(settings.issuer), settings.clientId, clientSecret, undefined, {
          execute: [client.enableNonRepudiationChecks, ...(insecure ? [client.allowInsecureRequests] : [])],
          timeout: 10,
        })
        .catch((error: unknown) => {
          this.discovered = undefined;
          throw error;
        });
    }
    return this.discovered;
  }

  /** A new login: the provider's authorization URL, and the state the browser must bring back. */
  async start(): Promise<{ url: string; state: string }> {
    const config = await this.configuration();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const codeVerifier = client.randomPKCECodeVerifier();
    const now = this.now();
    await savePendingLogin(
      this.options.db,
      digest(state),
      { nonce, codeVerifier },
      now + PENDING_LOGIN_MS,
      now,
    );
    const scope = ['openid', ...this.options.settings.scopes.filter((s) => s !== 'openid')].join(' ');
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.options.redirectUri(),
      scope,
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, state };
  }

  /**
   * The callback: `query` is its query string, `browserState` the state cookie the browser came
   * with. On success the identity's account is logged in (a new session; `previousSessionId` ends).
   */
  async finish(
    query: URLSearchParams,
    browserState: string | undefined,
    options: { address?: string; previousSessionId?: string } = {},
  ): Promise<OidcFinish> {
    const state = query.get('state');
    if (!state || !browserState || !sameText(state, browserState))
      return {
        ok: false,
        reason: 'state',
        detail: 'the state does not match the one this browser started with',
      };
    const { db, settings, policy } = this.options;
    const pending = await takePendingLogin(db, digest(state), this.now());
    if (!pending)
      return { ok: false, reason: 'state', detail: 'the login is unknown, already used or expired' };
    const error = query.get('error');
    if (error) {
      const description = query.get('error_description');
      return { ok: false, reason: 'provider', detail: description ? `${error}: ${description}` : error };
    }
    const config = await this.configuration();
    let claims: client.IDToken;
    let profile: Record<string, unknown>;
    let groupsClaim: unknown;
    try {
      const callbackUrl = new URL(this.options.redirectUri());
      callbackUrl.search = query.toString();
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims()!;
      profile = claims;
      // Many providers put the groups and the names in the UserInfo answer only (unless asked
      // otherwise): asked there when the ID token lacks them. The ID token's own claims win.
      const lacking =
        claims[settings.groupsClaim] === undefined || NAME_CLAIMS.every((n) => claims[n] === undefined);
      if (lacking && config.serverMetadata().userinfo_endpoint)
        profile = { ...(await client.fetchUserInfo(config, tokens.access_token, claims.sub)), ...claims };
      groupsClaim = profile[settings.groupsClaim];
    } catch (error) {
      return { ok: false, reason: 'token', detail: describe(error) };
    }
    const decision = roleFromGroups(groupsClaim, settings.roleMap, settings.defaultRole);
    if (decision.role === undefined)
      return {
        ok: false,
        reason: 'no-role',
        detail: `none of the groups in "${settings.groupsClaim}" is mapped to a role`,
        groups: decision.groups,
      };
    const result = await signInIdentity(
      db,
      {
        issuer: claims.iss,
        subject: claims.sub,
        nameHints: NAME_CLAIMS.map((n) => profile[n]),
      },
      decision.role,
      {
        policy,
        now: this.now(),
        ...(options.address !== undefined ? { address: options.address } : {}),
        ...(options.previousSessionId !== undefined ? { previousSessionId: options.previousSessionId } : {}),
      },
    );
    if (!result.ok)
      return { ok: false, reason: 'disabled', detail: `the account ${result.account.name} is disabled` };
    return { ...result, groups: decision.groups };
  }
}

/** An openid-client error as one line: its code and message (they carry no token). */
function describe(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown; error?: unknown };
  const parts = [e.code, e.error, e.message].filter((p): p is string => typeof p === 'string' && p !== '');
  return parts.join(': ') || String(error);
}
