/**
 * A report rendered on request is kept in the store (rendering it again gives the same bytes),
 * except when a chart was stopped at its time limit: that may go differently another time (a busy
 * machine), so such a report is shown but not kept, and opening the run again renders it again.
 * Runs are recorded by the real CLI (bin/quire.js: `npm run build` first).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadRecord, storedReport } from '../../../src/runner/stored-run.js';
import { stopChartRenderer } from '../../../src/outputs/render/chart-sandbox.js';
import { openStore } from '../../../src/store/open.js';
import type { RunStore } from '../../../src/store/run-store.js';
import { makeWorkspace, removeWorkspace, runCli } from '../cli/helpers.js';

const chart = (transform: string) =>
  '```ts name=chart\n' +
  `vegalite({ data: { values: [{ a: 1 }] }, mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' } }, transform: [${transform}] })\n` +
  '```\n';

// Catastrophic backtracking: this expression runs for far longer than any time limit.
const SLOW = chart(
  `{ calculate: "test(regexp('^(a+)+$'), 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!')", as: 'z' }`,
);
const FAST = chart('');

let ws: string;
let store: RunStore;

before(async () => {
  ws = makeWorkspace({ 'slow.nb.md': SLOW, 'fast.nb.md': FAST });
  for (const file of ['slow.nb.md', 'fast.nb.md']) {
    const result = await runCli(['run', file], { cwd: ws });
    assert.equal(result.code, 0, result.stderr);
  }
  store = await openStore({ workspace: ws });
});

after(async () => {
  stopChartRenderer();
  await store.close();
  removeWorkspace(ws);
});

async function runOf(path: string) {
  const [run] = await store.list({ path, limit: 1 });
  assert.ok(run, path);
  return (await store.get(run.id))!;
}

test('a report with a chart stopped at its time limit is not kept', { timeout: 120_000 }, async () => {
  const run = await runOf('slow.nb.md');
  const record = await loadRecord(store, run);
  assert.ok(record);
  const html = await storedReport(store, run, record, { charts: { timeoutMs: 500 } });
  assert.match(html, /chart in cell &quot;chart&quot; could not be rendered: it took longer than 0\.5 s/);
  assert.equal((await store.get(run.id))?.reportSha256, undefined, 'the report was kept');
});

test('a complete report is kept', { timeout: 120_000 }, async () => {
  const run = await runOf('fast.nb.md');
  const record = await loadRecord(store, run);
  assert.ok(record);
  const html = await storedReport(store, run, record);
  assert.match(html, /<figure class="q-chart"><svg/);
  assert.ok((await store.get(run.id))?.reportSha256, 'the report was not kept');
});
