/**
 * Egress end to end: the host's proxy, and a real `node` child set up as a kernel is (its own
 * network namespace where `unshare -n` works, the permission model, user `nobody` when the host is
 * root) that calls the built `installEgress` and then uses fetch, http, https and WebSocket.
 * Servers listen on 127.0.0.1 of the host; the child reaches them only through the proxy's socket.
 * Names are resolved by an injected resolver: nothing here looks up or reaches another machine.
 *
 * Build first: `npx tsc -p tsconfig.build.json` (the child imports dist/kernel/runtime/egress.js).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WebSocketServer } from 'ws';
import { startEgressProxy, type EgressProxy } from '../../../src/kernel/egress/proxy.js';
import { permissionFlag } from '../../../src/kernel/launch.js';
import { packageRoot } from '../../../src/kernel/paths.js';
import { assertReadableBy, NOBODY } from '../../../src/kernel/user.js';

const ROOT = packageRoot();
const EGRESS_MODULE = join(ROOT, 'dist/kernel/runtime/egress.js');
// As nobody when the host is root and nobody can read this checkout (a clone only root can read: as root).
const AS_ROOT = process.getuid?.() === 0 && nobodyCanRead(ROOT);
const NETNS = spawnSync('unshare', ['-n', 'true']).status === 0;
const MAJOR = Number(process.versions.node.split('.')[0]);

/** The script the child runs: one attempt per client, results as one JSON line on stdout. */
const CHILD = String.raw`
import { createRequire } from 'node:module';
const [socketPath, portsJson, egressModule, mode] = process.argv.slice(2);
const { web, secure } = JSON.parse(portsJson);
const results = {};
async function attempt(name, fn) {
  try {
    results[name] = { ok: true, value: await fn() };
  } catch (error) {
    results[name] = { ok: false, message: error.message, code: error.code, cause: error.cause?.code };
  }
}
const text = async (response) => response.status + ' ' + (await response.text());
function get(client, url, options = {}) {
  return new Promise((resolve, reject) => {
    const request = client.get(url, options, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve(response.statusCode + ' ' + body));
    });
    request.on('error', reject);
  });
}
const origin = 'http://127.0.0.1:' + web;

// Before installEgress: in its own namespace the child reaches nothing, not even the host's loopback.
// (Node's undici then holds its global dispatcher already: installEgress must replace it.)
if (mode === 'after-fetch') await attempt('direct', () => fetch(origin + '/direct').then(text));

const { installEgress } = await import(egressModule);
installEgress(socketPath);
// Nothing of undici loads until the first fetch or WebSocket.
const undiciLoaded = () => ({
  node: process.moduleLoadList.some((name) => name.includes('undici')),
  npm: Object.keys(createRequire(egressModule).cache).some((name) => name.includes('/undici/')),
});
results.loadedAtInstall = { ok: true, value: JSON.stringify(undiciLoaded()) };
// Nor node:https and node:tls (~40 ms on Node 24) until an https agent is used.
results.tlsAtInstall = {
  ok: true,
  value: JSON.stringify(process.moduleLoadList.filter((name) => /^NativeModule (https|tls)$/.test(name))),
};
// require, not import: on Node 22+ an ES import of node:http loads Node's undici (its WebSocket getter).
const http = createRequire(import.meta.url)('node:http');
const https = createRequire(import.meta.url)('node:https');
// On Node 22+ an ES import of node:http loads Node's undici, which reads the global dispatcher at
// once: the tunnelling Agent (npm undici) must still wait for a request.
await import('node:http');
results.loadedAtHttpImport = { ok: true, value: JSON.stringify(undiciLoaded().npm) };

await attempt('fetch', () => fetch(origin + '/fetch').then(text));
results.loadedAfterFetch = { ok: true, value: JSON.stringify(undiciLoaded()) };
await attempt('fetchPost', () => fetch(origin + '/post', { method: 'POST', body: 'payload' }).then(text));
await attempt('fetchRefusedHost', () => fetch('http://evil.example/').then(text));
await attempt('fetchRefusedPostgres', () => fetch('http://127.0.0.1:5432/').then(text));
await attempt('fetchHttps', () => fetch('https://localhost:' + secure + '/tls').then(text));
await attempt('fetchNamed', () => fetch('http://api.test:' + web + '/named').then(text));
await attempt('fetchWildcardLoopback', () => fetch('http://x.wild.test:' + web + '/wild').then(text));
await attempt('httpGet', () => get(http, origin + '/http'));
await attempt('httpsGet', () => get(https, 'https://localhost:' + secure + '/https'));
await attempt('httpAgentFalse', () => get(http, origin + '/agent-false', { agent: false }));
await attempt('httpKeepAlive', async () => {
  const agent = new http.Agent({ keepAlive: true });
  const first = await get(http, origin + '/keep-alive-1', { agent });
  const second = await get(http, origin + '/keep-alive-2', { agent });
  agent.destroy();
  return first + ' | ' + second;
});
await attempt('httpRefused', () => get(http, 'http://evil.example/'));
await attempt('httpsRefused', () => get(https, 'https://127.0.0.1:5432/'));
if (typeof WebSocket === 'function')
  await attempt(
    'webSocket',
    () =>
      new Promise((resolve, reject) => {
        const socket = new WebSocket('ws://127.0.0.1:' + web + '/ws');
        socket.onopen = () => socket.send('ping');
        socket.onmessage = (event) => {
          resolve(String(event.data));
          socket.close();
        };
        socket.onerror = (event) => reject(new Error(event.message || 'WebSocket error'));
      }),
  );
// A proxy that is gone: the error says so (installEgress again only changes the socket path; a new
// host, since pooled keep-alive tunnels to the others are still open).
installEgress(socketPath + '.gone');
await attempt('proxyGone', () => fetch('http://gone.test/').then(text));
await attempt('proxyGoneHttp', () => get(http, 'http://gone.test/'));
process.stdout.write(JSON.stringify(results) + '\n');
`;

