/**
 * The egress proxy on its own: real Unix socket, real upstream servers on 127.0.0.1, raw bytes
 * from the client side (what untrusted code in a kernel could send). Names are resolved by an
 * injected resolver: these tests never look up or reach anything off this machine.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { packageRoot } from '../../../src/kernel/paths.js';
import {
  startEgressProxy,
  type EgressEvent,
  type EgressProxy,
  type EgressProxyOptions,
} from '../../../src/kernel/egress/proxy.js';

interface Answer {
  status: number;
  head: string;
  body: string;
}

/** Sends `request` on a new connection to the proxy and reads the whole answer (until close). */
function exchange(socketPath: string, request: string | Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const end = text.indexOf('\r\n\r\n');
      const head = end < 0 ? text : text.slice(0, end);
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0),
        head,
        body: end < 0 ? '' : text.slice(end + 4),
      });
    });
    socket.write(request);
  });
}

/** Opens a CONNECT tunnel; resolves with the socket once the proxy answered 200. */
function tunnel(socketPath: string, authority: string, head = ''): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    let received = '';
    const onData = (chunk: Buffer): void => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      if (!received.startsWith('HTTP/1.1 200')) return reject(new Error(received));
      const rest = received.slice(end + 4);
      if (rest) socket.unshift(Buffer.from(rest, 'latin1'));
      resolve(socket);
    };
    socket.on('data', onData);
    socket.on('error', reject);
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n${head}`);
  });
}

function readUntil(socket: net.Socket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    const onData = (chunk: Buffer): void => {
      received += chunk.toString('utf8');
      if (received.includes(text)) {
        socket.off('data', onData);
        resolve(received);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

function closed(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));
}

/** A seeded generator, so a fuzz failure can be replayed. */
function xorshift(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x100000000;
  };
}

describe('egress proxy', () => {
  let dir: string;
  let echo: net.Server;
  let echoPort: number;
  let web: http.Server;
  let webPort: number;
  const webRequests: { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }[] =
    [];
  const echoConnections: string[] = [];
  const resolverCalls: string[] = [];
  const events: EgressEvent[] = [];
  let proxy: EgressProxy;
  let socketPath: string;
  const proxies: EgressProxy[] = [];

  /** Loopback for the named test hosts; a public + loopback mix for the rebinding-style name. */
  const resolve = async (hostname: string): Promise<string[]> => {
    resolverCalls.push(hostname);
    if (hostname === 'v6.wild.test') return ['::1'];
    if (hostname === 'api.test' || hostname.endsWith('.wild.test')) return ['127.0.0.1'];
    if (hostname === 'mixed.rebind.test') return ['8.8.8.8', '127.0.0.1'];
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  };

  async function start(options: Partial<EgressProxyOptions> & { name: string }): Promise<EgressProxy> {
    const started = await startEgressProxy({
      allow: [],
      resolve,
      ...options,
      socketPath: join(dir, `${options.name}.sock`),
    });
    proxies.push(started);
    return started;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'quire-egress-'));
    echo = net.createServer((socket) => {
      echoConnections.push(socket.remoteAddress ?? '');
      socket.on('error', () => socket.destroy());
      socket.pipe(socket);
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    echoPort = (echo.address() as net.AddressInfo).port;
    web = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        webRequests.push({ method: req.method, url: req.url, headers: req.headers, body });
        res.writeHead(201, 'Made', {
          'x-answer': 'yes',
          'keep-alive': 'timeout=5',
          connection: 'keep-alive',
        });
        res.end(`${req.method} ${req.url} ${body}`);
      });
    });
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    webPort = (web.address() as net.AddressInfo).port;
    proxy = await start({
      name: 'main',
      allow: [
        `127.0.0.1:${echoPort}`,
        `127.0.0.1:${webPort}`,
        `api.test:${echoPort}`,
        `*.wild.test:*`,
        `*.rebind.test:*`,
      ],
      log: (event) => events.push(event),
    });
    socketPath = proxy.socketPath;
  });

  after(async () => {
    for (const p of proxies) await p.close();
    echo.close();
    web.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('CONNECT to an allowed address tunnels bytes both ways, including those sent with the request', async () => {
    const socket = await tunnel(socketPath, `127.0.0.1:${echoPort}`, 'early ');
    socket.write('bytes\n');
    assert.equal(await readUntil(socket, 'bytes\n'), 'early bytes\n');
    socket.end();
    await closed(socket);
    assert.ok(events.some((e) => e.type === 'open' && e.target === `127.0.0.1:${echoPort}`));
  });

  // Authorities are functions: the servers' ports are known only once before() ran.
  const refusals: [string, () => string, RegExp][] = [
    [
      'a host not on the list',
      () => 'evil.example:443',
      /^egress to evil\.example is not allowed \(quire\.config\.json network\.allow\)$/,
    ],
    [
      'a loopback port that is not named (PostgreSQL)',
      () => '127.0.0.1:5432',
      /^egress to 127\.0\.0\.1:5432 is not allowed \(quire\.config\.json network\.allow\)$/,
    ],
    [
      'a wildcard name that resolves to loopback',
      () => 'x.wild.test:80',
      /^egress to x\.wild\.test is not allowed: x\.wild\.test resolves to 127\.0\.0\.1 \(loopback\), and only an entry naming the host exactly opens such addresses \(quire\.config\.json network\.allow matched \*\.wild\.test:\*\)$/,
    ],
    ['a wildcard name that resolves to ::1', () => 'v6.wild.test:443', /resolves to ::1 \(loopback\)/],
    [
      'a name with a public and a loopback answer',
      () => 'mixed.rebind.test:443',
      /resolves to 127\.0\.0\.1 \(loopback\)/,
    ],
    [
      'a named host on another port',
      () => `api.test:${echoPort + 1}`,
      /is not allowed \(quire\.config\.json/,
    ],
  ];
  for (const [name, authorityOf, reason] of refusals) {
    test(`CONNECT refuses ${name} with 403 and a one-line reason`, async () => {
      const authority = authorityOf();
      const before = echoConnections.length;
      const answer = await exchange(
        socketPath,
        `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`,
      );
      assert.equal(answer.status, 403, answer.head);
      assert.match(answer.head, /x-quire-egress: refused/);
      assert.equal(answer.body.split('\n').length, 2, 'one line');
      assert.match(answer.body.trim(), reason);
      assert.equal(echoConnections.length, before, 'nothing was connected');
    });
  }

  test('a host not on the list is refused before any name resolution', async () => {
    resolverCalls.length = 0;
    await exchange(socketPath, 'CONNECT evil.example:443 HTTP/1.1\r\n\r\n');
    assert.deepEqual(resolverCalls, []);
  });

  test('a named host may resolve to loopback; it is resolved once per request', async () => {
    resolverCalls.length = 0;
    const socket = await tunnel(socketPath, `api.test:${echoPort}`);
    socket.write('named\n');
    assert.equal(await readUntil(socket, 'named\n'), 'named\n');
    socket.end();
    await closed(socket);
    assert.deepEqual(resolverCalls, ['api.test']);
  });

  test('with "*", IP literals of every closed range are refused without connecting', async () => {
    const open = await start({ name: 'any', allow: ['*:*'] });
    const cases: [string, RegExp][] = [
      ['127.0.0.1:22', /127\.0\.0\.1 is a loopback address/],
      ['10.0.0.1:80', /10\.0\.0\.1 is a private address/],
      ['172.16.5.4:80', /private/],
      ['192.168.1.1:80', /private/],
      ['100.64.0.1:80', /private/],
      ['169.254.169.254:80', /169\.254\.169\.254 is a link-local address/],
      ['0.0.0.0:80', /0\.0\.0\.0 is an unspecified address/],
      ['224.0.0.1:80', /multicast/],
      ['[::1]:80', /\[::1\] is a loopback address/],
      ['[::ffff:127.0.0.1]:5432', /\[::ffff:7f00:1\] is a loopback address/],
      ['[fe80::1]:80', /link-local/],
      ['[fd00::1]:80', /unique-local/],
      ['[::]:80', /unspecified/],
      ['0x7f000001:5432', /127\.0\.0\.1 is a loopback address/],
      ['2130706433:5432', /127\.0\.0\.1 is a loopback address/],
    ];
    for (const [authority, reason] of cases) {
      const answer = await exchange(open.socketPath, `CONNECT ${authority} HTTP/1.1\r\n\r\n`);
      assert.equal(answer.status, 403, authority);
      assert.match(answer.body, reason, authority);
    }
    assert.equal(open.stats().opened, 0);
    assert.equal(open.stats().refused, cases.length);
  });

  test('an unresolvable name is a 502 naming it', async () => {
    const open = await start({ name: 'unresolvable', allow: ['nowhere.test'] });
    const answer = await exchange(open.socketPath, 'CONNECT nowhere.test:443 HTTP/1.1\r\n\r\n');
    assert.equal(answer.status, 502);
    assert.match(
      answer.body,
      /^egress to nowhere\.test failed: nowhere\.test could not be resolved \(ENOTFOUND\)/,
    );
  });

  test('a refused connection upstream is a 502 naming the target', async () => {
    const free = net.createServer();
    await new Promise<void>((r) => free.listen(0, '127.0.0.1', r));
    const port = (free.address() as net.AddressInfo).port;
    await new Promise<void>((r) => free.close(() => r()));
    const open = await start({ name: 'refused-upstream', allow: [`127.0.0.1:${port}`] });
    const answer = await exchange(open.socketPath, `CONNECT 127.0.0.1:${port} HTTP/1.1\r\n\r\n`);
    assert.equal(answer.status, 502);
    assert.match(answer.body, new RegExp(`^egress to 127\\.0\\.0\\.1:${port} failed: ECONNREFUSED`));
  });

  test('absolute-form http:// is forwarded: Host from the URL, hop-by-hop and proxy headers dropped', async () => {
    webRequests.length = 0;
    const body = 'a'.repeat(5000);
    const chunked = `${(5000).toString(16)}\r\n${body}\r\n0\r\n\r\n`;
    const answer = await exchange(
      socketPath,
      `POST http://127.0.0.1:${webPort}/path?q=1 HTTP/1.1\r\nHost: other.example\r\n` +
        'Proxy-Authorization: Basic c2VjcmV0\r\nConnection: close, X-Drop\r\nX-Drop: 1\r\nX-Keep: 2\r\n' +
        `Transfer-Encoding: chunked\r\n\r\n${chunked}`,
    );
    assert.equal(answer.status, 201);
    assert.match(answer.head, /^HTTP\/1\.1 201 Made/);
    assert.match(answer.head, /x-answer: yes/i);
    assert.doesNotMatch(answer.head, /keep-alive: timeout/i);
    const seen = webRequests[0];
    assert.ok(seen);
    assert.equal(seen.method, 'POST');
    assert.equal(seen.url, '/path?q=1');
    assert.equal(seen.headers.host, `127.0.0.1:${webPort}`);
    assert.equal(seen.headers['proxy-authorization'], undefined);
    assert.equal(seen.headers['x-drop'], undefined);
    assert.equal(seen.headers['x-keep'], '2');
    assert.equal(seen.body, body);
  });

  test('absolute-form requests are checked like CONNECT', async () => {
    const answer = await exchange(socketPath, 'GET http://127.0.0.1:5432/ HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(answer.status, 403);
    assert.equal(answer.body, 'egress to 127.0.0.1:5432 is not allowed (quire.config.json network.allow)\n');
  });

  const badRequests: [string, string, number, RegExp][] = [
    [
      'origin-form',
      'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
      400,
      /takes CONNECT host:port or an absolute http:\/\/ URL/,
    ],
    [
      'https absolute-form',
      'GET https://example.com/ HTTP/1.1\r\nHost: x\r\n\r\n',
      400,
      /https only through CONNECT/,
    ],
    ['CONNECT without a port', 'CONNECT example.com HTTP/1.1\r\n\r\n', 400, /takes CONNECT host:port/],
    ['CONNECT to port 0', 'CONNECT example.com:0 HTTP/1.1\r\n\r\n', 400, /takes CONNECT host:port/],
    ['CONNECT with userinfo', 'CONNECT a@b.test:80 HTTP/1.1\r\n\r\n', 400, /takes CONNECT host:port/],
    [
      'an upgrade in absolute-form',
      `GET http://127.0.0.1:${0}/ HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`,
      400,
      /upgrades \(WebSocket\) only through CONNECT/,
    ],
    [
      'a head over the limit',
      `GET http://x.test/ HTTP/1.1\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
      431,
      /over 16384 bytes/,
    ],
    ['garbage', 'HELLO\x00\x01\x02\r\n\r\n', 400, /malformed request/],
  ];
  for (const [name, request, status, reason] of badRequests) {
    test(`bad request: ${name} → ${status}`, async () => {
      const answer = await exchange(socketPath, request);
      assert.equal(answer.status, status, answer.head);
      assert.match(answer.body, reason);
    });
  }

  test('at most maxConnections upstream connections at once; a slot frees when one closes', async () => {
    const limited = await start({
      name: 'limited',
      allow: [`127.0.0.1:${echoPort}`],
      limits: { maxConnections: 2 },
    });
    const a = await tunnel(limited.socketPath, `127.0.0.1:${echoPort}`);
    const b = await tunnel(limited.socketPath, `127.0.0.1:${echoPort}`);
    const third = await exchange(limited.socketPath, `CONNECT 127.0.0.1:${echoPort} HTTP/1.1\r\n\r\n`);
    assert.equal(third.status, 503);
    assert.match(third.body, /too many egress connections at once \(2\)/);
    a.destroy();
    // The slot is released when the proxy sees the tunnel close: poll with a deadline.
    const deadline = Date.now() + 10_000;
    let c: net.Socket | undefined;
    while (!c && Date.now() < deadline) {
      c = await tunnel(limited.socketPath, `127.0.0.1:${echoPort}`).catch(() => undefined);
      if (!c) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(c, 'a new tunnel opens once one closed');
    b.destroy();
    c.destroy();
  });

  test('an idle tunnel is closed', async () => {
    const idle = await start({
      name: 'idle',
      allow: [`127.0.0.1:${echoPort}`],
      limits: { idleTimeoutMs: 200 },
    });
    const socket = await tunnel(idle.socketPath, `127.0.0.1:${echoPort}`);
    socket.on('error', () => undefined);
    await closed(socket);
    // The upstream side closes right after: poll with a deadline.
    const deadline = Date.now() + 10_000;
    while (idle.stats().active > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(idle.stats().active, 0);
  });

  test('random bytes never crash it; it still serves afterwards', async () => {
    const fuzzed = await start({
      name: 'fuzz',
      allow: [`127.0.0.1:${echoPort}`],
      limits: { headersTimeoutMs: 1000 },
    });
    const random = xorshift(20261126);
    const prefixes = [
      '',
      'CONNECT ',
      'GET http://',
      `CONNECT 127.0.0.1:${echoPort} HTTP/1.1\r\n`,
      'GET / HTTP/1.1\r\n',
    ];
    for (let round = 0; round < 150; round++) {
      const length = Math.floor(random() * 600);
      const bytes = Buffer.alloc(length);
      for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
      const prefix = prefixes[round % prefixes.length] ?? '';
      await new Promise<void>((resolve) => {
        const socket = net.connect(fuzzed.socketPath);
        socket.on('error', () => resolve());
        socket.on('close', () => resolve());
        socket.on('data', () => undefined);
        socket.write(Buffer.concat([Buffer.from(prefix), bytes]));
        // The proxy answers or closes on its own; a request head that is merely incomplete waits,
        // so the client ends its side and the proxy must cope with that too.
        socket.end();
      });
    }
    const socket = await tunnel(fuzzed.socketPath, `127.0.0.1:${echoPort}`);
    socket.write('still here\n');
    assert.equal(await readUntil(socket, 'still here\n'), 'still here\n');
    socket.destroy();
  });

  test('the socket file: a stale socket is replaced, anything else is an error; close removes it', async () => {
    const path = join(dir, 'stale.sock');
    const old = net.createServer();
    await new Promise<void>((r) => old.listen(path, r));
    // Leave the socket file behind, as a host that was killed would.
    old.unref();
    const replaced = await startEgressProxy({ allow: [], socketPath: path });
    assert.ok(lstatSync(path).isSocket());
    await replaced.close();
    assert.equal(existsSync(path), false);
    old.close();
    const file = join(dir, 'not-a-socket');
    writeFileSync(file, 'x');
    await assert.rejects(startEgressProxy({ allow: [], socketPath: file }), /exists and is not a socket/);
    await assert.rejects(
      startEgressProxy({ allow: [], socketPath: join(dir, 'x'.repeat(120)) }),
      /socket path too long/,
    );
    await assert.rejects(
      startEgressProxy({ allow: ['http://x'], socketPath: join(dir, 'bad.sock') }),
      /network\.allow\.0/,
    );
  });

  test('owner: the socket is given to the kernel user', { skip: process.getuid?.() !== 0 }, async () => {
    const owned = await start({ name: 'owned', owner: { uid: 65534, gid: 65534 } });
    const stat = lstatSync(owned.socketPath);
    assert.equal(stat.uid, 65534);
    assert.equal(stat.gid, 65534);
  });

  test('close ends open tunnels', async () => {
    const closing = await start({ name: 'closing', allow: [`127.0.0.1:${echoPort}`] });
    const socket = await tunnel(closing.socketPath, `127.0.0.1:${echoPort}`);
    socket.on('error', () => undefined);
    await closing.close();
    await closed(socket);
    assert.equal(existsSync(closing.socketPath), false);
  });

  // DNS rebinding: the name resolves to a public address when checked and to loopback afterwards.
  // A proxy that checked one answer and then connected by name would reach the loopback server.
  // The dial to the public address must not leave this machine, so the proxy runs in a network
  // namespace of its own (only loopback: the public address is unreachable at once).
  const netns = spawnSync('unshare', ['-n', 'true']).status === 0;
  test(
    'a name that rebinds after the check is connected only at the checked address',
    { skip: netns ? false : 'network namespaces are unavailable here (unshare -n failed)' },
    async () => {
      const proxyModule = join(packageRoot(), 'dist/kernel/egress/proxy.js');
      assert.ok(existsSync(proxyModule), 'build first: npx tsc -p tsconfig.build.json');
      const script = join(dir, 'rebind.mjs');
      writeFileSync(
        script,
        `
import http from 'node:http';
import net from 'node:net';
import { startEgressProxy } from ${JSON.stringify(proxyModule)};
let hits = 0;
const server = http.createServer((req, res) => { hits++; res.end('reached'); });
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;
let calls = 0;
const proxy = await startEgressProxy({
  allow: ['*.rebind.test:*'],
  socketPath: ${JSON.stringify(join(dir, 'rebind.sock'))},
  resolve: async () => (++calls === 1 ? ['1.2.3.4'] : ['127.0.0.1']),
});
const answer = await new Promise((resolve) => {
  const socket = net.connect(proxy.socketPath);
  let text = '';
  socket.on('data', (d) => (text += d));
  socket.on('close', () => resolve(text));
  socket.write('CONNECT api.rebind.test:' + port + ' HTTP/1.1\\r\\n\\r\\nGET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n');
});
console.log(JSON.stringify({ answer, hits, calls }));
await proxy.close();
server.close();
`,
      );
      chmodSync(script, 0o644);
      const child = spawn(
        'unshare',
        ['-n', 'sh', '-c', 'ip link set lo up && exec "$0" "$1"', process.execPath, script],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((r) => child.on('close', r));
      assert.equal(code, 0, err);
      const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as {
        answer: string;
        hits: number;
        calls: number;
      };
      assert.equal(result.hits, 0, 'the loopback server was not reached');
      assert.equal(result.calls, 1, 'the name was resolved once');
      assert.match(result.answer, /^HTTP\/1\.1 502/);
      assert.match(result.answer, /egress to api\.rebind\.test:\d+ failed: (ENETUNREACH|EHOSTUNREACH)/);
    },
  );
});
