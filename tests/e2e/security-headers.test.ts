/**
 * The editor under its Content-Security-Policy (src/server/routes/static.ts) in a real Chromium:
 * a notebook with a Vega-Lite chart, a SQL table, an HTML output and typing in the editor, and
 * the output fixtures page, with zero violations; the WebSocket connects under connect-src
 * 'self'; and the policy is really enforced (an injected inline script is refused and reported,
 * so "zero" is not the listener seeing nothing).
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { Page } from 'playwright-core';
import { CONTENT_SECURITY_POLICY } from '../../src/server/routes/static.js';
import { start, watchCsp, type CspViolation, type Harness, test } from './helpers.js';

const CHARTS = [
  '# Outputs under the CSP',
  '',
  '```sql name=sales',
  "select * from (values ('EU', 120), ('US', 340), ('APAC', 90)) as t(region, total)",
  '```',
  '',
  '```ts name=chart',
  'vegalite({',
  '  data: { values: sales.rows },',
  "  mark: { type: 'bar', tooltip: true },",
  '  params: [{ name: "pick", select: "point" }],',
  '  encoding: {',
  "    x: { field: 'region', type: 'nominal' },",
  "    y: { field: 'total', type: 'quantitative' },",
  "    color: { condition: { param: 'pick', value: 'steelblue' }, value: 'lightgray' },",
  '  },',
  "  transform: [{ calculate: 'datum.total * 2', as: 'double' }, { filter: 'datum.double > 0' }],",
  '  width: 300,',
  '  height: 160,',
  '});',
  '```',
  '',
  '```ts name=rich',
  'html`<p class="rich" style="color: teal">An <b>HTML</b> output</p>`',
  '```',
  '',
  '```ts name=log',
  "console.log('to stdout');",
  'const n = 42;',
  'n',
  '```',
  '',
].join('\n');

let h: Harness;
let violations: CspViolation[];
before(async () => {
  h = await start({ 'charts.nb.md': CHARTS });
  h.page.setDefaultTimeout(60_000);
  violations = await watchCsp(h.context);
});
after(async () => {
  await h?.close();
});

const cell = (id: string) => `[data-cell-id="${id}"]`;
const waitStatus = (page: Page, id: string, status: string) =>
  page.locator(`${cell(id)}[data-status="${status}"]`).waitFor();

test('the notebook page carries the policy, and its WebSocket connects under it', async () => {
  const response = await h.page.goto(h.server.url + '/n/charts.nb.md');
  assert.equal(response?.headers()['content-security-policy'], CONTENT_SECURITY_POLICY);
  // the snapshot arrives over /ws: 'self' matched ws://host:port
  await h.page.waitForSelector('body[data-ready="notebook"]');
  await h.page.locator(`${cell('chart')} .cm-content`).waitFor();
  assert.equal(await h.page.locator('.connection').count(), 0, 'not "reconnecting…"');
  assert.deepEqual(violations, []);
});

test('a chart, a table, HTML, a stream and typing in the editor: zero CSP violations', async () => {
  const { page } = h;
  await page.goto(h.server.url + '/n/charts.nb.md');
  await page.locator(`${cell('chart')} .cm-content`).waitFor();
  await page.click('button.run-all');
  for (const id of ['sales', 'chart', 'rich', 'log']) await waitStatus(page, id, 'ok');
  await page.locator(`${cell('sales')} table`).waitFor();
  const chart = page.locator(`${cell('chart')} .output-vega svg`).first();
  await chart.waitFor({ state: 'visible' });
  assert.ok((await page.locator(`${cell('chart')} .mark-rect path`).count()) >= 3, 'the bars are drawn');
  // an expression-driven interaction: a click selects a bar (the point selection's expressions
  // run through the interpreter, not `new Function`)
  await page
    .locator(`${cell('chart')} .mark-rect path`)
    .first()
    .click();
  await page
    .locator(`${cell('chart')} .mark-rect path`)
    .first()
    .hover();
  // the HTML output is in its sandboxed frame, whose sizing script runs under the policy's hash
  const rich = page.frameLocator(`${cell('rich')} iframe.output-html`);
  assert.equal(await rich.locator('b').textContent(), 'HTML');
  assert.match((await page.locator(`${cell('log')} .cell-outputs`).textContent()) ?? '', /to stdout/);

  // CodeMirror: focus, type, autocomplete and brackets (it injects its styles as <style> elements)
  await page.click(`${cell('log')} .cm-content`);
  await page.keyboard.press('Control+End');
  await page.keyboard.type('\nconst m = (n + 1);\nm');
  await page.keyboard.press('Shift+Enter');
  await page.waitForFunction(
    `document.querySelector('${cell('log')} .cell-outputs')?.textContent?.includes('43')`,
  );
  assert.deepEqual(violations, []);
});

test('the output fixtures (text, HTML, Markdown, JSON, table, chart, SVG, error): zero violations', async () => {
  const { page } = h;
  await page.goto(h.server.url + '/#/dev/outputs');
  await page.locator('.fixtures-page').waitFor();
  await page
    .locator('.fixture[data-mime="application/vnd.vegalite.v5+json"] .output-vega svg')
    .first()
    .waitFor();
  await page.locator('[data-cell-id="failing"] .cm-error-line').waitFor();
  await page.goto(h.server.url + '/');
  await page.locator('.notebook-list li').first().waitFor();
  await page.keyboard.press('?');
  await page.locator('.help-panel').waitFor();
  assert.deepEqual(violations, []);
});

test('the policy is enforced: an injected inline script and an eval are refused and reported', async () => {
  const { page } = h;
  await page.goto(h.server.url + '/');
  await page.locator('.notebook-list li').first().waitFor();
  // An eval: page.evaluate's own code is exempt (as DevTools' is), but a string timer is compiled
  // later, from the event loop, under the page's policy.
  const ran = await page.evaluate(`(async () => {
    const script = document.createElement('script');
    script.textContent = 'globalThis.inlineRan = true';
    document.head.append(script);
    setTimeout('globalThis.evalRan = true', 0);
    // An inline script runs (or is refused) as it is inserted; timers of one delay fire in order,
    // so the string timer has had its turn when this one fires.
    await new Promise((resolve) => setTimeout(resolve, 0));
    return { inline: globalThis.inlineRan === true, evaluated: globalThis.evalRan === true };
  })()`);
  assert.deepEqual(ran, { inline: false, evaluated: false });
  const deadline = Date.now() + 5000;
  while (!violations.some((v) => v.directive === 'script-src-elem') && Date.now() < deadline)
    await page.waitForTimeout(50);
  const directives = new Set(violations.map((v) => v.directive));
  assert.ok(
    directives.has('script-src-elem'),
    `the inline script was reported: ${JSON.stringify(violations)}`,
  );
  assert.ok(directives.has('script-src'), `the eval was reported: ${JSON.stringify(violations)}`);
  violations.length = 0;
});
