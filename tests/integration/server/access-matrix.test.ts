/**
 * The access matrix, generated: every entry of the access table (ROUTES over HTTP, COMMANDS over
 * the WebSocket) × every principal (a user of each role, API tokens of each scope) × every kind of
 * notebook (in a folder granted to the principal's group at `run`, in a folder granted only to
 * someone else, open, locked) against a real `quire serve` in accounts mode. The expected answer
 * comes from the entry's action and the model written out again here (`expected`), independent of
 * src/auth/grants.ts; each case is one real request. The resource of each case is what the entry
 * itself derives from the request, so a new entry is covered without editing this file, and a
 * route or command of the app without an entry fails the first test.
 *
 * Listings are checked too: GET /api/notebooks and GET /api/runs show exactly what the principal
 * may read.
 */
import assert from 'node:assert/strict';
import { rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Accounts } from '../../../src/auth/accounts.js';
import { insertGrant } from '../../../src/auth/grants-store.js';
import { replaceGroups } from '../../../src/auth/groups.js';
import { lockNotebook } from '../../../src/auth/locks.js';
import type { Scope } from '../../../src/auth/roles.js';
import { ClientCommand } from '../../../src/protocol/index.js';
import { COMMANDS, ROUTES, type RouteRequest } from '../../../src/server/access.js';
import { createApp } from '../../../src/server/app.js';
import type { Action, Resource } from '../../../src/server/auth.js';
import { memoryEventSink } from '../../../src/server/events.js';
import { routeKey } from '../../../src/server/gate.js';
import { startServer, type RunningServer } from '../../../src/server/server.js';
import { openStore } from '../../../src/store/open.js';
import { accountLogin, makeWorkspace, notebook, removeWorkspace, withCsrf } from './helpers.js';
import { TestClient } from './ws-client.js';

// ---- the model, written out again ---------------------------------------------------------------

/** The kinds of notebook: a folder each (the notebook in it is `<place>/n.nb.md`). */
const PLACES = ['own', 'foreign', 'open', 'locked'] as const;
type Place = (typeof PLACES)[number];
const pathOf = (place: Place): string => `${place}/n.nb.md`;

/** The grants of the workspace: `own/` to group team at run, `foreign/` to user other at edit. */
const FOLDER_GRANTS: Partial<Record<Place, { subject: string; level: number }[]>> = {
  own: [{ subject: 'group:team', level: 1 }],
  foreign: [{ subject: 'user:other', level: 2 }],
};

/** How far up the ladder each action is: read 0, run 1, edit 2, admin 3. */
const NEEDS: Record<Action, number> = {
  'notebook:read': 0,
  'run:read': 0,
  'notebook:execute': 1,
  'notebook:edit': 2,
  'schedule:manage': 2,
  admin: 3,
};
const RANK = { viewer: 0, runner: 1, editor: 2, admin: 3, read: 0, run: 1, edit: 2 } as const;

interface Principal {
  label: string;
  user: string;
  role: 'viewer' | 'runner' | 'editor' | 'admin';
  groups: string[];
  scope?: Scope;
}

function expected(who: Principal, action: Action, place: Place | undefined): boolean {
  let cap = Math.min(RANK[who.role], who.scope === undefined ? 3 : RANK[who.scope]);
  if (place !== undefined && who.role !== 'admin') {
    const grants = FOLDER_GRANTS[place];
    if (grants) {
      const mine = grants.filter(
        (g) => g.subject === `user:${who.user}` || who.groups.some((group) => g.subject === `group:${group}`),
      );
      if (mine.length === 0) return false;
      cap = Math.min(cap, Math.max(...mine.map((g) => g.level)));
    }
  }
  if (place === 'locked' && action === 'notebook:edit') return false;
  return NEEDS[action] <= cap;
}

const placeOf = (resource: Resource): Place | undefined => {
  const path = resource.kind === 'notebook' || resource.kind === 'run' ? resource.path : undefined;
  return path === undefined ? undefined : PLACES.find((p) => path === pathOf(p));
};

// ---- the server ---------------------------------------------------------------------------------

