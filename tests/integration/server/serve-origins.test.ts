/**
 * `quire serve --origin` and the per-user quota flags as real processes (bin/quire.js runs dist/:
 * `npm run build` first). A server bound to every address and reached by a DNS name (a reverse
 * proxy's) refuses that Host (421) until the name's origin is given; then the Host, the Origin rule
 * of a save and the WebSocket accept it, and still refuse a name that merely starts with it. The
 * quota flags replace quire.config.json's `quotas` for that start. Bad values exit 2 naming the flag
 * or the field.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { Accounts } from '../../../src/auth/accounts.js';
import type { RunningServer } from '../../../src/server/server.js';
import { openStore } from '../../../src/store/open.js';
import { cliPath, runCli } from '../cli/helpers.js';
import { accountLogin, makeWorkspace, notebook, removeWorkspace, waitFor, withCsrf } from './helpers.js';
import { TestClient } from './ws-client.js';

const PROXIED = 'https://notebooks.example.com';
const PASSWORD = 'correct horse battery';

let dir: string;
before(() => {
  dir = makeWorkspace({
    'a.nb.md': notebook('A'),
    'b.nb.md': notebook('B'),
    'slow.nb.md': '# Slow\n\n```ts\nawait new Promise((r) => setTimeout(r, 2000));\n```\n',
  });
  chmodSync(dir, 0o755);
});
after(() => removeWorkspace(dir));

interface Serving {
  child: ChildProcess;
  /** where this test reaches it: 127.0.0.1 and the port it printed */
  url: string;
  /** the login URL printed (single-user mode) */
  loginUrl: string | undefined;
  stop(): Promise<number | null>;
}

