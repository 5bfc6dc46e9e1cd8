/**
 * Several views of one live session, and the failures between them, in a real Chromium against a
 * real server and kernels: two tabs on one notebook see each other's edits (in the same cell too),
 * statuses and outputs;
 * a dropped connection while a cell runs shows "reconnecting…" and then the finished output,
 * without a reload; a kernel SIGKILLed mid-cell shows an error on that cell and the next run
 * works. (A stale save's conflict is tests/e2e/editor.test.ts.)
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { Page } from 'playwright-core';
import { kernelProcesses } from '../support/kernel-processes.js';
import { start, startProxy, type Harness, type Proxy, test } from './helpers.js';

const SHARED = [
  '# Shared',
  '',
  '```ts name=one',
  'const a = 1;',
  'a',
  '```',
  '',
  '```ts name=two',
  'const b = a + 1;',
  '`b=${b}`',
  '```',
  '',
  '```ts name=wait',
  'await new Promise((r) => setTimeout(r, 1500));',
  'const waited = b * 10;',
  '`waited=${waited}`',
  '```',
  '',
].join('\n');

const SLOW =
  "```ts name=slow\nawait new Promise((r) => setTimeout(r, 2000));\nconst done = 'finished';\ndone\n```\n";

const HANG =
  '```ts name=hang\nconsole.log("in the kernel");\nawait new Promise((r) => setTimeout(r, 120_000));\n```\n\n' +
  '```ts name=fine\nconst fine = 41 + 1;\nfine\n```\n';

let h: Harness;
/** the browser reaches the server only through this proxy, so that a test can cut the line */
let proxy: Proxy;
before(async () => {
  proxy = await startProxy();
  h = await start(
    {
      'shared.nb.md': SHARED,
      'slow.nb.md': SLOW,
      // its own folder: the kernel's cwd is the notebook's folder, which tells its process apart
      'hang/hang.nb.md': HANG,
    },
    { proxy },
  );
  // kernels start cold and the machine may be busy: generous waits
  h.page.setDefaultTimeout(60_000);
});
after(async () => {
  await h?.close();
  await proxy?.close();
});

const cell = (id: string) => `[data-cell-id="${id}"]`;
const waitStatus = (page: Page, id: string, status: string, timeout = 60_000) =>
  page.locator(`${cell(id)}[data-status="${status}"]`).waitFor({ timeout });