const USERS: [string, Principal['role'], string[]][] = [
  ['vic', 'viewer', ['team']],
  ['rob', 'runner', ['team']],
  ['eve', 'editor', ['team']],
  ['ada', 'admin', ['team']],
  ['other', 'editor', []],
];
const TOKENS: [string, Scope][] = [
  ['eve', 'read'],
  ['eve', 'run'],
  ['eve', 'edit'],
  ['ada', 'admin'],
  ['ada', 'read'],
];
const PASSWORD = 'correct horse battery';
const NOTEBOOK = notebook('M', [], '```ts name=x\nconst x = 1;\nx\n```\n');

let ws: string;
let server: RunningServer;
/** each principal and how it authenticates: a session cookie or a bearer token */
const principals: (Principal & { headers: Record<string, string>; cookie?: string })[] = [];
/** a run of each place's notebook */
const runs = new Map<Place, string>();

before(async () => {
  ws = makeWorkspace({
    ...Object.fromEntries(PLACES.map((p) => [pathOf(p), NOTEBOOK])),
    '.ui/index.html': '<!doctype html>',
    '.ui/assets/x.js': '1',
  });
  const db = `sqlite:${join(ws, '.quire', 'quire.db')}`;
  const store = await openStore({ workspace: ws });
  const accounts = new Accounts(store.db);
  const ids = new Map<string, string>();
  for (const [name, role, groups] of USERS) {
    const account = await accounts.addUser(name, role, PASSWORD);
    ids.set(name, account.id);
    await replaceGroups(store.db, account.id, groups);
  }
  const now = Date.now();
  await insertGrant(store.db, {
    subject: { kind: 'group', name: 'team' },
    path: 'own/',
    level: 'run',
    createdBy: null,
    now,
  });
  await insertGrant(store.db, {
    subject: { kind: 'user', id: ids.get('other')! },
    path: 'foreign/',
    level: 'edit',
    createdBy: null,
    now,
  });
  await lockNotebook(store.db, {
    path: pathOf('locked'),
    lockedBy: null,
    lockedAt: now,
    reason: 'published',
  });
  for (const place of PLACES) {
    const run = await store.create({ path: pathOf(place), source: NOTEBOOK, trigger: 'cli', params: {} });
    runs.set(place, run!.id);
  }
  const tokens: string[] = [];
  for (const [user, scope] of TOKENS) tokens.push((await accounts.createToken(user, scope)).token);
  await store.close();

  server = await startServer({ workspace: ws, port: 0, jobs: false, events: memoryEventSink(), db });
  for (const [name, role, groups] of USERS) {
    const cookie = await accountLogin(server.url, name, PASSWORD);
    // A browser's requests: the cookie and, for a state change, the session's CSRF token.
    principals.push({
      label: `${name} (${role})`,
      user: name,
      role,
      groups,
      headers: withCsrf(cookie),
      cookie,
    });
  }
  TOKENS.forEach(([user, scope], i) => {
    const [, role, groups] = USERS.find(([name]) => name === user)!;
    principals.push({
      label: `${user}'s ${scope} token`,
      user,
      role,
      groups,
      scope,
      headers: { authorization: `Bearer ${tokens[i]}` },
    });
  });
});

after(async () => {
  await server?.close();
  removeWorkspace(ws);
});

// ---- the table is the app's ---------------------------------------------------------------------

test('every route of the app and every command of the protocol has an access entry (the matrix covers them all)', async () => {
  const app = createApp({
    files: server.files,
    logins: { mode: 'token' } as never,
    authorize: () => false,
    identity: () => ({ origins: new Set(), cookieName: 'c' }),
    logError: () => undefined,
    store: server.store,
    metrics: server.metrics,
    uiDir: join(ws, '.ui'),
  });
  const at = app.routes.findIndex((route) => route.handler.name === 'gate');
  const keys = app.routes.slice(at + 1).map(routeKey);
  assert.deepEqual(
    keys.filter((key) => !(key in ROUTES)),
    [],
    'routes without an access entry',
  );
  const types = ClientCommand.options.map((option) => option.shape.type.value);
  assert.deepEqual(
    types.filter((type) => !(type in COMMANDS)),
    [],
    'commands without an access entry',
  );
  // And the app has every route the table has: the matrix below runs each of them for real.
  assert.deepEqual(
    Object.keys(ROUTES).filter((key) => !keys.includes(key)),
    [],
    'entries without a route',
  );
});

