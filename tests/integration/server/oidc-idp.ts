/**
 * A real OpenID provider for the single sign-on tests (the `oidc-provider` package) on a random
 * loopback port, and a browser stand-in for fetch: a cookie jar per host and redirects followed by
 * hand. The provider's login is programmatic: whoever the test set as `nextLogin` signs in and
 * consents at once (the provider's own interaction URL is served here). Accounts carry a groups
 * claim the test can change between logins.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface IdpAccount {
  groups?: unknown;
  preferred_username?: string;
  email?: string;
}

export class TestIdp {
  readonly accounts = new Map<string, IdpAccount>();
  /** the account id the next interaction signs in */
  nextLogin = '';
  /**
   * When set, the token endpoint's ID token is altered on its way out (its payload changed, its
   * signature kept): what a forger without the provider's key could send.
   */
  forgeIdToken: ((payload: Record<string, unknown>) => Record<string, unknown>) | undefined;
  private provider: Provider | undefined;

  private constructor(
    private readonly server: Server,
    readonly issuer: string,
  ) {}

  static async start(): Promise<TestIdp> {
    let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
      res.statusCode = 503;
      res.end();
    };
    const server = createServer((req, res) => handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const idp = new TestIdp(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    handle = (req, res) => idp.handle(req, res);
    return idp;
  }

  /** Registers quire as the one client, `clientId` with `clientSecret`, sent back to `redirectUri`. */
  register(client: { clientId: string; clientSecret: string; redirectUri: string }): void {
    const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
    const accounts = this.accounts;
    this.provider = new Provider(this.issuer, {
      clients: [
        {
          client_id: client.clientId,
          client_secret: client.clientSecret,
          redirect_uris: [client.redirectUri],
          grant_types: ['authorization_code'],
          response_types: ['code'],
        },
      ],
      jwks: { keys: [{ ...key, kid: 'test', use: 'sig', alg: 'RS256' } as never] },
      cookies: { keys: ['a test cookie key'] },
      claims: {
        openid: ['sub'],
        profile: ['preferred_username'],
        email: ['email'],
        groups: ['groups'],
      },
      features: { devInteractions: { enabled: false } },
      findAccount: (_ctx, id) => {
        const account = accounts.get(id);
        return account && { accountId: id, claims: () => ({ sub: id, ...account }) };
      },
    });
    this.provider.use(async (ctx, next) => {
      await next();
      const body = ctx.body as { id_token?: unknown } | undefined;
      if (ctx.path !== '/token' || !this.forgeIdToken || typeof body?.id_token !== 'string') return;
      const [header, payload, signature] = body.id_token.split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
      const forged = Buffer.from(JSON.stringify(this.forgeIdToken(claims))).toString('base64url');
      ctx.body = { ...body, id_token: `${header}.${forged}.${signature}` };
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const provider = this.provider;
    if (!provider) {
      res.statusCode = 503;
      res.end();
      return;
    }
    if (req.url?.startsWith('/interaction/')) {
      this.interact(provider, req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
      return;
    }
    void provider.callback()(req, res);
  }

  /** The user signs in as `nextLogin` and grants what the client asked for. */
  private async interact(provider: Provider, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    const accountId = this.nextLogin;
    const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope));
    const grantId = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/** fetch as a browser would use it here: cookies kept per host (not per port), redirects by hand. */
export class Browser {
  private readonly jar = new Map<string, Map<string, string>>();

  cookies(url: string): Map<string, string> {
    const host = new URL(url).hostname;
    let cookies = this.jar.get(host);
    if (!cookies) this.jar.set(host, (cookies = new Map()));
    return cookies;
  }

  cookie(url: string, name: string): string | undefined {
    return this.cookies(url).get(name);
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const cookies = this.cookies(url);
    const header = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(header ? { cookie: header } : {}) },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      const gone = attributes.some(
        (a) => /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && Date.parse(a.slice(8)) < Date.now()),
      );
      if (gone || value === '') cookies.delete(name);
      else cookies.set(name, value);
    }
    return response;
  }

  /**
   * GETs `url` and follows redirects until one answers otherwise, or `stopAt` says to stop at a URL
   * (the callback, so the test may tamper with it). Resolves to the last response and its URL.
   */
  async follow(url: string, stopAt?: (url: URL) => boolean): Promise<{ response: Response; url: string }> {
    let current = url;
    for (let hops = 0; hops < 20; hops++) {
      if (hops > 0 && stopAt?.(new URL(current)))
        return { response: new Response(null, { status: 599 }), url: current };
      const response = await this.fetch(current);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return { response, url: current };
      await response.body?.cancel();
      current = new URL(location, current).href;
    }
    throw new Error(`more than 20 redirects from ${url}`);
  }
}
