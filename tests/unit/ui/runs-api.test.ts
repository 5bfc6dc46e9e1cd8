/**
 * What the run history panel shows (src/ui/runs-api.ts): durations at the scale that reads best,
 * start times in a sortable local form, trigger labels, and which runs have a report.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  formatRunDuration,
  formatRunTime,
  hasReport,
  reportUrl,
  triggerLabel,
  type RunSummary,
} from '../../../src/ui/runs-api.js';

test('durations: ms under a second, tenths under a minute, then minutes and hours', () => {
  const cases: [number | undefined, string][] = [
    [undefined, '—'],
    [-1, '—'],
    [0, '0 ms'],
    [849.6, '850 ms'],
    [2400, '2.4 s'],
    [59_949, '59.9 s'],
    [185_000, '3 min 05 s'],
    [3_720_000, '1 h 02 min'],
  ];
  for (const [ms, text] of cases) assert.equal(formatRunDuration(ms), text, String(ms));
});

test('start times: local, zero-padded, to the second', () => {
  const at = new Date(2026, 0, 5, 7, 8, 9).getTime();
  assert.equal(formatRunTime(at), '2026-01-05 07:08:09');
  assert.equal(formatRunTime(undefined), '—');
});

test('triggers read as the command or place that started the run', () => {
  assert.equal(triggerLabel('cli'), 'quire run');
  assert.equal(triggerLabel('editor'), 'editor');
  assert.equal(triggerLabel('schedule'), 'schedule');
});

test('only a run with a record has a report; its URL escapes the id', () => {
  const run: RunSummary = {
    id: 'run-1',
    path: 'a.nb.md',
    trigger: 'cli',
    status: 'error',
    params: {},
    createdAt: 0,
  };
  assert.equal(hasReport(run), false, 'e.g. lost with its worker before any record');
  assert.equal(hasReport({ ...run, recordSha256: 'ab'.repeat(32) }), true);
  assert.equal(reportUrl('run-a/b'), '/api/runs/run-a%2Fb/report');
});