// ---- HTTP ---------------------------------------------------------------------------------------

/** A request for a route pattern at a place: its params filled in, a body where it takes one. */
function sample(
  key: string,
  place: Place,
): { url: string; init: RequestInit; params: Record<string, string> } {
  const [method, pattern] = key.split(' ') as [string, string];
  assert.ok(!/:(?!path\{|id\b)/.test(pattern), `${key}: no sample value for its params; add one to sample()`);
  const params: Record<string, string> = {};
  const url = pattern
    .replace(/:path\{[^}]*\}/, () => (params.path = pathOf(place)))
    .replace(':id', () => (params.id = runs.get(place)!))
    .replace('*', 'x.js');
  const query = key === 'GET /api/runs' ? `?path=${pathOf(place)}` : '';
  // Saves name no version of a file that exists: an allowed one is a 409, nothing is written.
  const BODY: Record<string, unknown> = {
    'PUT /api/notebooks/:path{.+}': { text: NOTEBOOK, baseVersion: null },
    'POST /api/runs': { path: pathOf(place) },
  };
  const body = BODY[key];
  return {
    url: url + query,
    params,
    init: {
      method,
      redirect: 'manual',
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    },
  };
}

/** The resource the entry derives from the request (as the gate would), with runs' paths. */
async function resourceOf(
  entry: Extract<(typeof ROUTES)[string], { action: Action }>,
  request: ReturnType<typeof sample>,
): Promise<Resource> {
  const url = new URL(request.url, 'http://x');
  const req: RouteRequest = {
    params: request.params,
    query: (name) => url.searchParams.get(name) ?? undefined,
    json: async () => (request.init.body === undefined ? undefined : JSON.parse(String(request.init.body))),
    notebook: (path) => ({ kind: 'notebook', path }),
    run: async (id) => {
      const place = PLACES.find((p) => runs.get(p) === id);
      return place ? { kind: 'run', id, path: pathOf(place) } : { kind: 'run', id };
    },
  };
  return entry.resource(req);
}

for (const [key, entry] of Object.entries(ROUTES)) {
  if ('public' in entry) continue;
  test(`HTTP ${key} (${entry.action}): every principal × own, foreign, open, locked`, async () => {
    const mismatches: string[] = [];
    for (const who of principals) {
      // A token works on /api only: elsewhere it is no login at all (401), not a decision.
      if (who.scope !== undefined && !key.split(' ')[1]!.startsWith('/api/')) continue;
      for (const place of PLACES) {
        const request = sample(key, place);
        const want = expected(who, entry.action, placeOf(await resourceOf(entry, request)));
        const response = await fetch(server.url + request.url, {
          ...request.init,
          headers: {
            ...(request.init.headers as Record<string, string>),
            ...who.headers,
            origin: server.url,
          },
        });
        await response.arrayBuffer();
        assert.notEqual(response.status, 401, `${who.label}: logged in`);
        const got = response.status !== 403;
        if (got !== want)
          mismatches.push(
            `${who.label} on ${place}: expected ${want ? 'allowed' : 'denied'}, got ${response.status}`,
          );
      }
    }
    assert.deepEqual(mismatches, []);
  });
}

test('listings show exactly what each principal may read: GET /api/notebooks and GET /api/runs', async () => {
  for (const who of principals) {
    const notebooks = (await (
      await fetch(`${server.url}/api/notebooks`, { headers: who.headers })
    ).json()) as {
      notebooks: { path: string }[];
    };
    assert.deepEqual(
      notebooks.notebooks.map((n) => n.path).sort(),
      PLACES.filter((p) => expected(who, 'notebook:read', p))
        .map(pathOf)
        .sort(),
      `${who.label}: notebooks`,
    );
    const list = (await (await fetch(`${server.url}/api/runs`, { headers: who.headers })).json()) as {
      runs: { id: string }[];
    };
    assert.deepEqual(
      list.runs.map((r) => r.id).sort(),
      PLACES.filter((p) => expected(who, 'run:read', p))
        .map((p) => runs.get(p)!)
        .sort(),
      `${who.label}: runs`,
    );
  }
});

