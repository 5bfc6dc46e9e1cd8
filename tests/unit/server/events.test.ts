/** The end of a queued run as an event (src/server/events.ts `runFinished`). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runFinished } from '../../../src/server/events.js';
import type { StoredRun } from '../../../src/store/types.js';

const RUN: StoredRun = {
  id: 'r-1',
  path: 'reports/q1.nb.md',
  sha256: 'a'.repeat(64),
  trigger: 'submit',
  status: 'ok',
  params: { region: 'EU' },
  createdAt: 0,
  attempt: 2,
  maxAttempts: 3,
  durationMs: 1500,
  error: 'a secret-looking message',
};

test('a run that ended ok is an ok run.finished on the run, via the queue, by nobody', () => {
  const event = runFinished(RUN, new Date(0));
  assert.deepEqual(event, {
    time: '1970-01-01T00:00:00.000Z',
    event: 'run.finished',
    user: null,
    action: null,
    resource: { kind: 'run', id: 'r-1', path: 'reports/q1.nb.md' },
    outcome: 'ok',
    via: 'queue',
    detail: { runId: 'r-1', status: 'ok', trigger: 'submit', attempt: 2, durationMs: 1500 },
  });
  assert.ok(!JSON.stringify(event).includes('secret-looking'), 'no error text (it may quote a value)');
  assert.ok(!JSON.stringify(event).includes('EU'), 'no params');
});

test('every other final state is a failed outcome', () => {
  for (const status of ['error', 'timeout', 'cancelled'] as const) {
    const event = runFinished({ ...RUN, status, durationMs: undefined });
    assert.equal(event.outcome, 'failed', status);
    assert.equal(event.detail.status, status);
    assert.equal(event.detail.durationMs, null);
  }
});
