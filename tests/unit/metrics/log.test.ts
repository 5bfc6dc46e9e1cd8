/** The JSON line logger: line shape, levels, child fields, redaction, and values JSON cannot encode. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger, isLogLevel, type LoggerOptions } from '../../../src/metrics/log.js';
import { SecretRedactor } from '../../../src/secrets/redactor.js';

const NOW = new Date('2025-03-04T05:06:07.089Z');

function capture(options: Omit<LoggerOptions, 'stream' | 'now'> = {}) {
  const lines: string[] = [];
  const logger = createLogger({
    ...options,
    now: () => NOW,
    stream: { write: (line: string) => lines.push(line) },
  });
  const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, parsed };
}

test('one JSON object per line: time, level and msg first, then the fields', () => {
  const { logger, lines } = capture();
  logger.info('run finished', { runId: 'r1', durationMs: 1200 });
  assert.deepEqual(lines, [
    '{"time":"2025-03-04T05:06:07.089Z","level":"info","msg":"run finished","runId":"r1","durationMs":1200}\n',
  ]);
});

test('lines below the level are dropped (info by default)', () => {
  const { logger, parsed } = capture({ level: 'warn' });
  logger.debug('d');
  logger.info('i');
  logger.warn('w');
  logger.error('e');
  assert.deepEqual(
    parsed().map((l) => l.level),
    ['warn', 'error'],
  );
  const defaults = capture();
  defaults.logger.debug('hidden');
  assert.deepEqual(defaults.lines, []);
});

test('a child carries its fields on every line; the call fields and later children win', () => {
  const { logger, parsed } = capture({ base: { worker: 'w1' } });
  const run = logger.child({ runId: 'r7', notebook: 'sales.nb.md' });
  run.info('started');
  run.child({ notebook: 'other.nb.md' }).warn('retrying', { attempt: 2 });
  logger.info('idle');
  assert.deepEqual(parsed(), [
    {
      time: NOW.toISOString(),
      level: 'info',
      msg: 'started',
      worker: 'w1',
      runId: 'r7',
      notebook: 'sales.nb.md',
    },
    {
      time: NOW.toISOString(),
      level: 'warn',
      msg: 'retrying',
      worker: 'w1',
      runId: 'r7',
      notebook: 'other.nb.md',
      attempt: 2,
    },
    { time: NOW.toISOString(), level: 'info', msg: 'idle', worker: 'w1' },
  ]);
});

test('a field named like the line’s own keys cannot overwrite them', () => {
  const { logger, parsed } = capture();
  logger.error('real', { level: 'debug', msg: 'fake', time: 'never' });
  assert.deepEqual(parsed(), [
    {
      time: NOW.toISOString(),
      level: 'error',
      msg: 'real',
      'fields.level': 'debug',
      'fields.msg': 'fake',
      'fields.time': 'never',
    },
  ]);
});

test('redact sees every string, nested ones and error messages included', () => {
  const secret = 'hunter2-"quoted"';
  const redactor = new SecretRedactor();
  redactor.register(secret);
  const { logger, lines } = capture({ redact: (text) => redactor.redact(text) });
  logger.error(`login failed with ${secret}`, {
    url: `postgres://u:${secret}@db`,
    nested: { list: [secret] },
    err: new Error(`bad password ${secret}`),
  });
  assert.equal(lines.length, 1);
  assert.doesNotMatch(lines[0]!, /hunter2/);
  const line = JSON.parse(lines[0]!) as { msg: string; err: { name: string; message: string } };
  assert.equal(line.msg, 'login failed with [REDACTED]');
  assert.equal(line.err.name, 'Error');
  assert.equal(line.err.message, 'bad password [REDACTED]');
});

test('cycles, bigints and throwing getters never make a log call throw', () => {
  const { logger, parsed } = capture();
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const shared = { x: 1 };
  logger.info('values', { cyclic, big: 10n ** 20n, pair: [shared, shared] });
  const hostile = {
    get boom(): never {
      throw new Error('getter exploded');
    },
  };
  logger.warn('hostile', { hostile });
  const [values, fallback] = parsed();
  assert.deepEqual(values!.cyclic, { a: 1, self: '[Circular]' });
  assert.equal(values!.big, '100000000000000000000');
  assert.deepEqual(values!.pair, [{ x: 1 }, { x: 1 }], 'a repeated object is not a cycle');
  assert.equal(fallback!.msg, 'hostile');
  assert.match(String(fallback!.logError), /getter exploded/);
});

test('isLogLevel accepts exactly the four levels', () => {
  assert.deepEqual(['debug', 'info', 'warn', 'error', 'trace', 'INFO'].map(isLogLevel), [
    true,
    true,
    true,
    true,
    false,
    false,
  ]);
});

test("redact never rewrites the line's own time and level (a one-letter secret)", () => {
  const redactor = new SecretRedactor();
  redactor.register('e');
  redactor.register('2');
  const { logger, parsed } = capture({ redact: (text) => redactor.redact(text) });
  logger.error('the secret e leaked', { note: 'e' });
  const [line] = parsed();
  assert.equal(line?.time, NOW.toISOString());
  assert.equal(line?.level, 'error');
  assert.equal(line?.msg, 'th[REDACTED] s[REDACTED]cr[REDACTED]t [REDACTED] l[REDACTED]ak[REDACTED]d');
  assert.equal(line?.note, '[REDACTED]');
});