interface Attempt {
  ok: boolean;
  value?: string;
  message?: string;
  code?: string;
  cause?: string;
}

function makeCertificate(dir: string): { key: Buffer; cert: Buffer; file: string } {
  const key = join(dir, 'key.pem');
  const file = join(dir, 'cert.pem');
  const made = spawnSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout',
    key,
    '-out',
    file,
  ]);
  assert.equal(made.status, 0, `openssl could not make a test certificate: ${made.stderr?.toString()}`);
  chmodSync(file, 0o644);
  return { key: readFileSync(key), cert: readFileSync(file), file };
}

function listen(server: http.Server | https.Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
  );
}

function nobodyCanRead(path: string): boolean {
  try {
    assertReadableBy(path, NOBODY);
    return true;
  } catch {
    return false;
  }
}

describe('egress from a kernel-like child', () => {
  let dir: string;
  let scratch: string;
  let web: http.Server;
  let secure: https.Server;
  let proxy: EgressProxy;
  const paths: string[] = [];
  let script: string;
  let ports: { web: number; secure: number };
  let certificateFile: string;
  /** a child that installs egress first, as a kernel does */
  let results: Record<string, Attempt>;
  /** a child that fetched directly first (Node's undici already holds its dispatcher) */
  let afterFetch: Record<string, Attempt>;
  let stderr = '';

  before(async () => {
    assert.ok(existsSync(EGRESS_MODULE), `build first: npx tsc -p tsconfig.build.json (${EGRESS_MODULE})`);
    dir = mkdtempSync(join(tmpdir(), 'quire-egress-child-'));
    chmodSync(dir, 0o755);
    scratch = mkdtempSync(join(tmpdir(), 'quire-egress-scratch-'));
    if (AS_ROOT) chownSync(scratch, NOBODY.uid, NOBODY.gid);
    const certificate = makeCertificate(dir);

    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        paths.push(req.url ?? '');
        res.end(`${req.method} ${req.url}${body ? ` ${body}` : ''}`);
      });
    };
    web = http.createServer(handler);
    const sockets = new WebSocketServer({ noServer: true });
    web.on('upgrade', (req, socket, head) => {
      paths.push(req.url ?? '');
      sockets.handleUpgrade(req, socket, head, (ws) =>
        ws.on('message', (data) => ws.send(`echo: ${String(data)}`)),
      );
    });
    secure = https.createServer({ key: certificate.key, cert: certificate.cert }, handler);
    const webPort = await listen(web);
    const securePort = await listen(secure);

    proxy = await startEgressProxy({
      allow: [`127.0.0.1:${webPort}`, `localhost:${securePort}`, `api.test:${webPort}`, '*.wild.test:*'],
      socketPath: join(scratch, 'egress.sock'),
      ...(AS_ROOT ? { owner: NOBODY } : {}),
      resolve: async (hostname) => {
        if (hostname === 'localhost' || hostname === 'api.test' || hostname.endsWith('.wild.test'))
          return ['127.0.0.1'];
        throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
      },
    });

    script = join(dir, 'child.mjs');
    writeFileSync(script, CHILD, { mode: 0o644 });
    ports = { web: webPort, secure: securePort };
    certificateFile = certificate.file;
    results = await runChild('fresh');
    afterFetch = await runChild('after-fetch');
  });

  /** Runs the child script as a kernel would run; `mode` says whether it fetches before installEgress. */
  async function runChild(mode: 'fresh' | 'after-fetch'): Promise<Record<string, Attempt>> {
    const reads = [join(ROOT, 'dist'), join(ROOT, 'node_modules'), join(ROOT, 'package.json'), dir];
    let command = process.execPath;
    let args = [
      permissionFlag(),
      ...reads.map((path) => `--allow-fs-read=${path}`),
      `--allow-fs-write=${scratch}`,
      '--disable-warning=ExperimentalWarning',
      // Node 20 has WebSocket behind a flag; 22 and later have it by default.
      ...(MAJOR === 20 ? ['--experimental-websocket'] : []),
      script,
      join(scratch, 'egress.sock'),
      JSON.stringify(ports),
      EGRESS_MODULE,
      mode,
    ];
    if (AS_ROOT) {
      const user = ['--reuid', String(NOBODY.uid), '--regid', String(NOBODY.gid), '--clear-groups', '--'];
      args = [...user, command, ...args];
      command = 'setpriv';
    }
    if (NETNS) {
      args = ['-n', command, ...args];
      command = 'unshare';
    }
    const child = spawn(command, args, {
      env: { PATH: process.env.PATH ?? '', HOME: scratch, NODE_EXTRA_CA_CERTS: certificateFile },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, `the child (${mode}) failed: ${stderr}`);
    return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, Attempt>;
  }

  after(async () => {
    await proxy?.close();
    web?.close();
    secure?.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  function value(name: string, from = results): string | undefined {
    const attempt = from[name];
    assert.ok(attempt, `${name} did not run (${stderr})`);
    assert.equal(attempt.ok, true, `${name}: ${attempt.message} (${attempt.code ?? attempt.cause ?? ''})`);
    return attempt.value;
  }

  function failure(name: string, from = results): Attempt {
    const attempt = from[name];
    assert.ok(attempt, `${name} did not run (${stderr})`);
    assert.equal(attempt.ok, false, `${name} should have failed, got ${attempt.value}`);
    return attempt;
  }

  test('without installEgress the child reaches nothing (own network namespace)', { skip: !NETNS }, () => {
    failure('direct', afterFetch);
    assert.ok(!paths.includes('/direct'));
  });

  test('installEgress loads nothing of undici, https or tls; the first fetch loads undici', () => {
    assert.deepEqual(JSON.parse(value('loadedAtInstall') ?? ''), { node: false, npm: false });
    assert.equal(value('loadedAtHttpImport'), 'false');
    assert.equal(value('tlsAtInstall'), '[]');
    assert.deepEqual(JSON.parse(value('loadedAfterFetch') ?? ''), { node: true, npm: true });
  });

  test('after a fetch before installEgress (undici loaded first), every client still goes through the proxy', () => {
    assert.equal(value('fetch', afterFetch), '200 GET /fetch');
    assert.equal(value('fetchHttps', afterFetch), '200 GET /tls');
    assert.equal(value('httpsGet', afterFetch), '200 GET /https');
    assert.equal(value('webSocket', afterFetch), 'echo: ping');
    assert.equal(
      failure('fetchRefusedHost', afterFetch).message,
      'fetch failed: egress to evil.example is not allowed (quire.config.json network.allow)',
    );
  });

  test('fetch reaches an allowed address named as 127.0.0.1:PORT, with a body', () => {
    assert.equal(value('fetch'), '200 GET /fetch');
    assert.equal(value('fetchPost'), '200 POST /post payload');
  });

  test('fetch of a host not on the list fails with the reason', () => {
    assert.equal(
      failure('fetchRefusedHost').message,
      'fetch failed: egress to evil.example is not allowed (quire.config.json network.allow)',
    );
  });

  test('fetch of a loopback port that is not named (PostgreSQL) fails', () => {
    assert.equal(
      failure('fetchRefusedPostgres').message,
      'fetch failed: egress to 127.0.0.1:5432 is not allowed (quire.config.json network.allow)',
    );
  });

  test('fetch over https tunnels through CONNECT; the certificate is checked end to end', () => {
    assert.equal(value('fetchHttps'), '200 GET /tls');
  });

  test('a named host resolves in the proxy (the child has no DNS), even to loopback', () => {
    assert.equal(value('fetchNamed'), '200 GET /named');
  });

  test('a wildcard entry does not open loopback', () => {
    assert.match(
      failure('fetchWildcardLoopback').message ?? '',
      /^fetch failed: egress to x\.wild\.test:\d+ is not allowed: x\.wild\.test resolves to 127\.0\.0\.1 \(loopback\)/,
    );
    assert.ok(!paths.includes('/wild'));
  });

  test('node:http and node:https go through the proxy: global agents, agent: false, own agents', () => {
    assert.equal(value('httpGet'), '200 GET /http');
    assert.equal(value('httpsGet'), '200 GET /https');
    assert.equal(value('httpAgentFalse'), '200 GET /agent-false');
    assert.equal(value('httpKeepAlive'), '200 GET /keep-alive-1 | 200 GET /keep-alive-2');
  });

  test('node:http refusals carry the reason and the code EGRESS_DENIED', () => {
    const refused = failure('httpRefused');
    assert.equal(refused.message, 'egress to evil.example is not allowed (quire.config.json network.allow)');
    assert.equal(refused.code, 'EGRESS_DENIED');
    assert.equal(
      failure('httpsRefused').message,
      'egress to 127.0.0.1:5432 is not allowed (quire.config.json network.allow)',
    );
  });

  test('when the proxy is gone, the error names its socket', () => {
    const gone = `the egress proxy is not reachable at ${join(scratch, 'egress.sock.gone')} (ENOENT)`;
    assert.equal(failure('proxyGone').message, `fetch failed: ${gone}`);
    assert.equal(failure('proxyGoneHttp').message, gone);
    assert.equal(failure('proxyGoneHttp').code, 'EGRESS_FAILED');
  });

  test('WebSocket goes through the proxy', () => {
    assert.equal(value('webSocket'), 'echo: ping');
  });

  test('the refusals were counted by the proxy, and nothing refused reached a server', () => {
    assert.ok(proxy.stats().refused >= 5, JSON.stringify(proxy.stats()));
    assert.deepEqual(
      paths.filter((p) => p === '/direct' || p === '/wild'),
      [],
    );
  });
});
