// What `schedule.changed` and `secret.read` are made of, without a server: the schedule of a
// notebook's text before and after (a table of cases), and the audited secret source over the
// real environment and store sources — one read per (run, cell, name), none for a `get` without a
// reader, its origin, and the value registered with the process's redactor.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { scheduleChange, scheduleFacts } from '../../../src/audit/schedule-change.js';
import { auditSecretReads, secretReadEvent, type SecretRead } from '../../../src/audit/secret-reads.js';
import { checkEvent } from '../../../src/audit/schema.js';
import { MasterKeys, keyFilePath } from '../../../src/secrets/master-key.js';
import { SecretRedactor } from '../../../src/secrets/redactor.js';
import { SecretStore } from '../../../src/secrets/store.js';
import { hostSecretSource } from '../../../src/secrets/store-source.js';
import { scopeSecrets, SecretRefusedError } from '../../../src/secrets/source.js';
import { openStore } from '../../../src/store/open.js';

const nb = (front: string) => `---\ntitle: T\n${front}---\n\n# T\n`;

describe('scheduleChange', () => {
  const cases: { name: string; before: string | null; after: string | null; expected: unknown }[] = [
    { name: 'no schedule either side', before: nb(''), after: nb('tags: [a]\n'), expected: undefined },
    {
      name: 'the same schedule, other text',
      before: nb('schedule: { cron: "0 6 * * *" }\n'),
      after: nb('schedule: {cron: "0 6 * * *"}\ntags: [x]\n'),
      expected: undefined,
    },
    {
      name: 'added',
      before: nb(''),
      after: nb('schedule: { cron: "0 6 * * *", timezone: UTC }\n'),
      expected: {
        change: 'added',
        oldCron: null,
        oldTimezone: null,
        newCron: '0 6 * * *',
        newTimezone: 'UTC',
        fields: ['cron', 'timezone'],
      },
    },
    {
      name: 'a param changed: its key, not its value',
      before: nb('schedule: { cron: "0 6 * * *", params: { key: old } }\n'),
      after: nb('schedule: { cron: "0 6 * * *", params: { key: new-secret-ish } }\n'),
      expected: {
        change: 'changed',
        oldCron: '0 6 * * *',
        oldTimezone: null,
        newCron: '0 6 * * *',
        newTimezone: null,
        fields: ['params'],
      },
    },
    {
      name: 'removed with the file',
      before: nb('schedule: { cron: "5 4 * * *" }\n'),
      after: null,
      expected: {
        change: 'removed',
        oldCron: '5 4 * * *',
        oldTimezone: null,
        newCron: null,
        newTimezone: null,
        fields: ['cron'],
      },
    },
    {
      name: 'a notebook that no longer parses has no schedule (as for the scheduler)',
      before: nb('schedule: { cron: "5 4 * * *" }\n'),
      after: '---\nschedule: [unclosed\n',
      expected: {
        change: 'removed',
        oldCron: '5 4 * * *',
        oldTimezone: null,
        newCron: null,
        newTimezone: null,
        fields: ['cron'],
      },
    },
  ];
  for (const c of cases)
    test(c.name, () => {
      assert.deepEqual(scheduleChange(scheduleFacts(c.before), scheduleFacts(c.after)), c.expected);
    });
});

describe('auditSecretReads', () => {
  test('one secret.read per (run, cell, name), with its origin; none without a reader', async (t) => {
    const workspace = mkdtempSync(join(tmpdir(), 'quire-audit-reads-'));
    const store = await openStore({ workspace });
    t.after(async () => {
      await store.close();
      rmSync(workspace, { recursive: true, force: true });
    });
    const env = {
      QUIRE_MASTER_KEY: Buffer.alloc(32, 3).toString('base64'),
      QUIRE_SECRET_FROM_ENV: 'env-v-1',
    };
    await new SecretStore(store.db, new MasterKeys({ file: keyFilePath(workspace), env })).set(
      'IN_STORE',
      'store-v-2',
    );
    const reads: SecretRead[] = [];
    const redactor = new SecretRedactor();
    const source = auditSecretReads(
      hostSecretSource(store.db, workspace, env).source,
      (r) => reads.push(r),
      redactor,
    );
    await source.prepare?.(['IN_STORE', 'FROM_ENV']);
    const reader = { cellId: 'c1', runId: 'run-1', path: 'a.nb.md' };
    assert.equal(source.get('FROM_ENV', reader), 'env-v-1');
    assert.equal(source.get('FROM_ENV', reader), 'env-v-1');
    assert.equal(source.get('IN_STORE', reader), 'store-v-2');
    assert.equal(source.get('IN_STORE', { ...reader, cellId: 'c2' }), 'store-v-2');
    assert.equal(source.get('IN_STORE'), 'store-v-2', 'a check, not a read');
    assert.equal(source.get('MISSING', reader), undefined);
    assert.deepEqual(
      reads.map((r) => [r.name, r.cellId, r.origin]),
      [
        ['FROM_ENV', 'c1', 'env'],
        ['IN_STORE', 'c1', 'store'],
        ['IN_STORE', 'c2', 'store'],
      ],
    );
    assert.equal(redactor.redact('x env-v-1 store-v-2'), 'x [REDACTED] [REDACTED]');
    const event = checkEvent(secretReadEvent(reads[1]!, 'worker'));
    assert.deepEqual(
      [event.resource, event.detail],
      [
        { kind: 'run', id: 'run-1', path: 'a.nb.md' },
        { name: 'IN_STORE', cellId: 'c1', origin: 'store', runId: 'run-1' },
      ],
    );
  });

  test("the audited source keeps the secret's grants: each run's view is scoped, and audited", async (t) => {
    const workspace = mkdtempSync(join(tmpdir(), 'quire-audit-reads-'));
    const store = await openStore({ workspace });
    t.after(async () => {
      await store.close();
      rmSync(workspace, { recursive: true, force: true });
    });
    const env = { QUIRE_MASTER_KEY: Buffer.alloc(32, 4).toString('base64') };
    const secrets = new SecretStore(store.db, new MasterKeys({ file: keyFilePath(workspace), env }));
    await secrets.set('WH', 'granted-v-3');
    await secrets.grant('WH', { kind: 'path', subject: 'reports/' });
    const reads: SecretRead[] = [];
    const source = auditSecretReads(hostSecretSource(store.db, workspace, env).source, (r) => reads.push(r));
    await source.prepare?.(['WH']);
    const granted = scopeSecrets(source, { notebookPath: 'reports/q1.nb.md' });
    assert.equal(granted.get('WH', { cellId: 'c1', runId: 'r-1' }), 'granted-v-3');
    const other = scopeSecrets(source, { notebookPath: 'scratch/x.nb.md' });
    assert.throws(() => other.get('WH', { cellId: 'c1', runId: 'r-2' }), SecretRefusedError);
    assert.deepEqual(
      reads.map((r) => [r.name, r.runId, r.origin]),
      [['WH', 'r-1', 'store']],
      'the granted read is audited, from the store; the refused one is not a read',
    );
  });
});