async function serve(args: string[]): Promise<Serving> {
  const child = spawn(process.execPath, [cliPath, 'serve', dir, '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await waitFor(() => /Ctrl-C to stop/.test(out) || child.exitCode !== null, 30_000).catch(() => {
    throw new Error(`quire serve did not start: ${out}${err}`);
  });
  const port = /http:\/\/[^\s/]+:(\d+)\//.exec(out)?.[1];
  assert.ok(port, out + err);
  const url = `http://127.0.0.1:${port}`;
  const printed = /http:\/\/\S+\/login\?token=\S+/.exec(out)?.[0];
  return {
    child,
    url,
    loginUrl: printed && `${url}${new URL(printed).pathname}${new URL(printed).search}`,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

interface Answer {
  status: number;
  body: string;
}

/** A raw HTTP request to `url`: unlike fetch, it may set any Host header. */
function raw(url: string, method: string, path: string, headers: Record<string, string>, body?: string) {
  const target = new URL(url);
  return new Promise<Answer>((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method,
        path,
        headers: {
          host: target.host,
          ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function loginCookie(serving: Serving): Promise<string> {
  const response = await fetch(serving.loginUrl!, { redirect: 'manual' });
  assert.equal(response.status, 302);
  return (response.headers.get('set-cookie') ?? '').split(';')[0]!;
}

/** The status of a WebSocket upgrade (101 when accepted). */
function upgrade(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws') + '/ws', { headers });
    socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('error', () => resolve(0));
  });
}

/** A save of a.nb.md as the proxied UI sends it: through `host`, from `origin`, with its CSRF token. */
async function save(serving: Serving, cookie: string, host: string, origin: string): Promise<Answer> {
  const read = await raw(serving.url, 'GET', '/api/notebooks/a.nb.md', { cookie });
  assert.equal(read.status, 200, read.body);
  const { version, text } = JSON.parse(read.body) as { version: string; text: string };
  return raw(
    serving.url,
    'PUT',
    '/api/notebooks/a.nb.md',
    { ...withCsrf(cookie), 'content-type': 'application/json', host, origin },
    JSON.stringify({ text, baseVersion: version }),
  );
}

test(
  'bound to every address, a DNS name is refused (421) until --origin names it',
  { timeout: 90_000 },
  async () => {
    const without = await serve(['--host', '0.0.0.0']);
    try {
      const cookie = await loginCookie(without);
      const answer = await raw(without.url, 'GET', '/api/notebooks', {
        cookie,
        host: 'notebooks.example.com',
      });
      assert.equal(answer.status, 421, answer.body);
      assert.equal(
        await upgrade(without.url, { cookie, host: 'notebooks.example.com', origin: PROXIED }),
        421,
      );
    } finally {
      assert.equal(await without.stop(), 0);
    }

    // As an operator writes it; the server keeps it as a browser sends it.
    const proxied = await serve(['--host', '0.0.0.0', '--origin', 'HTTPS://Notebooks.Example.com:443']);
    try {
      const cookie = await loginCookie(proxied);
      for (const host of ['notebooks.example.com', 'notebooks.example.com:443']) {
        const answer = await raw(proxied.url, 'GET', '/api/notebooks', { cookie, host });
        assert.equal(answer.status, 200, `Host ${host}: ${answer.body}`);
        assert.match(answer.body, /a\.nb\.md/);
      }
      assert.equal(
        await upgrade(proxied.url, { cookie, host: 'notebooks.example.com', origin: PROXIED }),
        101,
      );
      assert.equal((await save(proxied, cookie, 'notebooks.example.com', PROXIED)).status, 200);

      // A name that only starts with the configured one is somebody else's.
      const evil = `${PROXIED}.evil.com`;
      const refused = await save(proxied, cookie, 'notebooks.example.com', evil);
      assert.equal(refused.status, 403, refused.body);
      assert.equal(await upgrade(proxied.url, { cookie, host: 'notebooks.example.com', origin: evil }), 403);
      for (const host of ['notebooks.example.com.evil.com', 'notebooks.example.com:8443']) {
        const answer = await raw(proxied.url, 'GET', '/api/notebooks', { cookie, host });
        assert.equal(answer.status, 421, `Host ${host}: ${answer.body}`);
      }
      // The bound address still works.
      assert.equal((await raw(proxied.url, 'GET', '/api/notebooks', { cookie })).status, 200);
    } finally {
      assert.equal(await proxied.stop(), 0);
    }
  },
);

test('server.origins in quire.config.json is taken like --origin', { timeout: 60_000 }, async () => {
  writeFileSync(join(dir, 'quire.config.json'), JSON.stringify({ server: { origins: [PROXIED] } }));
  const serving = await serve([]);
  try {
    const cookie = await loginCookie(serving);
    const answer = await raw(serving.url, 'GET', '/api/notebooks', { cookie, host: 'notebooks.example.com' });
    assert.equal(answer.status, 200, answer.body);
    assert.equal((await save(serving, cookie, 'notebooks.example.com', PROXIED)).status, 200);
  } finally {
    assert.equal(await serving.stop(), 0);
    writeFileSync(join(dir, 'quire.config.json'), '{}\n');
  }
});

test('a bad origin, in the flag or the file, is exit 2 naming where', async () => {
  for (const [origin, reason] of [
    [
      'https://notebooks.example.com/quire',
      'it has a path, query or fragment: write https://notebooks.example.com',
    ],
    ['notebooks.example.com', 'it has no scheme'],
    ['https://*.example.com', 'a wildcard matches nothing'],
  ]) {
    const result = await runCli(['serve', dir, '--port', '0', '--origin', PROXIED, '--origin', origin!]);
    assert.equal(result.code, 2, result.stderr);
    assert.ok(
      result.stderr.startsWith(`quire serve: --origin: "${origin}" is not an origin: ${reason}`),
      result.stderr,
    );
    assert.equal(result.stdout, '');
  }
  writeFileSync(
    join(dir, 'quire.config.json'),
    JSON.stringify({ server: { origins: ['http://nb.example.com/'] } }),
  );
  try {
    const result = await runCli(['serve', dir, '--port', '0']);
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      /^quire serve: \S+quire\.config\.json: server\.origins\.0: "http:\/\/nb\.example\.com\/" is not an origin: it has a path/,
    );
  } finally {
    writeFileSync(join(dir, 'quire.config.json'), '{}\n');
  }
});

test(
  '--kernels-per-user and --runs-per-user take the place of the file’s quotas',
  { timeout: 120_000 },
  async () => {
    writeFileSync(
      join(dir, 'quire.config.json'),
      JSON.stringify({ quotas: { kernelsPerUser: 3, runsPerUser: 3 } }),
    );
    const store = await openStore({ workspace: dir });
    await new Accounts(store.db).addUser('ada', 'admin', PASSWORD);
    await store.close();
    const serving = await serve(['--kernels-per-user', '1', '--runs-per-user', '1', '--concurrency', '1']);
    const clients: TestClient[] = [];
    try {
      const cookie = await accountLogin(serving.url, 'ada', PASSWORD);
      const server = { url: serving.url } as RunningServer;
      clients.push(await TestClient.connect(server, cookie), await TestClient.connect(server, cookie));
      assert.equal((await clients[0]!.request({ type: 'open', path: 'a.nb.md' })).type, 'snapshot');
      const refused = await clients[1]!.request({ type: 'open', path: 'b.nb.md' });
      assert.equal(refused.type, 'error');
      assert.match(
        String(refused.message),
        /^quota: you have 1 notebook session open.*the limit is 1 per user/,
      );

      const post = () =>
        fetch(`${serving.url}/api/runs`, {
          method: 'POST',
          headers: { ...withCsrf(cookie), 'content-type': 'application/json', origin: serving.url },
          body: JSON.stringify({ path: 'slow.nb.md' }),
        });
      assert.equal((await post()).status, 202);
      const over = await post();
      assert.equal(over.status, 429);
      assert.match(((await over.json()) as { message: string }).message, /the limit is 1 per user/);
    } finally {
      for (const client of clients) client.socket.close();
      assert.equal(await serving.stop(), 0);
      writeFileSync(join(dir, 'quire.config.json'), '{}\n');
    }
  },
);

test('a quota flag takes a whole number from 1 to 10000: else exit 2 naming the flag', async () => {
  for (const [flag, value] of [
    ['--kernels-per-user', '0'],
    ['--runs-per-user', '1.5'],
    ['--runs-per-user', 'many'],
    ['--kernels-per-user', '10001'],
  ]) {
    const result = await runCli(['serve', dir, '--port', '0', flag!, value!]);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(
      result.stderr.split('\n')[0],
      `quire serve: ${flag} expects a whole number from 1 to 10000, got "${value}"`,
    );
  }
});
