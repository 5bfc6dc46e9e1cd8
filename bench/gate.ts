/**
 * What the gate costs per request (src/server/gate.ts): the same Hono routes answered by stub
 * handlers (so nothing but routing and the gate is measured), once behind the gate (table lookup,
 * params, resource with the workspace path rules, authorize, event) and once behind the session
 * check the server had before it (the baseline). Requests: read a notebook, read a run, save a
 * notebook (an event), the list. Also `authorize` alone, the path rules alone (`files.resolve`,
 * which the gate runs once per notebook request), and two notebook requests through the real app
 * (createApp: gate, handler, file read, store). Medians of 7 rounds of N requests.
 * The governance issue's budget: ≤ 0.1 ms per request. Run: node --import tsx bench/gate.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono, type MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { ROUTES } from '../src/server/access.js';
import { createApp } from '../src/server/app.js';
import { authorizeOwner, Logins } from '../src/server/auth.js';
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
const cookie = `${COOKIE}=${sessions.login(sessions.token)!}`;
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

const REQUESTS: [string, RequestInit][] = [
  ['/api/notebooks/a.nb.md', {}],
  ['/api/runs/run-1', {}],
  [
    '/api/notebooks/a.nb.md',
    {
      method: 'PUT',
      body: '{"text":"# A\\n","baseVersion":null}',
      headers: { 'content-type': 'application/json' },
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
  const b = median(base);
  const g = median(gate);
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
  console.log(`requests per round: ${N} (read, run, save with an event, list); medians of ${ROUNDS} rounds`);
  console.log(`baseline (session check only): ${b.toFixed(4)} ms/request`);
  console.log(`behind the gate:               ${g.toFixed(4)} ms/request`);
  console.log(
    `gate overhead:                 ${(g - b).toFixed(4)} ms/request (budget 0.1), ratio ${(g / b).toFixed(2)}×`,
  );
  console.log(`overhead by request (medians of 3):\n${kinds.join('\n')}`);
  console.log(`authorize alone (owner):       ${authorizeNs.toFixed(1)} ns/call (${allowed} allowed)`);
  console.log(`path rules alone (files.resolve): ${resolveUs.toFixed(2)} µs/call`);
  console.log(`the real app (gate, handler, file, store), medians of ${ROUNDS}:\n${realKinds.join('\n')}`);
  console.log(`events emitted: ${emitted}`);
  rmSync(ws, { recursive: true, force: true });
}

await main();
