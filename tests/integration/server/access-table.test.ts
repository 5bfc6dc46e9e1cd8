/**
 * The access table drives authorization (src/server/access.ts, gate.ts), so this test is generated
 * from it: every route the Hono app registers after the gate and every WebSocket command type of
 * the protocol must have an entry; for each entry, an authorizer that denies exactly its action
 * makes the request fail (403 / `not allowed`), and one that allows it lets it through to the
 * handler or session. Public routes pass with no session and never ask the authorizer. A route
 * or command missing from the table is refused and logged (fail closed).
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Hono } from 'hono';
import { ClientCommand } from '../../../src/protocol/index.js';
import { COMMANDS, ROUTES } from '../../../src/server/access.js';
import { createApp } from '../../../src/server/app.js';
import {
  ACTIONS,
  authorizeOwner,
  Logins,
  type Action,
  type Authorize,
  type Resource,
} from '../../../src/server/auth.js';
import { systemClock } from '../../../src/jobs/clock.js';
import { JobService } from '../../../src/jobs/service.js';
import { queueFor } from '../../../src/jobs/start.js';
import type { ServerEnv } from '../../../src/server/deps.js';
import { memoryEventSink } from '../../../src/server/events.js';
import { routeKey } from '../../../src/server/gate.js';
import { startServer, type RunningServer } from '../../../src/server/server.js';
import { WorkspaceFiles } from '../../../src/server/workspace-files.js';
import { NotebookSessions } from '../../../src/server/notebook-sessions.js';
import { spawnKernel } from '../../../src/kernel/factory.js';
import { EnvSecretSource } from '../../../src/secrets/source.js';
import { attachWebSockets } from '../../../src/server/ws.js';
import { QuireMetrics } from '../../../src/metrics/registry.js';
import { openStore } from '../../../src/store/open.js';
import type { RunStore } from '../../../src/store/run-store.js';
import { makeWorkspace, notebook, removeWorkspace, withCsrf } from './helpers.js';
import { login, TestClient } from './ws-client.js';

const COOKIE = 'quire_session_1';
const NOTEBOOK = notebook('Gate', [], '```ts name=x\nconst x = 1;\nx\n```\n');

let ws: string;
let store: RunStore;
let sessions: Logins;
let cookie: string;
let runId: string;

/** The authorizer of the app under test: every call is recorded; `deny` refuses that action. */
const policy = { deny: undefined as Action | 'all' | undefined, calls: [] as [Action, Resource][] };
const authorize: Authorize = (_user, action, resource) => {
  policy.calls.push([action, resource]);
  return policy.deny !== 'all' && policy.deny !== action;
};
const events = memoryEventSink();
const logged: unknown[] = [];

function app(): Hono<ServerEnv> {
  return createApp({
    files: new WorkspaceFiles(ws),
    logins: sessions,
    authorize,
    identity: () => ({ origins: new Set(['http://127.0.0.1:1']), cookieName: COOKIE }),
    logError: (error) => logged.push(error),
    events,
    store,
    metrics: new QuireMetrics(),
    uiDir: join(ws, '.ui'),
  });
}

before(async () => {
  ws = makeWorkspace({ 'a.nb.md': NOTEBOOK, '.ui/index.html': '<!doctype html>', '.ui/assets/x.js': '1' });
  store = await openStore({ workspace: ws });
  const created = await store.create({ path: 'a.nb.md', source: NOTEBOOK, trigger: 'cli', params: {} });
  runId = created!.id;
  sessions = new Logins();
  cookie = `${COOKIE}=${sessions.login(sessions.token)!}`;
});

after(async () => {
  await store.close();
  removeWorkspace(ws);
});

/** The routes registered after the gate: every one of them is answered through it. */
function gatedRoutes(hono: Hono<ServerEnv>): { method: string; path: string }[] {
  const at = hono.routes.findIndex((route) => route.handler.name === 'gate');
  assert.ok(at >= 0, 'the app has the gate');
  // Before it only middleware (`use`: method ALL): a route there would answer without the gate.
  assert.deepEqual(
    hono.routes.slice(0, at).filter((route) => route.method !== 'ALL'),
    [],
    'routes registered before the gate',
  );
  return hono.routes.slice(at + 1);
}

