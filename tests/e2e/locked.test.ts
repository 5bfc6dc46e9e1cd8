/**
 * A locked notebook in a real browser, against a real server in accounts mode: the list marks it
 * (with an accessible label) and only it; its page tells an editor it is locked read-only, which
 * is not what a viewer reads on an open notebook (their role does not allow editing); an editor
 * on an open notebook gets the editor and no banner. The lock is made with the store's API, as
 * `quire notebooks lock` does; users log in through the real form.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { Page } from 'playwright-core';
import { Accounts } from '../../src/auth/accounts.js';
import { lockNotebook } from '../../src/auth/locks.js';
import { ProcessKernel } from '../../src/kernel/host.js';
import type { KernelSpec } from '../../src/kernel/types.js';
import { openStore } from '../../src/store/open.js';
import { logInAs, shot, start, type Harness, test } from './helpers.js';

const NOTEBOOK = (title: string) =>
  [
    '---',
    `title: ${title}`,
    '---',
    '',
    `# ${title}`,
    '',
    '```ts name=total',
    'const total = 42;',
    'total',
    '```',
    '',
  ].join('\n');

const OPEN = 'app.nb.md';
const LOCKED = 'locked/report.nb.md';
const PASSWORDS = { vic: 'viewer password 1', eda: 'editor password 3' };
type Name = keyof typeof PASSWORDS;

let h: Harness;
let storeDir: string;

before(async () => {
  storeDir = mkdtempSync(join(tmpdir(), 'quire-e2e-store-'));
  const db = `sqlite:${join(storeDir, 'quire.db')}`;
  const store = await openStore({ url: db, workspace: storeDir });
  const accounts = new Accounts(store.db);
  await accounts.addUser('vic', 'viewer', PASSWORDS.vic);
  await accounts.addUser('eda', 'editor', PASSWORDS.eda);
  await lockNotebook(store.db, { path: LOCKED, lockedBy: null, lockedAt: Date.now(), reason: 'published' });
  await store.close();
  const kernels = (spec: KernelSpec) => new ProcessKernel({ ...spec, startTimeoutMs: 120_000 });
  h = await start(
    { [OPEN]: NOTEBOOK('Sales app'), [LOCKED]: NOTEBOOK('Quarterly report') },
    { server: { db, jobs: false, kernels } },
  );
  assert.equal(h.server.mode, 'accounts');
});
after(async () => {
  await h?.close();
  rmSync(storeDir, { recursive: true, force: true });
});

/** A browser of its own for `name`, logged in through the form, at the notebook list. */
async function logIn(name: Name): Promise<Page> {
  const page = await logInAs(h, name, PASSWORDS[name]);
  await page.locator('.notebook-list li').nth(1).waitFor();
  return page;
}

/**
 * The list's rows: each notebook's path and the text a screen reader reads of its lock marker
 * (what is not `aria-hidden`), or null when it has none.
 */
async function listed(page: Page): Promise<Record<string, string | null>> {
  const rows: Record<string, string | null> = {};
  for (const row of await page.locator('.notebook-list li').all()) {
    const path = (await row.locator('.nb-path').textContent()) ?? '';
    const marker = row.locator('[data-testid="locked"]');
    rows[path] = (await marker.count())
      ? await marker.evaluate((el) =>
          [...el.childNodes]
            .filter((n) => (n as { ariaHidden?: string | null }).ariaHidden !== 'true')
            .map((n) => n.textContent)
            .join('')
            .trim(),
        )
      : null;
  }
  return rows;
}

async function openFromList(page: Page, path: string): Promise<void> {
  await Promise.all([page.waitForURL(`${h.url}/n/${path}`), page.click(`a[href="/n/${path}"]`)]);
  await page.locator('body[data-ready="notebook"]').waitFor();
}

test('an editor: the list marks the locked notebook only; its page says it is locked; the open one is the editor', async () => {
  const page = await logIn('eda');
  try {
    assert.deepEqual(await listed(page), { [OPEN]: null, [LOCKED]: 'locked (read-only)' });
    await shot(page, 'list-locked');

    await openFromList(page, LOCKED);
    const banner = page.locator('[data-testid="read-only"]');
    await banner.waitFor();
    assert.equal(await banner.getAttribute('data-reason'), 'locked');
    assert.match((await banner.textContent()) ?? '', /^This notebook is locked read-only/);
    assert.match((await banner.textContent()) ?? '', /you may change the params and run it/);
    assert.equal(await page.locator('.cm-editor, button.save').count(), 0, 'no editor on a locked notebook');
    await shot(page, 'app-view-locked');

    await page.goto(`${h.url}/`);
    await page.locator('.notebook-list li').nth(1).waitFor();
    await openFromList(page, OPEN);
    await page.locator('[data-cell-id="total"] .cm-content').waitFor();
    assert.equal(await page.locator('[data-testid="read-only"]').count(), 0, 'no banner for an editor');
    assert.equal(await page.locator('button.save').count(), 1);
  } finally {
    await page.context().close();
  }
});

test('a viewer on an open notebook reads that their role does not allow more, not that it is locked', async () => {
  const page = await logIn('vic');
  try {
    assert.deepEqual(await listed(page), { [OPEN]: null, [LOCKED]: 'locked (read-only)' });
    await openFromList(page, OPEN);
    const banner = page.locator('[data-testid="read-only"]');
    await banner.waitFor();
    assert.equal(await banner.getAttribute('data-reason'), 'access');
    assert.match((await banner.textContent()) ?? '', /^You can view this notebook/);
    assert.doesNotMatch((await banner.textContent()) ?? '', /locked/);
  } finally {
    await page.context().close();
  }
});
