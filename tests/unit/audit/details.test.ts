// The per-event detail schemas (audit/details.ts, entry schema 2) and the redaction every entry
// passes (audit/redact.ts): every event the code declares has a schema; the log refuses an event
// without one or a detail that does not fit; entries of schema 1 (free-form details) still parse
// and verify; a secret value in a user-content detail field is stored as [REDACTED], while fields
// of quire's own vocabulary are never rewritten.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { appendTo, entryHash, EMPTY_CHAIN } from '../../../src/audit/chain.js';
import { EVENT_DETAILS_V1 } from '../../../src/audit/details.js';
import { AuditLog } from '../../../src/audit/log.js';
import { AUDIT_SCHEMA, parseEntry, type AuditEntry, type AuditEvent } from '../../../src/audit/schema.js';
import { registerStoreSecrets } from '../../../src/audit/secret-values.js';
import { AuditWriter } from '../../../src/audit/writer.js';
import { recordCliEvent } from '../../../src/cli/audit-trail.js';
import { createLogger } from '../../../src/metrics/log.js';
import { SecretRedactor } from '../../../src/secrets/redactor.js';
import { MasterKeys, keyFilePath } from '../../../src/secrets/master-key.js';
import { SecretStore } from '../../../src/secrets/store.js';
import { COMMANDS, ROUTES } from '../../../src/server/access.js';
import { runFinished, runStarted } from '../../../src/server/events.js';
import { openStore } from '../../../src/store/open.js';
import type { RunStore } from '../../../src/store/run-store.js';
import type { StoredRun } from '../../../src/store/types.js';
import { clearAuditLog } from '../../support/audit-tamper.js';

const event = (overrides: Partial<AuditEvent> = {}): AuditEvent => ({
  time: '2026-12-04T12:00:00.000Z',
  event: 'cell.renamed',
  user: 'owner',
  action: 'notebook:edit',
  resource: { kind: 'notebook', path: 'a.nb.md' },
  outcome: 'ok',
  via: 'ws',
  detail: { cellId: 'c1', name: 'total' },
  ...overrides,
});

const schemas = EVENT_DETAILS_V1 as Record<string, unknown>;

describe('detail schemas', () => {
  test('every event the access table, the gate and the jobs emit has a detail schema', () => {
    const declared = new Set<string>(['access.denied', 'secret.read', 'schedule.changed']);
    for (const entry of Object.values(ROUTES)) if (entry.event) declared.add(entry.event.name);
    for (const entry of Object.values(COMMANDS)) if (entry.event) declared.add(entry.event.name);
    const run = { id: 'r1', path: 'a.nb.md', trigger: 'api', status: 'ok', attempt: 1 } as StoredRun;
    declared.add(runFinished(run).event).add(runStarted(run, 1, 'worker@h:1').event);
    const missing = [...declared].filter((name) => !(name in schemas));
    assert.deepEqual(missing, [], 'events without a detail schema (audit/details.ts)');
    for (const name of ['notebook.opened', 'notebook.deleted', 'export']) assert.ok(declared.has(name), name);
  });

  test("the gate's and the jobs' own details fit their schemas", () => {
    const run = {
      id: 'r1',
      path: 'a.nb.md',
      trigger: 'schedule',
      status: 'error',
      attempt: 2,
      durationMs: 12,
    } as StoredRun;
    for (const made of [runFinished(run, new Date(), 'worker'), runStarted(run, 2, 'worker@h:1')])
      assert.doesNotThrow(() => parseEntry(appendTo(EMPTY_CHAIN, [made as AuditEvent])[0]));
  });

  test('an entry of schema 1 (a free-form detail) still parses and verifies beside schema 2', () => {
    const legacyBody = {
      ...event({ event: 'anything.old', detail: { n: 1, list: ['x'] } }),
      schema: 1 as const,
      seq: 1,
      prevHash: EMPTY_CHAIN.hash,
    };
    const legacy: AuditEntry = { ...legacyBody, hash: entryHash(legacyBody) };
    assert.deepEqual(parseEntry(legacy), legacy);
    const [current] = appendTo({ seq: 1, hash: legacy.hash }, [event()]);
    assert.equal(current!.schema, AUDIT_SCHEMA);
    assert.deepEqual(parseEntry(current), current);
    // the same free-form detail under schema 2 does not parse
    assert.throws(
      () => parseEntry({ ...legacy, schema: 2 }),
      /no detail schema for the event .*anything\.old/,
    );
  });
});

