// Failure fingerprints (what alerts are deduplicated by) and the pure alert decision, as tables.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decide, type AlertState, type FinalEvent } from '../../../src/jobs/alerts.js';
import { failureFingerprint, normalizeError } from '../../../src/jobs/fingerprint.js';

const normalized: [string, string][] = [
  ['timeout after 3012 ms', 'timeout after <n> ms'],
  ['the run passed its time limit (3012ms)', 'the run passed its time limit (<n>ms)'],
  ["can't open 'data/orders.csv': no such file", "can't open <str>: no such file"],
  ['Table with name "orders" does not exist!', 'Table with name <str> does not exist!'],
  ['value `x` and `y`', 'value <str> and <str>'],
  ['run run-20250102T030405Z-a1b2c3 was lost', 'run <run> was lost'],
  ['lease expired at 2025-01-02T03:04:05.123Z', 'lease expired at <time>'],
  ['started 2025-01-02 03:04:05+01:00, stopped 12:00:01', 'started <time>, stopped <time>'],
  ['blob 5f2a9c0e1b missing', 'blob <id> missing'],
  ['request 123e4567-e89b-12d3-a456-426614174000 failed', 'request <id> failed'],
  ['pointer 0xDEADbeef', 'pointer <id>'],
  // names that contain digits are part of the error, not noise
  ['table orders_2024 not found in cell2', 'table orders_2024 not found in cell2'],
  ['words like deadbeef and decade stay', 'words like deadbeef and decade stay'],
  ['1.5e3 rows, 12.5% of 1,000,000', '<n> rows, <n>% of <n>'],
  ['Error: boom\n    at f (cell.ts:3:7)', 'Error: boom'],
  ['\n\n  first line  \nsecond', 'first line'],
  ['', ''],
];
for (const [input, expected] of normalized) {
  test(`normalizeError(${JSON.stringify(input)})`, () => {
    assert.equal(normalizeError(input), expected);
  });
}

test('fingerprints: run-specific details match, other errors and other notebooks do not', () => {
  const a = failureFingerprint('a.nb.md', 'cell "load" timed out after 3012 ms');
  assert.match(a, /^[0-9a-f]{64}$/);
  assert.equal(failureFingerprint('a.nb.md', "cell 'fetch' timed out after 2998 ms"), a);
  assert.notEqual(failureFingerprint('b.nb.md', 'cell "load" timed out after 3012 ms'), a);
  assert.notEqual(failureFingerprint('a.nb.md', 'division by zero'), a);
});

const HOUR = 3_600_000;
const failing: AlertState = {
  failing: true,
  fingerprint: 'f1',
  failingSince: 1000,
  lastSentAt: 1000,
  lastRunId: 'r1',
  lastOutcome: 'sent',
  suppressed: 2,
};
const failure = (fingerprint: string, finishedAt = 5000): FinalEvent => ({
  status: 'error',
  fingerprint,
  runId: 'r2',
  finishedAt,
});
const ok = (finishedAt = 5000): FinalEvent => ({ status: 'ok', runId: 'r2', finishedAt });

const decisions: [string, AlertState | undefined, FinalEvent, number, string][] = [
  ['first failure', undefined, failure('f1'), 5000, 'send failure'],
  ['same failure within the window', failing, failure('f1'), 1000 + HOUR - 1, 'deduplicate'],
  ['same failure after the window', failing, failure('f1'), 1000 + HOUR, 'send failure'],
  ['another failure within the window', failing, failure('f2'), 5000, 'send failure'],
  ['same failure after a recovery', { ...failing, failing: false }, failure('f1'), 5000, 'send failure'],
  ['timeout counts as failure', undefined, { ...failure('f1'), status: 'timeout' }, 5000, 'send failure'],
  ['success while failing', failing, ok(), 5000, 'send recovered'],
  ['success when not failing', { ...failing, failing: false }, ok(), 5000, 'none'],
  ['success of a never failed notebook', undefined, ok(), 5000, 'none'],
  ['a success that finished before the failure', failing, ok(999), 5000, 'none'],
  ['cancelled', failing, { status: 'cancelled', runId: 'r2', finishedAt: 5000 }, 5000, 'none'],
];
for (const [name, state, event, now, expected] of decisions) {
  test(`decide: ${name} -> ${expected}`, () => {
    const d = decide(state, event, now, HOUR);
    assert.equal(d.action === 'send' ? `send ${d.kind}` : d.action, expected);
  });
}

test('decide: the states written', () => {
  const dedupe = decide(failing, failure('f1'), 2000, HOUR);
  assert.deepEqual(dedupe.action === 'deduplicate' && dedupe.state, { ...failing, suppressed: 3 });

  // a repeat after the window keeps the failing stretch's start and reports the repeats
  const again = decide(failing, failure('f1'), 1000 + HOUR, HOUR);
  assert.ok(again.action === 'send' && again.kind === 'failure');
  assert.equal(again.repeats, 2);
  assert.deepEqual(again.state, {
    failing: true,
    fingerprint: 'f1',
    failingSince: 1000,
    lastSentAt: 1000 + HOUR,
    lastRunId: 'r2',
    lastOutcome: 'pending',
    suppressed: 0,
  });
  const other = decide(failing, failure('f2'), 2000, HOUR);
  assert.ok(other.action === 'send' && other.kind === 'failure');
  assert.equal(other.repeats, 0);

  const recovered = decide(failing, ok(), 6000, HOUR);
  assert.ok(recovered.action === 'send' && recovered.kind === 'recovered');
  assert.equal(recovered.failingSince, 1000);
  assert.equal(recovered.state.failing, false);
  assert.equal(recovered.state.failingSince, undefined);
});
