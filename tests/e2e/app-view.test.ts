/**
 * The app view (issue 10) in a real browser, against a real server in accounts mode with real
 * kernels: an editor gets the editor and runs the notebook; a viewer sees its prose and the newest
 * run's report (their own session has no outputs, and the editor's never reach it), no code
 * editor, no Run, disabled params, and Ctrl-S sends nothing; a runner changes a param, presses Run
 * and sees the new output in their own session, still with no code editor. Users are made with the
 * store's API (as the server's accounts tests do) and log in through the real form.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { Page } from 'playwright-core';
import { Accounts } from '../../src/auth/accounts.js';
import { ProcessKernel } from '../../src/kernel/host.js';
import type { KernelSpec } from '../../src/kernel/types.js';
import { openStore } from '../../src/store/open.js';
import { logInAs, shot, start, type Harness, test } from './helpers.js';

const APP = [
  '---',
  'title: Sales app',
  'params:',
  '  factor: { type: number, default: 2, description: multiplies the total }',
  '---',
  '',
  '# Sales app',
  '',
  'Totals by region, and the grand total times the factor.',
  '',
  '```sql name=sales',
  "select * from (values ('EU', 120), ('US', 340)) as t(region, amount)",
  '```',
  '',
  '```ts name=total',
  'const total = 21 * factor;',
  '`total=${total}`',
  '```',
  '',
].join('\n');

const PASSWORDS = { vic: 'viewer password 1', rue: 'runner password 2', eda: 'editor password 3' };
type Name = keyof typeof PASSWORDS;

let h: Harness;
let storeDir: string;

before(async () => {
  storeDir = mkdtempSync(join(tmpdir(), 'quire-e2e-store-'));
  const db = `sqlite:${join(storeDir, 'quire.db')}`;
  const store = await openStore({ url: db, workspace: storeDir });
  const accounts = new Accounts(store.db);
  await accounts.addUser('vic', 'viewer', PASSWORDS.vic);
  await accounts.addUser('rue', 'runner', PASSWORDS.rue);
  await accounts.addUser('eda', 'editor', PASSWORDS.eda);
  await store.close();
  // Real child-process kernels, given longer to start than the default 15 s: the test machine is shared.
  const kernels = (spec: KernelSpec) => new ProcessKernel({ ...spec, startTimeoutMs: 120_000 });
  h = await start({ 'app.nb.md': APP }, { server: { db, jobs: false, kernels } });
  assert.equal(h.server.mode, 'accounts');
});
after(async () => {
  await h?.close();
  rmSync(storeDir, { recursive: true, force: true });
});

/** A browser of its own for `name`, logged in, at the notebook. */
async function openAs(name: Name): Promise<Page> {
  const page = await logInAs(h, name, PASSWORDS[name], '/n/app.nb.md');
  await page.locator('body[data-ready="notebook"]').waitFor();
  return page;
}

const cell = (id: string) => `[data-cell-id="${id}"]`;

async function waitText(page: Page, selector: string, pattern: RegExp, timeout = 180_000): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const text = (await page.locator(selector).count()) ? await page.locator(selector).textContent() : '';
    if (pattern.test(text ?? '')) return;
    if (Date.now() > deadline) throw new Error(`${selector}: ${JSON.stringify(text)} !~ ${pattern}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What the page shows that only an editor may use (each a count). */
async function editingControls(page: Page): Promise<Record<string, number>> {
  const count = (selector: string) => page.locator(selector).count();
  return {
    codeEditor: await count('.cm-editor, .cm-content, .code-placeholder'),
    save: await count('button.save'),
    revert: await count('button.revert'),
    addCell: await count('.add-cells, .add-top, .add-bottom'),
    cellButtons: await count('.cell-buttons, .cell-run, .cell-edit'),
  };
}
const NONE = { codeEditor: 0, save: 0, revert: 0, addCell: 0, cellButtons: 0 };

test('an editor gets the editor, unchanged: code, Save, Run all', async () => {
  const page = await openAs('eda');
  try {
    await page.locator(`${cell('total')} .cm-content`).waitFor();
    assert.equal(await page.locator('[data-view="app"]').count(), 0);
    assert.equal(await page.locator('button.save').count(), 1);
    assert.equal(await page.locator('[data-testid="read-only"]').count(), 0);
    await page.click('button.run-all');
    await waitText(page, `${cell('total')} .cell-outputs`, /total=42/);
    await page.locator(`${cell('sales')} table`).waitFor();
  } finally {
    await page.context().close();
  }
});

test("a viewer sees the prose and the newest run's report (not another user's live outputs), and no code editor, no Run, no way to change params", async () => {
  const page = await openAs('vic');
  const sent: string[] = [];
  page.on('websocket', (socket) => socket.on('framesent', (f) => sent.push(String(f.payload))));
  try {
    await page.locator('[data-view="app"]').waitFor();
    // The viewer's own session has no outputs (another user's never reach it: per-user sessions);
    // what they read is the newest recorded run's report: the editor's Run all above.
    const report = page.locator('[data-testid="run-report"]');
    await report.waitFor();
    const runId = await page.locator('[data-testid="run-row"]').first().getAttribute('data-run-id');
    assert.equal(await report.getAttribute('src'), `/api/runs/${runId}/report`);
    // (the report's frame is a document of its own: the page's text is the viewer's session's)
    assert.ok(!(await page.locator('body').innerText()).includes('total=42'), "no output of eda's session");
    assert.match((await page.locator('.app-prose').first().textContent()) ?? '', /Totals by region/);
    assert.match((await page.locator('.app-bar .nb-title').textContent()) ?? '', /Sales app/);
    assert.deepEqual(await editingControls(page), NONE);
    assert.equal(await page.locator('button.app-run, button.run-all').count(), 0, 'no Run');
    assert.ok(await page.locator('#param-factor').isDisabled(), 'the params are shown, not editable');
    assert.match(
      (await page.locator('[data-testid="read-only"]').textContent()) ?? '',
      /^You can view this notebook/,
    );
    assert.equal(await page.locator('[data-testid="run-history"]').count(), 1);
    assert.ok(!(await page.locator('body').innerText()).includes('21 * factor'), 'no code on the page');
    await shot(page, 'app-view-viewer');

    // An editing shortcut does nothing: no save goes to the server.
    const before = sent.length;
    await page.locator('.app-prose').first().click();
    await page.keyboard.press('Control+s');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(
      sent.slice(before).filter((f) => /"type":"(save|saveRaw|editCell)"/.test(f)),
      [],
    );
  } finally {
    await page.context().close();
  }
});

test('a runner changes a param, presses Run and sees the new output, with no code editor', async () => {
  const page = await openAs('rue');
  try {
    await page.locator('[data-view="app"]').waitFor();
    assert.deepEqual(await editingControls(page), NONE);
    assert.match((await page.locator('[data-testid="read-only"]').textContent()) ?? '', /run this notebook/);
    const factor = page.locator('#param-factor');
    assert.ok(await factor.isEnabled());
    await factor.fill('3');
    await factor.press('Enter');
    await page.click('button.app-run');
    await waitText(page, `${cell('total')} .cell-outputs`, /total=63/);
    await page.locator(`${cell('sales')} table`).waitFor();
    assert.deepEqual(await editingControls(page), NONE);
    await shot(page, 'app-view-runner');
  } finally {
    await page.context().close();
  }
});