async function waitText(page: Page, selector: string, pattern: RegExp, timeout = 60_000): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const text = (await page.locator(selector).count()) ? await page.locator(selector).textContent() : '';
    if (pattern.test(text ?? '')) return;
    if (Date.now() > deadline) throw new Error(`${selector}: ${JSON.stringify(text)} !~ ${pattern}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
const waitOutput = (page: Page, id: string, pattern: RegExp, timeout?: number) =>
  waitText(page, `${cell(id)} .cell-outputs`, pattern, timeout);

/** Marks the page; `stillSamePage` is false after a reload or navigation. */
const markPage = (page: Page) => page.evaluate('globalThis.quireMark = 1');
const stillSamePage = (page: Page) => page.evaluate('globalThis.quireMark === 1');

test('two tabs on one notebook: an edit in A shows in B; Run all in A streams statuses and outputs to B', async () => {
  const a = h.page;
  const b = await h.context.newPage();
  b.setDefaultTimeout(60_000);
  try {
    for (const page of [a, b]) {
      await page.goto(h.url + '/n/shared.nb.md');
      await page.locator(`${cell('one')} .cm-content`).waitFor();
    }
    await markPage(b);

    await a.click(`${cell('one')} .cm-content`);
    await a.keyboard.press('Control+a');
    await a.keyboard.type('const a = 5;\na');
    // the edit goes to the server after the typing pause, and from there to every other tab
    await waitText(b, `${cell('one')} .cm-content`, /const a = 5;/);
    // the session has unsaved edits, and B says so too
    await waitText(b, '.save-status', /unsaved/);

    await a.click('button.run-all');
    // B sees the slow cell running, then every cell's result of the edited source
    await waitStatus(b, 'wait', 'running');
    for (const id of ['one', 'two', 'wait']) await waitStatus(b, id, 'ok');
    await waitOutput(b, 'one', /^5$/);
    await waitOutput(b, 'two', /b=6/);
    await waitOutput(b, 'wait', /waited=60/);
    await waitOutput(a, 'wait', /waited=60/);
    assert.match((await b.locator(`${cell('wait')} .cell-duration`).textContent()) ?? '', /\d/);
    assert.ok(await stillSamePage(b), 'B got all of it live, without a reload');

    // Now B edits the cell A typed in: A shows B's text, and A's next run does not send its own
    // older text back over it.
    await b.click(`${cell('one')} .cm-content`);
    await b.keyboard.press('Control+a');
    await b.keyboard.type('const a = 7;\na');
    await waitText(a, `${cell('one')} .cm-content`, /const a = 7;/);
    await a.click('button.run-all');
    await waitOutput(a, 'one', /^7$/);
    await waitOutput(b, 'two', /b=8/);
    assert.match((await b.locator(`${cell('one')} .cm-content`).textContent()) ?? '', /const a = 7;/);
  } finally {
    await b.close();
  }
});

test('a connection dropped while a 2 s cell runs: "reconnecting…", then the finished output, no reload', async () => {
  const { page } = h;
  await page.goto(h.url + '/n/slow.nb.md');
  await page.locator(`${cell('slow')} .cm-content`).waitFor();
  await markPage(page);
  await page.click(`${cell('slow')} .cell-run`);
  await waitStatus(page, 'slow', 'running');

  // The line drops: the WebSocket is reset, and the reconnects fail until it is back.
  proxy.cut();
  try {
    await page.locator('.connection', { hasText: 'reconnecting' }).waitFor({ timeout: 10_000 });
    // the cell finishes on the server (a tab that reaches it without the proxy sees it) while this
    // tab cannot hear it
    const direct = await h.context.newPage();
    try {
      await direct.goto(h.server.url + '/n/slow.nb.md');
      await waitStatus(direct, 'slow', 'ok');
    } finally {
      await direct.close();
    }
    assert.equal(await page.locator(`${cell('slow')}[data-status="ok"]`).count(), 0, 'not heard yet');
  } finally {
    proxy.restore();
  }
  await page.locator('.connection').waitFor({ state: 'detached', timeout: 30_000 });
  await waitStatus(page, 'slow', 'ok');
  await waitOutput(page, 'slow', /finished/);
  assert.ok(await stillSamePage(page), 'the page was not reloaded');
});

test('a kernel SIGKILLed mid-cell: the cell shows an error, and the next run works', async () => {
  const { page } = h;
  await page.goto(h.url + '/n/hang/hang.nb.md');
  await page.locator(`${cell('hang')} .cm-content`).waitFor();
  await page.click(`${cell('hang')} .cell-run`);
  // "running" shows when the cell is sent, maybe before its kernel exists: its first line is proof.
  await waitOutput(page, 'hang', /in the kernel/);

  const kernels = kernelProcesses().filter((k) => k.cwd === join(h.workspace, 'hang'));
  assert.equal(kernels.length, 1, `one kernel for hang/: ${JSON.stringify(kernelProcesses())}`);
  process.kill(kernels[0]!.pid, 'SIGKILL');

  await waitStatus(page, 'hang', 'error', 30_000);
  await page.locator(`${cell('hang')} .output-error`).waitFor();
  assert.match((await page.locator(`${cell('hang')} .output-error`).textContent()) ?? '', /SIGKILL|killed/i);

  await page.click(`${cell('fine')} .cell-run`);
  await waitStatus(page, 'fine', 'ok');
  await waitOutput(page, 'fine', /42/);
  const after = kernelProcesses().filter((k) => k.cwd === join(h.workspace, 'hang'));
  assert.equal(after.length, 1, 'a new kernel runs the next cell');
  assert.notEqual(after[0]!.pid, kernels[0]!.pid);
});
