/**
 * The alert's link to a run opens that run: a real server (its baseUrl is its own address), a run
 * that fails, the webhook's real payload, and its `link` followed — with the session cookie a page
 * naming the run; without one, first the same-origin reload (the cookie is SameSite=Strict and a
 * link clicked in a chat is a cross-site navigation), then how to log in. And `quire serve` with
 * an alert webhook variable that is not set: exit 2 and one line, not a stack trace.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import { startServer } from '../../../src/server/server.js';
import { makeWorkspace, removeWorkspace, runCli, sleep } from '../cli/helpers.js';
import { login } from '../server/ws-client.js';

interface Payload {
  kind: string;
  link: string | null;
  run: { id: string };
  notebook: { path: string };
}

const workspaces: string[] = [];
after(() => workspaces.forEach(removeWorkspace));

/** A port nothing listens on right now (the server binds it next). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function webhook(): Promise<{ server: Server; url: string; received: Payload[] }> {
  const received: Payload[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push(JSON.parse(body) as Payload);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

describe('alerts: the link to the run', () => {
  test("following a real alert's link answers 200 with a page that names the run", async () => {
    const hook = await webhook();
    const port = await freePort();
    const ws = makeWorkspace({
      'quire.config.json': JSON.stringify({
        alerts: { webhook: { urlEnv: 'QUIRE_TEST_LINK_HOOK' }, baseUrl: `http://127.0.0.1:${port}` },
      }),
      'reports/daily.nb.md':
        '---\ntitle: Daily <numbers>\n---\n\n```ts\nthrow new Error("no data today");\n```\n',
    });
    workspaces.push(ws);
    process.env.QUIRE_TEST_LINK_HOOK = hook.url;
    const server = await startServer({ workspace: ws, port, graceMs: 1000 });
    try {
      const run = await server.jobs!.jobs.service.submit({
        path: 'reports/daily.nb.md',
        source: '---\ntitle: Daily <numbers>\n---\n\n```ts\nthrow new Error("no data today");\n```\n',
        title: 'Daily <numbers>',
        trigger: 'api',
        params: {},
      });
      for (const deadline = Date.now() + 30_000; hook.received.length === 0 && Date.now() < deadline;)
        await sleep(50);
      const alert = hook.received[0];
      assert.equal(alert?.kind, 'failure');
      assert.equal(alert.run.id, run!.id);
      assert.equal(alert.link, `http://127.0.0.1:${port}/runs/${run!.id}`);

      const cookie = await login(server);
      const opened = await fetch(alert.link!, { headers: { cookie } });
      assert.equal(opened.status, 200);
      assert.match(opened.headers.get('content-type') ?? '', /^text\/html/);
      const html = await opened.text();
      assert.match(html, new RegExp(`<code data-run-id>${run!.id}</code>`), 'names the run');
      assert.match(html, /Daily &lt;numbers&gt;/, 'names the notebook, escaped');
      assert.match(html, /href="\/n\/reports\/daily\.nb\.md"/, 'links to the notebook in the editor');
      assert.match(html, /no data today/, 'says why it failed');
      assert.match(html, new RegExp(`<iframe sandbox="" src="/api/runs/${run!.id}/report"`));
      const report = await fetch(`${server.url}/api/runs/${run!.id}/report`, { headers: { cookie } });
      assert.equal(report.status, 200, 'the framed report is there');

      // Without the cookie (a cross-site click): a reload from this origin, then a login hint.
      const first = await fetch(alert.link!);
      assert.equal(first.status, 401);
      const reload = await first.text();
      assert.match(reload, new RegExp(`http-equiv="refresh" content="0;url=/runs/${run!.id}\\?again"`));
      assert.doesNotMatch(reload, /Daily|reports\/daily/, 'nothing about the run without a session');
      const second = await fetch(`${alert.link!}?again`);
      assert.equal(second.status, 401);
      const hint = await second.text();
      assert.match(hint, /login URL that <code>quire serve<\/code>\s+printed/);
      assert.doesNotMatch(hint, /http-equiv="refresh"/, 'no reload loop');

      const unknown = await fetch(`${server.url}/runs/run-20000101T000000Z-000000`, { headers: { cookie } });
      assert.equal(unknown.status, 404);
    } finally {
      await server.close();
      delete process.env.QUIRE_TEST_LINK_HOOK;
      hook.server.close();
    }
  });
});

describe('quire serve: a workspace config that cannot be used', () => {
  const cases: [string, object, RegExp][] = [
    [
      'an alert webhook variable that is not set',
      { alerts: { webhook: { urlEnv: 'QUIRE_TEST_UNSET_HOOK' } } },
      /^quire serve: \S*quire\.config\.json: alerts\.webhook\.urlEnv: environment variable QUIRE_TEST_UNSET_HOOK is not set/,
    ],
    [
      'a metrics token variable that is not set',
      { metrics: { tokenEnv: 'QUIRE_TEST_UNSET_TOKEN' } },
      /^quire serve: quire\.config\.json: metrics\.tokenEnv names QUIRE_TEST_UNSET_TOKEN, which is not set/,
    ],
  ];
  for (const [name, config, message] of cases)
    test(`${name}: exit 2 and one line naming the file, the field and the variable`, async () => {
      const ws = makeWorkspace({ 'quire.config.json': JSON.stringify(config), 'a.nb.md': '```ts\n1\n```\n' });
      workspaces.push(ws);
      const env = { QUIRE_TEST_UNSET_HOOK: '', QUIRE_TEST_UNSET_TOKEN: '', QUIRE_METRICS_TOKEN: '' };
      const r = await runCli(['serve', '.', '--port', '0'], { cwd: ws, env });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    });
});
