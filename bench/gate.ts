/**
 * What the gate costs per request (src/server/gate.ts): the same Hono routes answered by stub
 * handlers (so nothing but routing and the gate is measured), once behind the gate (table lookup,
 * params, resource with the workspace path rules, authorize, event) and once behind the session
 * check the server had before it (the baseline). Requests: read a notebook, read a run, save a
 * notebook (an event), the list. Also `authorize` alone, the path rules alone (`files.resolve`,
 * which the gate runs once per notebook request), and two notebook requests through the real app
 * (createApp: gate, handler, file read, store). Medians of 7 rounds of N requests.
 * The governance issue's budget: ≤ 0.1 ms per request. Run: node --import tsx bench/gate.ts
 *
 * Grants (issue 10): the same requests behind the gate with accounts mode's `authorize` over 1,000
 * grants (200 folders, 800 notebooks; 50 groups, 10 locks), for an editor whose group holds one of
 * them on a.nb.md, with the real-path canonicalization the server does (server.ts); `authorize`
 * alone on a restricted and an open path; and the snapshot's reload (the three tables, 1,000 grants,
 * from SQLite), which each server runs once a second.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { CSRF_HEADER, csrfToken } from '../src/server/csrf.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono, type MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { ROUTES } from '../src/server/access.js';
import { createApp } from '../src/server/app.js';
import { relative, sep } from 'node:path';
import { Accounts } from '../src/auth/accounts.js';
import { accessRules, type Grant } from '../src/auth/grants.js';
import { insertGrant, loadAccessRules } from '../src/auth/grants-store.js';
import { replaceGroups } from '../src/auth/groups.js';
import { lockNotebook } from '../src/auth/locks.js';
import {
  authorizeByAccount,
  authorizeOwner,
  cachedCanonical,
  Logins,
  type Authorize,
} from '../src/server/auth.js';
import { resolveInWorkspace } from '../src/server/paths.js';
import type { ServerEnv } from '../src/server/deps.js';
import { httpGate } from '../src/server/gate.js';
import { WorkspaceFiles } from '../src/server/workspace-files.js';
import { openStore } from '../src/store/open.js';

const N = 5000;
const ROUNDS = 7;
const COOKIE = 'quire_session_1';

const ws = mkdtempSync(join(tmpdir(), 'quire-bench-gate-'));
writeFileSync(join(ws, 'a.nb.md'), '# A\n');
const files = new WorkspaceFiles(ws);
const sessions = new Logins();
const sessionId = sessions.login(sessions.token)!;
const cookie = `${COOKIE}=${sessionId}`;
// A browser's state change carries the session's CSRF token (csrf.ts); reads need none.
const csrf = { [CSRF_HEADER]: csrfToken(sessionId) };
const identity = () => ({ origins: new Set<string>(), cookieName: COOKIE });
let emitted = 0;

/** Every route of the table, answered by a stub: JSON for the API, text for the rest. */
function withRoutes(app: Hono<ServerEnv>): Hono<ServerEnv> {
  for (const key of Object.keys(ROUTES)) {
    const [method, path] = key.split(' ') as [string, string];
    app.on(method, path, (c) => c.json({ version: 'v', run: { id: 'r' } }));
  }
  return app;
}

/** What the server did before the gate: the session cookie on `/api/*`, nothing else. */
const sessionCheck: MiddlewareHandler<ServerEnv> = async (c, next) => {
  const user = sessions.userOf(getCookie(c, COOKIE));
  if (!user) return c.json({ error: 'unauthorized' }, 401);
  c.set('user', user);
  await next();
};

// ---- 1,000 grants ----
const GRANTS: Grant[] = [];
for (let i = 0; i < 200; i++)
  GRANTS.push({
    id: `gf${i}`,
    subject: { kind: 'group', name: `g${i % 50}` },
    path: `team-${i}/`,
    level: 'run',
    createdBy: null,
    createdAt: 0,
  });
for (let i = 0; i < 799; i++)
  GRANTS.push({
    id: `gn${i}`,
    subject: { kind: 'user', id: `u_${i}` },
    path: `team-${i % 200}/nb-${i}.nb.md`,
    level: 'edit',
    createdBy: null,
    createdAt: 0,
  });
