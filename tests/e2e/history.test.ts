/**
 * The run history panel in a real browser against a real server, kernels and the real CLI: a
 * `quire run` of the notebook is listed, Run all adds an `editor` run as soon as it is recorded,
 * a failed run shows its error line, and a run's report opens in a sandboxed iframe (no script,
 * no CSP violation) and in a new tab.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { Page } from 'playwright-core';
import { runCli } from '../integration/cli/helpers.js';
import { shot, start, waitForCount, watchCsp, type CspViolation, type Harness, test } from './helpers.js';

const SALES = [
  '---',
  'title: History demo',
  '---',
  '',
  '# History demo',
  '',
  '```sql name=sales',
  "select * from (values ('EU', 120), ('US', 340)) as t(region, total)",
  '```',
  '',
  '```ts name=total',
  'const total = sales.rows.reduce((s, r) => s + Number(r.total), 0);',
  '`total=${total}`',
  '```',
  '',
].join('\n');

const FAILING = "# Failing\n\n```ts name=boom\nthrow new Error('the feed is empty');\n```\n";

let h: Harness;
let violations: CspViolation[];
before(async () => {
  h = await start({ 'sales.nb.md': SALES, 'failing.nb.md': FAILING });
  violations = await watchCsp(h.context);
  // kernels start cold and the machine may be busy: generous waits
  h.page.setDefaultTimeout(60_000);
  const cli = await runCli(['run', 'sales.nb.md'], { cwd: h.workspace });
  assert.equal(cli.code, 0, cli.stderr);
});
after(async () => {
  await h?.close();
});

const ROW = '[data-testid="run-row"]';

async function openHistory(page: Page, path: string): Promise<void> {
  await page.goto(`${h.server.url}/n/${path}`);
  await page.locator('button.run-all').waitFor();
  await page.click('[data-testid="run-history-toggle"]');
}

test('the panel lists `quire run` runs, and a Run all appears once recorded, newest first', async () => {
  const { page } = h;
  await openHistory(page, 'sales.nb.md');
  await waitForCount(page, ROW, 1, 20_000);
  assert.equal(await page.locator(`${ROW} [data-testid="run-trigger"]`).textContent(), 'quire run');
  assert.equal(await page.locator(ROW).getAttribute('data-status'), 'ok');

  await page.click('button.run-all');
  // `runRecorded` (running, then ok) reloads the list: no refresh by hand.
  await waitForCount(page, ROW, 2, 60_000);
  await page.locator(`${ROW}[data-status="ok"]`).nth(1).waitFor();
  const first = page.locator(ROW).first();
  assert.equal(await first.locator('[data-testid="run-trigger"]').textContent(), 'editor');
  assert.equal(await first.getAttribute('data-status'), 'ok');
  assert.match((await first.locator('.run-duration').textContent()) ?? '', /\d+(\.\d)? m?s/);

  await first.locator('[data-testid="run-show-report"]').click();
  const frame = page.locator('[data-testid="run-report"]');
  assert.equal(await frame.getAttribute('sandbox'), '', 'no scripts, an opaque origin');
  const report = page.frameLocator('[data-testid="run-report"]');
  assert.equal(await report.locator('h1').first().textContent(), 'History demo');
  await report.getByText('total=460').first().waitFor();
  await shot(page, 'run-history');

  // The same report in a new tab, under its own policy.
  const [tab] = await Promise.all([
    h.context.waitForEvent('page'),
    first.locator('.run-open-report').click(),
  ]);
  await tab.waitForLoadState();
  assert.match((await tab.locator('h1').first().textContent()) ?? '', /History demo/);
  assert.equal(await tab.locator('script').count(), 0, 'no script in the report');
  await tab.close();
  assert.deepEqual(violations, [], 'no CSP violation in the editor or the report');
});

test('a failed Run all shows its status and the line saying why', async () => {
  const { page } = h;
  await openHistory(page, 'failing.nb.md');
  await page.locator('[data-testid="run-history-empty"]').waitFor();
  await page.click('button.run-all');
  await page.locator(`${ROW}[data-status="error"]`).waitFor();
  assert.match(
    (await page.locator(`${ROW} [data-testid="run-error"]`).textContent()) ?? '',
    /boom.*the feed is empty/,
  );
});
