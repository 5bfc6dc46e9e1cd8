/**
 * QuireMetrics: every event shows up under its documented name, type and labels; gauges are read
 * at scrape time; each instance has its own registry. promtool's verdict on the output is in
 * tests/integration/metrics/promtool.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { register as globalRegistry } from 'prom-client';
import { CELL_BUCKETS, QuireMetrics, RUN_BUCKETS } from '../../../src/metrics/registry.js';
import { parseSamples, typesOf, valueOf } from '../../support/prom-text.js';

const bare = (): QuireMetrics => new QuireMetrics({ version: '9.9.9', defaultMetrics: false });

test('every Quire metric family has its documented type', async () => {
  const metrics = bare();
  metrics.setGauges({ sessions: () => 0, kernels: () => 0, queueDepth: () => 0 });
  assert.deepEqual(Object.fromEntries(typesOf(await metrics.text())), {
    quire_runs_total: 'counter',
    quire_run_duration_seconds: 'histogram',
    quire_cell_duration_seconds: 'histogram',
    quire_kernel_crashes_total: 'counter',
    quire_schedule_lag_seconds: 'histogram',
    quire_alerts_total: 'counter',
    quire_build_info: 'gauge',
    quire_sessions: 'gauge',
    quire_kernels: 'gauge',
    quire_queue_depth: 'gauge',
  });
});

test('a finished run counts under its trigger and status, and its duration under its trigger', async () => {
  const metrics = bare();
  metrics.runFinished('schedule', 'ok', 1.5);
  metrics.runFinished('schedule', 'ok', 40);
  metrics.runFinished('manual', 'error', 0.05);
  const text = await metrics.text();
  assert.equal(valueOf(text, 'quire_runs_total', { trigger: 'schedule', status: 'ok' }), 2);
  assert.equal(valueOf(text, 'quire_runs_total', { trigger: 'manual', status: 'error' }), 1);
  assert.equal(valueOf(text, 'quire_run_duration_seconds_count', { trigger: 'schedule' }), 2);
  assert.equal(valueOf(text, 'quire_run_duration_seconds_sum', { trigger: 'schedule' }), 41.5);
  assert.equal(valueOf(text, 'quire_run_duration_seconds_bucket', { trigger: 'schedule', le: '2.5' }), 1);
  assert.equal(valueOf(text, 'quire_run_duration_seconds_bucket', { trigger: 'schedule', le: '60' }), 2);
  assert.equal(valueOf(text, 'quire_run_duration_seconds_bucket', { trigger: 'manual', le: '0.1' }), 1);
});

test('the histograms span 0.1 s to 1 h for runs and 1 ms to 10 min for cells', async () => {
  assert.equal(RUN_BUCKETS[0], 0.1);
  assert.equal(RUN_BUCKETS.at(-1), 3600);
  assert.equal(CELL_BUCKETS[0], 0.001);
  assert.equal(CELL_BUCKETS.at(-1), 600);
  const metrics = bare();
  metrics.cellFinished('sql', 0.0004);
  metrics.cellFinished('sql', 900);
  const text = await metrics.text();
  const le = (value: string) =>
    valueOf(text, 'quire_cell_duration_seconds_bucket', { language: 'sql', le: value });
  assert.equal(le('0.001'), 1);
  assert.equal(le('600'), 1);
  assert.equal(le('+Inf'), 2);
});

test('kernel crashes, schedule lag (early fires count as 0) and alerts', async () => {
  const metrics = bare();
  metrics.kernelCrashed();
  metrics.kernelCrashed();
  metrics.scheduleFired(0.3);
  metrics.scheduleFired(-2);
  metrics.alert('failure', 'sent');
  metrics.alert('failure', 'sent');
  metrics.alert('recovered', 'deduplicated');
  const text = await metrics.text();
  assert.equal(valueOf(text, 'quire_kernel_crashes_total'), 2);
  assert.equal(valueOf(text, 'quire_schedule_lag_seconds_count'), 2);
  assert.equal(valueOf(text, 'quire_schedule_lag_seconds_sum'), 0.3);
  assert.equal(valueOf(text, 'quire_schedule_lag_seconds_bucket', { le: '0.01' }), 1);
  assert.equal(valueOf(text, 'quire_alerts_total', { kind: 'failure', outcome: 'sent' }), 2);
  assert.equal(valueOf(text, 'quire_alerts_total', { kind: 'recovered', outcome: 'deduplicated' }), 1);
});

test('every alert series exists at 0 before the first alert, so rate() sees the first one', async () => {
  const alerts = parseSamples(await bare().text()).filter((s) => s.name === 'quire_alerts_total');
  assert.deepEqual(alerts.map((s) => `${s.labels.kind}/${s.labels.outcome}=${s.value}`).sort(), [
    'failure/deduplicated=0',
    'failure/failed=0',
    'failure/sent=0',
    'recovered/deduplicated=0',
    'recovered/failed=0',
    'recovered/sent=0',
  ]);
});

test('gauges are absent until registered, then read at every scrape', async () => {
  const metrics = bare();
  assert.equal(valueOf(await metrics.text(), 'quire_sessions'), undefined);
  let sessions = 1;
  metrics.setGauges({ sessions: () => sessions, queueDepth: async () => 7 });
  assert.equal(valueOf(await metrics.text(), 'quire_sessions'), 1);
  sessions = 4;
  const text = await metrics.text();
  assert.equal(valueOf(text, 'quire_sessions'), 4);
  assert.equal(valueOf(text, 'quire_queue_depth'), 7);
  assert.equal(valueOf(text, 'quire_kernels'), undefined);
  // A later registration replaces the callback (no "already registered" error).
  metrics.setGauges({ sessions: () => 9 });
  assert.equal(valueOf(await metrics.text(), 'quire_sessions'), 9);
});

test('a gauge whose callback throws reads NaN; the rest of the scrape still answers', async () => {
  const heard: string[] = [];
  const metrics = new QuireMetrics({
    defaultMetrics: false,
    onGaugeError: (gauge, error) => heard.push(`${gauge}: ${(error as Error).message}`),
  });
  metrics.setGauges({ queueDepth: () => Promise.reject(new Error('database down')), kernels: () => 2 });
  const text = await metrics.text();
  assert.ok(Number.isNaN(valueOf(text, 'quire_queue_depth')));
  assert.equal(valueOf(text, 'quire_kernels'), 2);
  assert.deepEqual(heard, ['queueDepth: database down']);
});

test('quire_build_info is 1 with the version and the Node.js version', async () => {
  const text = await bare().text();
  assert.equal(valueOf(text, 'quire_build_info', { version: '9.9.9', node: process.version }), 1);
  const packaged = await new QuireMetrics({ defaultMetrics: false }).text();
  const info = parseSamples(packaged).find((s) => s.name === 'quire_build_info');
  assert.match(info?.labels.version ?? '', /^\d+\.\d+\.\d+/);
});

test('default process metrics are included, minus the gauges promtool rejects', async () => {
  const text = await new QuireMetrics().text();
  const types = typesOf(text);
  assert.equal(types.get('process_cpu_seconds_total'), 'counter');
  assert.equal(types.get('process_resident_memory_bytes'), 'gauge');
  assert.equal(types.get('nodejs_active_handles_total'), undefined);
  assert.equal(types.get('nodejs_active_requests_total'), undefined);
  assert.equal(types.get('nodejs_active_resources_total'), undefined);
  assert.equal(typesOf(await bare().text()).has('process_cpu_seconds_total'), false);
});

test('each instance has its own registry, and the global one is left alone', async () => {
  const one = bare();
  const two = bare();
  one.kernelCrashed();
  assert.equal(valueOf(await one.text(), 'quire_kernel_crashes_total'), 1);
  assert.equal(valueOf(await two.text(), 'quire_kernel_crashes_total'), 0);
  assert.equal(globalRegistry.getSingleMetric('quire_kernel_crashes_total'), undefined);
});

test('the content type is Prometheus text format 0.0.4', () => {
  assert.equal(bare().contentType, 'text/plain; version=0.0.4; charset=utf-8');
});
