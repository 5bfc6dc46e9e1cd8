// Schedules (pure): the front matter's `schedule` checked field by field, when it fires across
// DST changes, which missed slots a catch-up runs, and the retry backoff.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { retryDelay } from '../../../src/jobs/backoff.js';
import { parseSchedule } from '../../../src/jobs/schedule-spec.js';
import { catchupSlots, nextSlot, scheduleKey, slotsBetween } from '../../../src/jobs/slots.js';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const at = (text: string) => Date.parse(text);

describe('parseSchedule', () => {
  test('defaults and every field', () => {
    assert.deepEqual(parseSchedule({ cron: '0 6 * * 1-5' }), {
      cron: '0 6 * * 1-5',
      timezone: 'UTC',
      params: {},
      retries: 0,
      backoff: { initialMs: 30_000, maxMs: 1_800_000 },
      catchup: { policy: 'latest', max: 24 },
      concurrency: 1,
    });
    const full = parseSchedule({
      cron: '*/10 * * * * *',
      timezone: 'Europe/Berlin',
      params: { region: 'EU' },
      retries: 3,
      backoff: { initial: '1s', max: '1m' },
      timeout: '10m',
      catchup: { policy: 'all', max: 5 },
      concurrency: 2,
    });
    assert.equal(full.timeoutMs, 600_000);
    assert.deepEqual(full.backoff, { initialMs: 1000, maxMs: 60_000 });
    assert.deepEqual(full.catchup, { policy: 'all', max: 5 });
    assert.equal(parseSchedule('0 * * * *').cron, '0 * * * *');
  });

  test('errors name the field', () => {
    const cases: [unknown, RegExp][] = [
      [{ cron: '0 6 * *' }, /schedule\.cron: expected 5 fields .* got 4/],
      [{ cron: '61 * * * *' }, /schedule\.cron: .*minute/],
      [
        { cron: '0 6 * * *', timezone: 'Mars/Olympus' },
        /schedule\.timezone: unknown time zone "Mars\/Olympus"/,
      ],
      [{ cron: '0 6 * * *', retries: -1 }, /schedule\.retries: expected a whole number from 0/],
      [{ cron: '0 6 * * *', retries: 1.5 }, /schedule\.retries/],
      [{ cron: '0 6 * * *', timeout: 'soon' }, /schedule\.timeout/],
      [{ cron: '0 6 * * *', catchup: 'some' }, /schedule\.catchup: expected skip, latest or all/],
      [{ cron: '0 6 * * *', backoff: { initial: '1m', max: '1s' } }, /schedule\.backoff\.max/],
      [{ cron: '0 6 * * *', cron2: 1 }, /schedule\.cron2: unknown key/],
      [{ cron: 6 }, /schedule\.cron: expected a cron expression/],
      [42, /schedule\.cron: expected/],
    ];
    for (const [raw, message] of cases) assert.throws(() => parseSchedule(raw), message, JSON.stringify(raw));
  });
});

describe('slots', () => {
  const berlin = (cron: string) => ({ cron, timezone: 'Europe/Berlin' });

  test('weekdays at 06:00 Berlin time', () => {
    // Thursday 2026-11-26 12:00 UTC → Friday 06:00 CET (05:00 UTC), then Monday
    const first = nextSlot(berlin('0 6 * * 1-5'), at('2026-11-26T12:00:00Z'));
    assert.equal(iso(first), '2026-11-27T05:00:00.000Z');
    assert.equal(iso(nextSlot(berlin('0 6 * * 1-5'), first!)), '2026-11-30T05:00:00.000Z');
  });

  test('a time skipped when clocks go forward fires once, at the end of the gap', () => {
    // 2026-03-29 02:00 → 03:00 in Berlin: 02:30 does not exist that day
    const slots = slotsBetween(
      berlin('30 2 * * *'),
      at('2026-03-27T12:00:00Z'),
      at('2026-03-31T12:00:00Z'),
      10,
    );
    assert.deepEqual(slots.map(iso), [
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:00:00.000Z', // 03:00 CEST, right after the gap
      '2026-03-30T00:30:00.000Z',
      '2026-03-31T00:30:00.000Z',
    ]);
  });

  test('a daily time that happens twice when clocks go back fires once', () => {
    // 2026-10-25 03:00 → 02:00 in Berlin: 02:30 happens at 00:30 UTC and at 01:30 UTC
    const slots = slotsBetween(
      berlin('30 2 * * *'),
      at('2026-10-24T12:00:00Z'),
      at('2026-10-26T12:00:00Z'),
      10,
    );
    assert.deepEqual(slots.map(iso), ['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });

  test('an every-30-minutes schedule keeps its pace through the repeated hour', () => {
    const slots = slotsBetween(
      berlin('*/30 * * * *'),
      at('2026-10-24T23:50:00Z'),
      at('2026-10-25T02:10:00Z'),
      20,
    );
    // real time passes in 30-minute steps: no gap, no double slot at one instant
    const gaps = slots.slice(1).map((s, i) => s - slots[i]!);
    assert.ok(
      gaps.every((g) => g === 30 * 60_000),
      JSON.stringify(slots.map(iso)),
    );
    assert.equal(slots.length, 5);
  });

  test('six fields: seconds first', () => {
    const slots = slotsBetween(
      { cron: '*/15 * * * * *', timezone: 'UTC' },
      at('2026-01-01T00:00:00Z'),
      at('2026-01-01T00:01:00Z'),
      10,
    );
    assert.equal(slots.length, 4);
  });

  test('catch-up after 5 hours down, hourly: skip 0, latest 1, all 5 (capped)', () => {
    const missed = slotsBetween(
      { cron: '0 * * * *', timezone: 'UTC' },
      at('2026-11-26T00:00:00Z'),
      at('2026-11-26T05:30:00Z'),
      100,
    );
    assert.equal(missed.length, 5);
    assert.deepEqual(catchupSlots(missed, 'skip', 24), []);
    assert.deepEqual(catchupSlots(missed, 'latest', 24).map(iso), ['2026-11-26T05:00:00.000Z']);
    assert.equal(catchupSlots(missed, 'all', 24).length, 5);
    assert.deepEqual(catchupSlots(missed, 'all', 2).map(iso), [
      '2026-11-26T04:00:00.000Z',
      '2026-11-26T05:00:00.000Z',
    ]);
  });

  test('a month of a per-second schedule is not enumerated whole', () => {
    const slots = slotsBetween(
      { cron: '* * * * * *', timezone: 'UTC' },
      at('2026-01-01T00:00:00Z'),
      at('2026-02-01T00:00:00Z'),
      3,
      1000,
    );
    assert.equal(slots.length, 3);
  });

  test('the schedule key names the notebook and the slot in UTC', () => {
    assert.equal(scheduleKey('a/b.nb.md', at('2026-11-27T05:00:00Z')), 'a/b.nb.md@2026-11-27T05:00:00.000Z');
  });
});

describe('retryDelay', () => {
  const backoff = { initialMs: 1000, maxMs: 10_000 };
  test('exponential, capped, jittered within the upper half', () => {
    assert.equal(
      retryDelay(1, backoff, () => 0),
      500,
    );
    assert.equal(
      retryDelay(1, backoff, () => 1),
      1000,
    );
    assert.equal(
      retryDelay(3, backoff, () => 1),
      4000,
    );
    assert.equal(
      retryDelay(10, backoff, () => 1),
      10_000,
    );
    for (let i = 0; i < 100; i++) {
      const d = retryDelay(2, backoff);
      assert.ok(d >= 1000 && d <= 2000);
    }
  });
});