/** A concrete request for a route pattern: its params filled in, a body where it takes one. */
function sample(key: string): { url: string; init: RequestInit } {
  const [method, pattern] = key.split(' ') as [string, string];
  const url = pattern
    .replace(/:path\{[^}]*\}/, 'a.nb.md')
    .replace(':id', runId)
    .replace('*', 'x.js');
  const QUERY: Record<string, string> = { 'GET /login': `?token=${sessions.token}` };
  const BODY: Record<string, unknown> = {
    'PUT /api/notebooks/:path{.+}': { text: NOTEBOOK, baseVersion: null },
    'POST /api/runs': { path: 'a.nb.md' },
  };
  const body = BODY[key];
  assert.ok(
    !/:(?!path\{|id\b)/.test(pattern),
    `${key}: this test has no sample value for its params; add one to sample()`,
  );
  return {
    url: url + (QUERY[key] ?? ''),
    init: {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    },
  };
}

const withCookie = (init: RequestInit): RequestInit => ({
  ...init,
  headers: { ...(init.headers as Record<string, string>), ...withCsrf(cookie) },
});

test('every route of the app and every command of the protocol has an entry in the access table', () => {
  const keys = gatedRoutes(app()).map(routeKey);
  const missing = keys.filter((key) => !(key in ROUTES));
  assert.deepEqual(missing, [], 'routes without an access entry');
  // And no entry outlives its route (the app here has metrics and a UI, so it has them all).
  assert.deepEqual(
    Object.keys(ROUTES).filter((key) => !keys.includes(key)),
    [],
    'entries without a route',
  );
  const types = ClientCommand.options.map((option) => option.shape.type.value);
  assert.deepEqual(
    types.filter((type) => !(type in COMMANDS)),
    [],
    'commands without an access entry',
  );
  assert.deepEqual(Object.keys(COMMANDS).sort(), [...types].sort(), 'entries without a command');
});

for (const [key, entry] of Object.entries(ROUTES)) {
  if ('public' in entry) {
    test(`${key} is public: it answers without a session and never asks the authorizer`, async () => {
      const { url, init } = sample(key);
      policy.deny = 'all';
      policy.calls.length = 0;
      const response = await app().request(url, init);
      policy.deny = undefined;
      assert.ok(![401, 403, 404].includes(response.status), `${key} -> ${response.status}`);
      assert.deepEqual(policy.calls, []);
    });
    continue;
  }
  test(`${key} is ${entry.action}: refused without a session, denied with 403, allowed through`, async () => {
    const { url, init } = sample(key);
    const anonymous = await app().request(url, init);
    assert.equal(anonymous.status, 401, 'no session');

    policy.deny = entry.action;
    events.events.length = 0;
    const denied = await app().request(url, withCookie(init));
    assert.equal(denied.status, 403, `${key} with ${entry.action} denied`);
    assert.equal(events.events.at(-1)?.event, 'access.denied');
    assert.equal(events.events.at(-1)?.action, entry.action);

    // Every other action denied: this route asks for its own action only.
    for (const other of ACTIONS.filter((a) => a !== entry.action)) {
      policy.deny = other;
      policy.calls.length = 0;
      const allowed = await app().request(url, withCookie(init));
      assert.ok(![401, 403].includes(allowed.status), `${key} with ${other} denied -> ${allowed.status}`);
      assert.equal(policy.calls[0]?.[0], entry.action, 'the gate asked for the entry action first');
    }
    policy.deny = undefined;
  });
}

test('the resource comes from the request: a notebook by its resolved path, a run by its id and its notebook', async () => {
  policy.calls.length = 0;
  await app().request('/api/notebooks/a.nb.md', withCookie({}));
  await app().request(`/api/runs/${runId}`, withCookie({}));
  await app().request('/api/runs?path=a.nb.md', withCookie({}));
  await app().request('/api/notebooks', withCookie({}));
  assert.deepEqual(policy.calls.slice(0, 4), [
    ['notebook:read', { kind: 'notebook', path: 'a.nb.md' }],
    ['run:read', { kind: 'run', id: runId, path: 'a.nb.md' }],
    ['run:read', { kind: 'notebook', path: 'a.nb.md' }],
    ['notebook:read', { kind: 'workspace' }],
  ]);
  // The listing narrows its items with the same authorizer.
  assert.deepEqual(policy.calls[4], ['notebook:read', { kind: 'notebook', path: 'a.nb.md' }]);
});

