/**
 * Shared set-up for the browser tests: a real `quire serve` server on a random port over a temp
 * workspace, and Debian's Chromium driven by playwright-core. The UI must be built (`npm run build`).
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../src/server/server.js';

export const CHROMIUM = process.env.QUIRE_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(import.meta.dirname, 'screenshots');

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
  browser: Browser;
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** Starts a server over `files`, launches Chromium and logs in through the printed login URL. */
export async function start(files: Record<string, string>): Promise<Harness> {
  if (!existsSync(join(import.meta.dirname, '../../dist/ui/index.html'))) {
    throw new Error('the editor UI is not built: run `npm run build` first');
  }
  const workspace = makeWorkspace(files);
  const server = await startServer({ workspace, port: 0 });
  const browser = await chromium.launch({
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
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error('page error:', error));
  await page.goto(server.loginUrl);
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    workspace,
    server,
    browser,
    context,
    page,
    async close() {
      await browser.close();
      await server.close();
      rmSync(workspace, { recursive: true, force: true });
    },
  };
}

export const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });

/** Waits until `selector` matches exactly `count` elements (the list re-renders after a search). */
export async function waitForCount(page: Page, selector: string, count: number, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while ((await page.locator(selector).count()) !== count) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} × ${selector}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