test('a symlink to a restricted folder is no way around its grants, over HTTP and the WebSocket', async (t) => {
  symlinkSync(join(ws, 'foreign'), join(ws, 'alias'));
  t.after(() => rmSync(join(ws, 'alias')));
  const eve = principals.find((p) => p.label === 'eve (editor)')!;
  const other = principals.find((p) => p.label === 'other (editor)')!;
  const read = (who: typeof eve) =>
    fetch(`${server.url}/api/notebooks/alias/n.nb.md`, { headers: who.headers });
  assert.equal((await read(eve)).status, 403, 'eve has no grant on foreign/');
  assert.equal((await read(other)).status, 200, 'other has');
  const client = await TestClient.connect(server, eve.cookie!);
  try {
    const opened = await client.request({ type: 'open', path: 'alias/n.nb.md' });
    assert.equal(opened.message, 'not allowed: notebook:read on alias/n.nb.md');
  } finally {
    await client.close();
  }
});

// ---- WebSocket ----------------------------------------------------------------------------------

/** One valid command of each type, for the notebook above (cell `x`); saves name a stale version. */
const COMMAND_SAMPLES: {
  [T in ClientCommand['type']]: Omit<Extract<ClientCommand, { type: T }>, 'requestId'>;
} = {
  open: { type: 'open', path: 'own/n.nb.md' },
  tablePage: { type: 'tablePage', cellId: 'x', offset: 0, limit: 10 },
  editCell: { type: 'editCell', cellId: 'x', source: 'const x = 2;\nx' },
  insertCell: { type: 'insertCell', index: 0, language: 'prose', source: 'Hello' },
  deleteCell: { type: 'deleteCell', cellId: 'nope' },
  moveCell: { type: 'moveCell', cellId: 'nope', index: 1 },
  renameCell: { type: 'renameCell', cellId: 'nope', name: 'y' },
  save: { type: 'save', baseVersion: '0'.repeat(64) },
  saveRaw: { type: 'saveRaw', text: 'x', baseVersion: '0'.repeat(64) },
  revert: { type: 'revert' },
  runCell: { type: 'runCell', cellId: 'nope' },
  runAll: { type: 'runAll' },
  runStale: { type: 'runStale' },
  interrupt: { type: 'interrupt' },
  setParams: { type: 'setParams', values: {} },
};

const isRefusal = (message: unknown): boolean =>
  /^not allowed: /.test(String(message ?? '')) || String(message ?? '') === 'open a notebook first';

test('WebSocket: every command × every user (cookies; tokens do not open sockets) × own, foreign, open, locked', async () => {
  const mismatches: string[] = [];
  for (const who of principals.filter((p) => p.cookie !== undefined)) {
    for (const place of PLACES) {
      // A connection per case: a refused `open` must not leave an earlier notebook open.
      const client = await TestClient.connect(server, who.cookie!);
      try {
        const path = pathOf(place);
        const opened = await client.request({ type: 'open', path });
        const mayOpen = expected(who, COMMANDS.open.action, place);
        if ((opened.type === 'snapshot') !== mayOpen)
          mismatches.push(
            `${who.label} open ${place}: expected ${mayOpen}, got ${String(opened.message ?? opened.type)}`,
          );
        for (const [type, entry] of Object.entries(COMMANDS)) {
          if (type === 'open') continue;
          const command = COMMAND_SAMPLES[type as ClientCommand['type']];
          const resource = (entry.resource as (c: unknown, x: unknown) => Resource | undefined)(command, {
            session: path,
            resolve: (p: string) => p,
          });
          assert.ok(resource, `${type} names a resource for an open notebook`);
          const want = expected(who, entry.action, placeOf(resource));
          const answer = await client.request(command);
          const got = !isRefusal(answer.message);
          if (got !== want)
            mismatches.push(
              `${who.label} ${type} on ${place}: expected ${want ? 'allowed' : 'denied'}, got ${String(answer.message ?? answer.type)}`,
            );
        }
        await client.request({ type: 'interrupt' });
      } finally {
        await client.close();
      }
    }
  }
  assert.deepEqual(mismatches, []);
});
