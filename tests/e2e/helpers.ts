/**
 * Shared set-up for the browser tests: a real `quire serve` server on a random port over a temp
 * workspace, and Debian's Chromium driven by playwright-core. The UI must be built (`npm run build`).
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test as nodeTest } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server/server.js';

export const CHROMIUM = process.env.QUIRE_CHROMIUM || '/usr/bin/chromium';
/**
 * Where screenshots go: QUIRE_SCREENSHOTS (scripts/screenshots.mjs sets it, to copy the README's
 * images from), else a fresh temporary folder of this process, removed at exit unless a failure
 * left its screenshots there. Never the checkout: a test run changes no tracked file.
 */
export const SCREENSHOTS = process.env.QUIRE_SCREENSHOTS || mkdtempSync(join(tmpdir(), 'quire-screenshots-'));
let keepScreenshots = Boolean(process.env.QUIRE_SCREENSHOTS);
process.on('exit', () => {
  if (!keepScreenshots) rmSync(SCREENSHOTS, { recursive: true, force: true });
});

export function makeWorkspace(files: Record<string, string>): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'quire-e2e-')));
  // readable by the kernel's user (`nobody` when the tests run as root)
  chmodSync(dir, 0o755);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

export interface Harness {
  workspace: string;
  server: RunningServer;
  /** where the browser's pages go: the server's URL, or the proxy's in front of it */
  url: string;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export interface StartOptions {
  /** more `startServer` options */
  server?: Omit<ServerOptions, 'workspace' | 'port'>;
  /** the browser reaches the server only through this proxy (`startProxy`): pages go to `h.url` */
  proxy?: Proxy;
}

/** Starts a server over `files`, launches Chromium and logs in through the printed login URL. */
export async function start(files: Record<string, string>, options: StartOptions = {}): Promise<Harness> {
  if (!existsSync(join(import.meta.dirname, '../../dist/ui/index.html'))) {
    throw new Error('the editor UI is not built: run `npm run build` first');
  }
  const workspace = makeWorkspace(files);
  const { proxy } = options;
  const origins = [...(options.server?.origins ?? []), ...(proxy ? [proxy.url] : [])];
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  // Whatever fails below (Chromium missing, the login page), nothing started may outlive it: an
  // open server keeps the test process alive, and the whole run used to hang on it.
  const stop = async () => {
    await browser?.close().catch(() => undefined);
    await server?.close().catch(() => undefined);
    rmSync(workspace, { recursive: true, force: true });
  };
  try {
    server = await startServer({ ...options.server, origins, workspace, port: 0 });
    if (proxy) proxy.target = Number(new URL(server.url).port);
    const url = proxy?.url ?? server.url;
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    context.on('page', compileStringPredicates);
    context.on('page', watchForDiagnosis);
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error('page error:', error));
    await page.goto(`${url}/login?token=${encodeURIComponent(server.token)}`);
    mkdirSync(SCREENSHOTS, { recursive: true });
    return { workspace, server, url, browser, context, page, close: stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Debian's Chromium (QUIRE_CHROMIUM); a failure says what to install. */
async function launchChromium(): Promise<Browser> {
  try {
    return await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    throw new Error(
      `Chromium could not be started from ${CHROMIUM} (apt-get install chromium, or set QUIRE_CHROMIUM): ${reason}`,
      { cause: error },
    );
  }
}

/**
 * Playwright evaluates a string predicate of `waitForFunction` with `eval` on every poll, from the
 * page's own timers, and the editor's CSP refuses that (no 'unsafe-eval'); only the first poll,
 * made through DevTools, is exempt. A function predicate is compiled once, in that exempt first
 * call. So a string predicate is turned into a function here (compiled in Node, which has no CSP).
 */
function compileStringPredicates(page: Page): void {
  type Predicate = Parameters<Page['waitForFunction']>[0];
  const original = page.waitForFunction.bind(page) as (p: Predicate, a?: unknown, o?: object) => unknown;
  page.waitForFunction = ((predicate: Predicate, arg?: unknown, options?: object) =>
    original(
      typeof predicate === 'string' ? (new Function(`return (${predicate});`) as () => unknown) : predicate,
      arg,
      options,
    )) as Page['waitForFunction'];
}

/** What each open page printed, for the report of a failing test. */
const pageLogs = new Map<Page, string[]>();

function watchForDiagnosis(page: Page): void {
  const log: string[] = [];
  pageLogs.set(page, log);
  const add = (line: string) => {
    log.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
    if (log.length > 120) log.shift();
  };
  page.on('console', (message) => add(`console.${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => add(`page error: ${error.message}`));
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) add(`navigated: ${frame.url()}`);
  });
  page.on('websocket', (socket) => {
    add(`websocket open: ${socket.url()}`);
    socket.on('close', () => add('websocket closed'));
    const frame = (way: string) => (event: { payload: string | Buffer }) =>
      add(`${way} ${String(event.payload).slice(0, 160)}`);
    socket.on('framesent', frame('sent'));
    socket.on('framereceived', frame('received'));
  });
  page.on('close', () => pageLogs.delete(page));
}

/**
 * Prints what every open page shows and said, and saves a screenshot of each, so a test failing on
 * a CI machine can be understood from its log alone.
 */
async function diagnose(name: string): Promise<void> {
  let index = 0;
  for (const [page, log] of pageLogs) {
    const label = `${name.replace(/[^\w]+/g, '-').slice(0, 60)}-${index++}`;
    const lines = [`--- page ${label}: ${page.url()}`, ...log];
    try {
      const text = await page.locator('body').innerText({ timeout: 5000 });
      lines.push('--- its text:', text.slice(0, 3000));
      const path = join(SCREENSHOTS, `failed-${label}.png`);
      await page.screenshot({ path, timeout: 5000 });
      keepScreenshots = true;
      lines.push(`--- its screenshot: ${path}`);
    } catch (error) {
      lines.push(`(could not read the page: ${(error as Error).message})`);
    }
    console.error(lines.join('\n'));
  }
}

/** node:test's `test`, which on a failure prints what the open pages show (see `diagnose`). */
export function test(name: string, fn: () => Promise<void>): void {
  nodeTest(name, async () => {
    try {
      await fn();
    } catch (error) {
      await diagnose(name).catch(() => undefined);
      throw error;
    }
  });
}

export const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });

/**
 * A TCP proxy on 127.0.0.1 in front of the server, to drop the browser's connections the way a
 * network does: `cut()` destroys every open connection (the WebSocket included) and refuses new
 * ones until `restore()`. The browser must use `url` (and the server accept it as an origin).
 */
export interface Proxy {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** the server's port, once it listens */
  target: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startProxy(): Promise<Proxy> {
  const open = new Set<Socket>();
  let down = false;
  const proxy = createServer((incoming) => {
    if (down) return incoming.destroy();
    const outgoing = createConnection({ host: '127.0.0.1', port: handle.target });
    open.add(incoming).add(outgoing);
    for (const socket of [incoming, outgoing]) {
      socket.on('error', () => undefined);
      socket.on('close', () => {
        open.delete(socket);
        incoming.destroy();
        outgoing.destroy();
      });
    }
    incoming.pipe(outgoing).pipe(incoming);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const handle: Proxy = {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    target: 0,
    cut() {
      down = true;
      for (const socket of open) socket.destroy();
    },
    restore() {
      down = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        handle.cut();
        proxy.close(() => resolve());
      }),
  };
  return handle;
}

/** One Content-Security-Policy violation seen by a page (or a console line about one). */
export interface CspViolation {
  directive: string;
  blocked: string;
  source: string;
  sample: string;
}

/**
 * Collects CSP violations of every page of `context`, present and future: the
 * `securitypolicyviolation` event (listened to by an init script, before any page script) and
 * console errors about a refused load or eval (Chromium logs one for each). Call before `goto`.
 */
export async function watchCsp(context: BrowserContext): Promise<CspViolation[]> {
  const seen: CspViolation[] = [];
  await context.exposeBinding('__quireCspViolation', (_source, violation: CspViolation) => {
    seen.push(violation);
  });
  // A string: it runs in the page, which the Node type-check knows nothing of.
  await context.addInitScript(`
    document.addEventListener('securitypolicyviolation', (event) => {
      void window.__quireCspViolation({
        directive: event.effectiveDirective,
        blocked: event.blockedURI,
        source: event.sourceFile + ':' + event.lineNumber + ':' + event.columnNumber,
        sample: event.sample,
      });
    });
  `);
  const onPage = (page: Page) =>
    page.on('console', (message) => {
      const text = message.text();
      if (/Content Security Policy|unsafe-eval|unsafe-inline/i.test(text))
        seen.push({ directive: 'console', blocked: '', source: message.location().url, sample: text });
    });
  context.pages().forEach(onPage);
  context.on('page', onPage);
  return seen;
}

/** Waits until `selector` matches exactly `count` elements (the list re-renders after a search). */
export async function waitForCount(page: Page, selector: string, count: number, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while ((await page.locator(selector).count()) !== count) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} × ${selector}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * A browser context of its own for an account, logged in through the real login form (posted by
 * Chromium, with `Origin: null` under no-referrer: the Origin check must take it), landing at
 * `next` (default: the notebook list).
 */
export async function logInAs(h: Harness, name: string, password: string, next = '/'): Promise<Page> {
  const context = await h.browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(120_000);
  page.on('pageerror', (error) => console.error(`page error (${name}):`, error));
  await page.goto(next === '/' ? `${h.url}/login` : `${h.url}/login?next=${encodeURIComponent(next)}`);
  await page.fill('input[name="name"]', name);
  await page.fill('input[name="password"]', password);
  await Promise.all([
    page.waitForURL(`${h.url}${next}`),
    page.click('button[type="submit"], input[type="submit"]'),
  ]);
  return page;
}