GRANTS.push({
  id: 'ga',
  subject: { kind: 'group', name: 'g7' },
  path: 'a.nb.md',
  level: 'edit',
  createdBy: null,
  createdAt: 0,
});
const LOCKS = Array.from({ length: 10 }, (_, i) => ({
  path: `team-${i}/nb-${i}.nb.md`,
  lockedBy: null,
  lockedAt: 0,
  reason: null,
}));
const RULES = accessRules(
  GRANTS,
  Array.from({ length: 100 }, (_, i) => ({ userId: `u_${i}`, group: `g${i % 50}` })),
  LOCKS,
);
/** As server.ts does: grants match a notebook's real path. */
const canonical = (path: string): string => {
  try {
    return relative(files.root, resolveInWorkspace(files.root, path).absolute).split(sep).join('/');
  } catch {
    return path;
  }
};
const byAccount = authorizeByAccount(() => RULES, cachedCanonical(canonical));
/** The gate's user (the token's owner) as an editor of group g7 (user u_7). */
const asEditor: Authorize = (user, action, resource) =>
  byAccount({ ...user, id: 'u_7', role: 'editor' }, action, resource);

const baseline = new Hono<ServerEnv>();
baseline.use('/api/*', sessionCheck);
withRoutes(baseline);

const gated = new Hono<ServerEnv>();
gated.use(
  httpGate({
    logins: sessions,
    authorize: authorizeOwner,
    identity,
    logError: (error) => {
      throw error;
    },
    files,
    events: { emit: () => void emitted++ },
  }),
);
withRoutes(gated);

const granted = new Hono<ServerEnv>();
granted.use(
  httpGate({
    logins: sessions,
    authorize: asEditor,
    identity,
    logError: (error) => {
      throw error;
    },
    files,
    events: { emit: () => void emitted++ },
  }),
);
withRoutes(granted);

const REQUESTS: [string, RequestInit][] = [
  ['/api/notebooks/a.nb.md', {}],
  ['/api/runs/run-1', {}],
  [
    '/api/notebooks/a.nb.md',
    {
      method: 'PUT',
      body: '{"text":"# A\\n","baseVersion":null}',
      headers: { 'content-type': 'application/json', ...csrf },
    },
  ],
  ['/api/notebooks', {}],
];