test('a notebook path is resolved once per request, by the gate; the handler uses what it resolved', async () => {
  /** The real file service, counting how often the path rules run. */
  class CountingFiles extends WorkspaceFiles {
    calls: string[] = [];
    override resolve(requested: string) {
      this.calls.push(requested);
      return super.resolve(requested);
    }
  }
  const files = new CountingFiles(ws);
  // The real job service with its queue not started: a submission is a queued row, nothing runs.
  const jobs = new JobService({
    store,
    queue: queueFor(store, { concurrency: 1 }),
    clock: systemClock,
    worker: 'test@here:1',
    workspace: ws,
    kernels: spawnKernel,
    secrets: new EnvSecretSource(),
  });
  const hono = createApp({
    files,
    logins: sessions,
    authorize: authorizeOwner,
    identity: () => ({ origins: new Set(['http://127.0.0.1:1']), cookieName: COOKIE }),
    logError: (error) => logged.push(error),
    events: memoryEventSink(),
    store,
    jobs,
  });
  const requests: [string, RequestInit, number][] = [
    ['/api/notebooks/a.nb.md', {}, 200],
    ['/api/runs?path=a.nb.md', {}, 200],
    ['/api/notebooks/new.nb.md', sample('PUT /api/notebooks/:path{.+}').init, 200],
    ['/api/runs', sample('POST /api/runs').init, 202],
  ];
  for (const [url, init, status] of requests) {
    files.calls.length = 0;
    const response = await hono.request(url, withCookie(init));
    assert.equal(response.status, status, `${url}: ${await response.text()}`);
    assert.equal(files.calls.length, 1, `${init.method ?? 'GET'} ${url} resolved ${files.calls.join(', ')}`);
  }
  // A bad path still answers as the routes always did: 400 for its syntax, 404 for no such file.
  for (const [url, status, error] of [
    ['/api/notebooks/%252e%252e/a.nb.md', 400, 'invalid-path'],
    ['/api/notebooks/notes.txt', 400, 'invalid-path'],
    ['/api/notebooks/missing.nb.md', 404, 'not-found'],
  ] as const) {
    const response = await hono.request(url, withCookie({}));
    assert.equal(response.status, status, url);
    const body = (await response.json()) as { error: string; message: string };
    assert.equal(body.error, error, url);
    if (status === 404) assert.equal(body.message, 'notebook "missing.nb.md" does not exist');
  }
});

test('a route that is not in the table is refused with 403 and logged', async () => {
  const hono = app();
  hono.get('/api/undeclared', (c) => c.json({ reached: true }));
  logged.length = 0;
  const response = await hono.request('/api/undeclared', withCookie({}));
  assert.equal(response.status, 403);
  assert.match(((await response.json()) as { message: string }).message, /not declared in the access table/);
  assert.equal(logged.length, 1);
  assert.match(String(logged[0]), /GET \/api\/undeclared has no entry/);
});

test('state changes emit one event each, with user, action, resource, outcome and no content', async () => {
  events.events.length = 0;
  const hono = app();
  const read = (await (await hono.request('/api/notebooks/a.nb.md', withCookie({}))).json()) as {
    version: string;
  };
  const put = (baseVersion: string | null) =>
    hono.request(
      '/api/notebooks/a.nb.md',
      withCookie({
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: NOTEBOOK + '\nsecret-looking code\n', baseVersion }),
      }),
    );
  assert.equal((await put(read.version)).status, 200);
  assert.equal((await put(read.version)).status, 409);
  assert.equal((await hono.request(`/login?token=${sessions.token}`)).status, 302);
  assert.equal((await hono.request('/login?token=wrong')).status, 401);
  const seen = events.events.map((e) => [e.event, e.user, e.action, e.outcome, e.detail.status]);
  assert.deepEqual(seen, [
    ['notebook.saved', 'owner', 'notebook:edit', 'ok', 200],
    ['notebook.saved', 'owner', 'notebook:edit', 'failed', 409],
    ['login', 'owner', null, 'ok', 302],
    ['login', null, null, 'failed', 401],
  ]);
  assert.deepEqual(events.events[0]!.resource, { kind: 'notebook', path: 'a.nb.md' });
  assert.match(String(events.events[0]!.detail.version), /^[0-9a-f]{64}$/);
  assert.equal(events.events[0]!.detail.created, false);
  assert.deepEqual(events.events[1]!.detail, { status: 409 }, 'a failed save adds nothing');
  assert.ok(!JSON.stringify(events.events).includes('secret-looking'), 'no notebook text in events');
  assert.ok(!JSON.stringify(events.events).includes(sessions.token), 'no login token in events');
  assert.ok(events.events.every((e) => !Number.isNaN(Date.parse(e.time))));
});

// ---- WebSocket ----------------------------------------------------------------------------------

