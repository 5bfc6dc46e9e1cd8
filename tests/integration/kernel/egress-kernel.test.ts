/**
 * Egress wired into a real kernel: a workspace that names a host in `network.allow` reaches it
 * through the host's proxy; everything else stays closed (the proxy's own tests are in
 * egress-proxy.test.ts, the kernel side's in egress.test.ts).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { js, kernelPerSuite, run, withKernel } from './helpers.js';

describe('egress from a kernel', () => {
  let server: Server;
  let port = 0;
  let closedPort = 0;
  // Registered before the kernel's hook, so that the ports are known when the workspace is made.
  before(async () => {
    server = createServer((request, response) => response.end(`hello ${request.url}`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
    const other = createServer((_request, response) => response.end('must not be reached'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    closedPort = (other.address() as { port: number }).port;
    after(() => other.close());
  });
  after(() => server.close());
  const fixture = kernelPerSuite(() => ({
    files: { 'quire.config.json': JSON.stringify({ network: { allow: [`127.0.0.1:${port}`] } }) },
  }));

  async function fetchText(url: string): Promise<string> {
    const code = `try { const r = await fetch(${JSON.stringify(url)}); return { __quire_last: JSON.stringify(await r.text()) }; } catch (e) { return { __quire_last: JSON.stringify("error: " + (e.cause?.message ?? e.message)) }; }`;
    const { result, outputs } = await run(fixture.kernel, js(code));
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    const shown = outputs.find((o) => o.mime === 'text/plain');
    assert.ok(shown, JSON.stringify(outputs));
    return JSON.parse(String(shown.data)) as string;
  }

  test('a named host is reached through the proxy', async () => {
    assert.equal(await fetchText(`http://127.0.0.1:${port}/data`), 'hello /data');
  });

  test('anything not named is refused with the setting named', async () => {
    assert.match(
      await fetchText(`http://127.0.0.1:${closedPort}/`),
      /not allowed \(quire\.config\.json network\.allow\)/,
    );
    assert.match(await fetchText('http://169.254.169.254/latest/meta-data/'), /not allowed/);
  });

  test('without the setting, a kernel has no egress at all', async () => {
    await withKernel({}, async (closed) => {
      const code = `try { await fetch("http://127.0.0.1:${port}/"); return { __quire_last: "reached" }; } catch (e) { return { __quire_last: e.cause?.code ?? e.message }; }`;
      const { outputs } = await run(closed, js(code));
      assert.equal(outputs[0]?.data, 'ECONNREFUSED');
    });
  });
});