describe('the log on SQLite', () => {
  let store: RunStore;
  let workspace: string;

  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'quire-audit-details-'));
    store = await openStore({ workspace });
  });
  after(async () => {
    await store.close();
    rmSync(workspace, { recursive: true, force: true });
  });

  test('an event without a schema, or with a field its schema does not name, is refused', async () => {
    await clearAuditLog(store.db);
    const audit = new AuditLog(store.db);
    await assert.rejects(audit.append([event({ event: 'notebook.exploded' })]), /no detail schema/);
    await assert.rejects(
      audit.append([event({ detail: { cellId: 'c1', name: 'x', code: 'const k = 1' } })]),
      /Unrecognized key: "code"/,
    );
    const lines: string[] = [];
    const writer = new AuditWriter(audit, createLogger({ stream: { write: (l: string) => lines.push(l) } }));
    writer.emit(event({ event: 'notebook.exploded' }));
    await writer.flush();
    assert.match(lines.join(''), /audit event refused.*no detail schema/);
    assert.equal((await audit.head()).seq, 0);
  });

  test('old entries (schema 1) in the table still verify, and new ones chain after them', async () => {
    await clearAuditLog(store.db);
    const body = {
      ...event({ event: 'login', detail: { created: true } }),
      schema: 1 as const,
      seq: 1,
      prevHash: EMPTY_CHAIN.hash,
    };
    const legacy = { ...body, hash: entryHash(body) };
    await store.db.run(
      `INSERT INTO audit_log (seq, schema_version, time_ms, event, user_id, action, resource, outcome, via, detail, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        1,
        1,
        Date.parse(legacy.time),
        legacy.event,
        legacy.user,
        legacy.action,
        JSON.stringify(legacy.resource),
        legacy.outcome,
        legacy.via,
        JSON.stringify(legacy.detail),
        legacy.prevHash,
        legacy.hash,
      ],
    );
    const audit = new AuditLog(store.db);
    await audit.append([event()]);
    const result = await audit.verify();
    assert.equal(result.ok, true);
    assert.deepEqual(
      (await audit.list()).map((e) => [e.seq, e.schema, e.event]),
      [
        [1, 1, 'login'],
        [2, 2, 'cell.renamed'],
      ],
    );
  });

  test('a secret value in a detail is stored [REDACTED]; ids and statuses are never rewritten', async () => {
    await clearAuditLog(store.db);
    const redactor = new SecretRedactor();
    redactor.register('tok_4f9a2c7e1b');
    redactor.register('ok'); // a short value that happens to be a status
    const audit = new AuditLog(store.db, { redactor });
    const writer = new AuditWriter(audit, createLogger({ stream: { write: () => undefined } }));
    writer.emit(event({ detail: { cellId: 'c1', name: 'price_tok_4f9a2c7e1b' } }));
    writer.emit(
      event({
        event: 'run.finished',
        detail: { runId: 'r1', status: 'ok', trigger: 'api', attempt: 1, durationMs: 3 },
      }),
    );
    writer.emit(event({ event: 'params.changed', detail: { names: ['region', 'tok_4f9a2c7e1b'] } }));
    await writer.flush();
    const details = (await audit.list()).map((e) => e.detail);
    assert.deepEqual(details, [
      { cellId: 'c1', name: 'price_[REDACTED]' },
      { runId: 'r1', status: 'ok', trigger: 'api', attempt: 1, durationMs: 3 },
      { names: ['region', '[REDACTED]'] },
    ]);
    assert.equal((await audit.verify()).ok, true);
  });

  test("recordCliEvent redacts the environment's and the store's secret values", async () => {
    await clearAuditLog(store.db);
    const env = { QUIRE_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') };
    await new SecretStore(store.db, new MasterKeys({ file: keyFilePath(workspace), env })).set(
      'API',
      'stored-value-9d3e',
    );
    const redactor = await registerStoreSecrets(new SecretRedactor(), store.db, workspace, env);
    await recordCliEvent(
      store.db,
      'token.created',
      { kind: 'token', id: 't1' },
      { user: 'bob stored-value-9d3e', scope: 'read', expiresAt: 1 },
      { redactor },
    );
    process.env.QUIRE_SECRET_AUDIT_DETAILS_TEST = 'env-value-51aa';
    try {
      await recordCliEvent(
        store.db,
        'token.created',
        { kind: 'token', id: 't2' },
        { user: 'ann env-value-51aa', scope: 'read', expiresAt: 1 },
      );
    } finally {
      delete process.env.QUIRE_SECRET_AUDIT_DETAILS_TEST;
    }
    assert.deepEqual(
      (await new AuditLog(store.db).list()).map((e) => e.detail.user),
      ['bob [REDACTED]', 'ann [REDACTED]'],
    );
  });
});