/** One valid command of each type, for the notebook above (cell `x`). */
const COMMAND_SAMPLES: {
  [T in ClientCommand['type']]: Omit<Extract<ClientCommand, { type: T }>, 'requestId'>;
} = {
  open: { type: 'open', path: 'a.nb.md' },
  tablePage: { type: 'tablePage', cellId: 'x', offset: 0, limit: 10 },
  editCell: { type: 'editCell', cellId: 'x', source: 'const x = 2;\nx' },
  insertCell: { type: 'insertCell', index: 0, language: 'prose', source: 'Hello' },
  deleteCell: { type: 'deleteCell', cellId: 'nope' },
  moveCell: { type: 'moveCell', cellId: 'x', index: 1 },
  renameCell: { type: 'renameCell', cellId: 'x', name: 'y' },
  save: { type: 'save', baseVersion: '0'.repeat(64) },
  saveRaw: { type: 'saveRaw', text: 'x', baseVersion: '0'.repeat(64) },
  revert: { type: 'revert' },
  runCell: { type: 'runCell', cellId: 'nope' },
  runAll: { type: 'runAll' },
  runStale: { type: 'runStale' },
  interrupt: { type: 'interrupt' },
  setParams: { type: 'setParams', values: {} },
};

const wsEvents = memoryEventSink();

test('every command: denied its action it gets `not allowed` and never reaches the session; allowed it does', async (t) => {
  const server = await startServer({ workspace: ws, port: 0, jobs: false, authorize, events: wsEvents });
  t.after(() => server.close());
  const client = await TestClient.connect(server, await login(server));
  for (const [type, entry] of Object.entries(COMMANDS)) {
    const command = COMMAND_SAMPLES[type as ClientCommand['type']];
    policy.deny = undefined;
    await client.request({ type: 'open', path: 'a.nb.md' });
    const session = await server.notebooks.open('a.nb.md');
    const before = { text: session.text, dirty: session.dirty };
    policy.deny = entry.action;
    wsEvents.events.length = 0;
    const denied = await client.request(command);
    assert.deepEqual({ text: session.text, dirty: session.dirty }, before, `${type} changed nothing`);
    assert.equal(denied.type, 'error', type);
    assert.equal(denied.message, `not allowed: ${entry.action} on a.nb.md`, type);
    assert.deepEqual(
      wsEvents.events.map((e) => [e.event, e.action, e.outcome]),
      [['access.denied', entry.action, 'denied']],
      type,
    );
    policy.deny = undefined;
    const allowed = await client.request(command);
    assert.doesNotMatch(String(allowed.message ?? ''), /not allowed/, `${type} allowed`);
    const emitted = wsEvents.events.slice(1);
    assert.equal(emitted.length, entry.event ? 1 : 0, `${type}: one event per state change`);
    if (entry.event) {
      const failed = allowed.type === 'error' || allowed.type === 'conflict';
      assert.equal(emitted[0]!.event, entry.event.name, type);
      assert.equal(emitted[0]!.outcome, failed ? 'failed' : 'ok', type);
      assert.deepEqual(emitted[0]!.resource, { kind: 'notebook', path: 'a.nb.md' });
      assert.ok(!JSON.stringify(emitted[0]).includes('const x'), `${type}: no cell code in the event`);
    }
  }
  await client.request({ type: 'interrupt' });
  await client.close();
});

test('a command that is not in the table is refused and logged', async (t) => {
  const errors: unknown[] = [];
  const { runAll: _runAll, ...partial } = COMMANDS;
  const files = new WorkspaceFiles(ws);
  const notebooks = new NotebookSessions(files, { kernels: spawnKernel, secrets: new EnvSecretSource() });
  // The WebSocket endpoint alone, on a bare HTTP server, with the partial table.
  const http = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  const endpoint = attachWebSockets(http, {
    logins: sessions,
    authorize,
    identity: () => ({ origins: new Set([`http://127.0.0.1:${port}`]), cookieName: COOKIE }),
    notebooks,
    files,
    events,
    logError: (e) => errors.push(e),
    commands: partial,
  });
  t.after(async () => {
    await endpoint.close();
    await notebooks.close();
    await new Promise((resolve) => http.close(resolve));
  });
  const fake = { url: `http://127.0.0.1:${port}` } as RunningServer;
  const client = await TestClient.connect(fake, cookie);
  assert.equal((await client.request({ type: 'open', path: 'a.nb.md' })).type, 'snapshot');
  const refused = await client.request({ type: 'runAll' });
  await client.close();
  assert.equal(refused.type, 'error');
  assert.match(String(refused.message), /runAll is not declared in the access table/);
  assert.match(String(errors.at(-1)), /refused command runAll/);
});