async function round(app: Hono<ServerEnv>, requests = REQUESTS): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const [url, init] = requests[i % requests.length]!;
    const response = await app.request(url, { ...init, headers: { ...(init.headers as object), cookie } });
    if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
    await response.arrayBuffer();
  }
  return Number(process.hrtime.bigint() - start) / 1e6 / N;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  // Warm up both (JIT, the path rules' caches).
  await round(baseline);
  await round(gated);
  const base: number[] = [];
  const gate: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    base.push(await round(baseline));
    gate.push(await round(gated));
  }
  const grantedTimes: number[] = [];
  await round(granted);
  for (let r = 0; r < ROUNDS; r++) {
    base.push(await round(baseline));
    grantedTimes.push(await round(granted));
  }
  const b = median(base);
  const g = median(gate);
  const gg = median(grantedTimes);
  const kinds: string[] = [];
  for (const request of REQUESTS) {
    const only = [request];
    const [kb, kg] = [[], []] as [number[], number[]];
    for (let r = 0; r < 3; r++) {
      kb.push(await round(baseline, only));
      kg.push(await round(gated, only));
    }
    const label = `${request[1].method ?? 'GET'} ${request[0]}`;
    kinds.push(`  ${label.padEnd(30)} +${(median(kg) - median(kb)).toFixed(4)} ms`);
  }
  // The real app: what a notebook request costs end to end (the path rules run in it).
  const store = await openStore({ workspace: ws });
  const real = createApp({
    files,
    logins: sessions,
    authorize: authorizeOwner,
    identity,
    logError: (error) => {
      throw error;
    },
    events: { emit: () => void emitted++ },
    store,
    uiDir: null,
  });
  const REAL: [string, RequestInit][] = [
    ['/api/notebooks/a.nb.md', {}],
    ['/api/runs?path=a.nb.md', {}],
  ];
  const realKinds: string[] = [];
  for (const request of REAL) {
    const times: number[] = [];
    await round(real, [request]);
    for (let r = 0; r < ROUNDS; r++) times.push(await round(real, [request]));
    realKinds.push(`  GET ${request[0].padEnd(26)} ${median(times).toFixed(4)} ms/request`);
  }
  await store.close();
  const r0 = process.hrtime.bigint();
  for (let i = 0; i < 100_000; i++) files.resolve('a.nb.md');
  const resolveUs = Number(process.hrtime.bigint() - r0) / 100_000 / 1000;
  const user = sessions.userOf(cookie.split('=')[1])!;
  const t0 = process.hrtime.bigint();
  let allowed = 0;
  for (let i = 0; i < 1_000_000; i++)
    if (authorizeOwner(user, 'notebook:read', { kind: 'notebook', path: 'a.nb.md' })) allowed++;
  const authorizeNs = Number(process.hrtime.bigint() - t0) / 1_000_000;
  const timeAuthorize = (path: string, fn: Authorize = asEditor): number => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < 100_000; i++) fn(user, 'notebook:edit', { kind: 'notebook', path });
    return Number(process.hrtime.bigint() - start) / 100_000;
  };
  const plain = authorizeByAccount(() => RULES);
  const rawEditor: Authorize = (u, a, r) => plain({ ...u, id: 'u_7', role: 'editor' }, a, r);
  const grantNs = {
    restricted: timeAuthorize('team-7/deep/er/nb.nb.md'),
    open: timeAuthorize('elsewhere/x.nb.md'),
    restrictedNoCanonical: timeAuthorize('team-7/deep/er/nb.nb.md', rawEditor),
  };
  // A path's first request between two reloads: the real-path lookup itself (no cache).
  const c0 = process.hrtime.bigint();
  for (let i = 0; i < 2_000; i++) canonical(i % 2 ? 'a.nb.md' : 'team-7/deep/er/nb.nb.md');
  const lookupUs = Number(process.hrtime.bigint() - c0) / 2_000 / 1000;
  // The snapshot's reload: 1,000 grants, 100 memberships, 10 locks in the store.
  const grantStore = await openStore({ workspace: ws });
  const accounts = new Accounts(grantStore.db);
  const ids: string[] = [];
  for (let i = 0; i < 100; i++) ids.push((await accounts.addUser(`user${i}`, 'editor')).id);
  await grantStore.db.transaction(async (tx) => {
    for (const grant of GRANTS) {
      const subject =
        grant.subject.kind === 'user'
          ? { kind: 'user' as const, id: ids[Number(grant.subject.id.slice(2)) % 100]! }
          : grant.subject;
      await insertGrant(tx, { subject, path: grant.path, level: grant.level, createdBy: null, now: 0 });
    }
    for (let i = 0; i < 100; i++) await replaceGroups(tx, ids[i]!, [`g${i % 50}`]);
    for (const lock of LOCKS) await lockNotebook(tx, lock);
  });
  const loads: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    const loaded = await loadAccessRules(grantStore.db);
    loads.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (loaded.byPath.size !== 1000) throw new Error(`loaded ${loaded.byPath.size} grant paths`);
  }
  await grantStore.close();
  console.log(`requests per round: ${N} (read, run, save with an event, list); medians of ${ROUNDS} rounds`);
  console.log(`baseline (session check only): ${b.toFixed(4)} ms/request`);
  console.log(`behind the gate:               ${g.toFixed(4)} ms/request`);
  console.log(
    `gate overhead:                 ${(g - b).toFixed(4)} ms/request (budget 0.1), ratio ${(g / b).toFixed(2)}×`,
  );
  console.log(`overhead by request (medians of 3):\n${kinds.join('\n')}`);
  console.log(
    `behind the gate, 1,000 grants:  ${gg.toFixed(4)} ms/request; overhead ${(gg - b).toFixed(4)} ms/request (budget 0.1)`,
  );
  console.log(
    `authorize, 1,000 grants:       ${grantNs.restricted.toFixed(0)} ns (restricted path), ${grantNs.open.toFixed(0)} ns (open path), ${grantNs.restrictedNoCanonical.toFixed(0)} ns (restricted, without the real-path lookup)`,
  );
  console.log(
    `real-path lookup (a path's first request after a reload): ${lookupUs.toFixed(1)} µs (a.nb.md and a missing deep path, alternately)`,
  );
  console.log(
    `snapshot reload, 1,000 grants:  ${median(loads).toFixed(2)} ms (SQLite; once a second per server)`,
  );
  console.log(`authorize alone (owner):       ${authorizeNs.toFixed(1)} ns/call (${allowed} allowed)`);
  console.log(`path rules alone (files.resolve): ${resolveUs.toFixed(2)} µs/call`);
  console.log(`the real app (gate, handler, file, store), medians of ${ROUNDS}:\n${realKinds.join('\n')}`);
  console.log(`events emitted: ${emitted}`);
  rmSync(ws, { recursive: true, force: true });
}

await main();
