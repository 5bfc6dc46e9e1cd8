/**
 * Hostile Vega-Lite specs (issue 8: nothing a notebook outputs may crash the host). Each file in
 * hostile-specs/ is `{about, expect, error?, timeoutMs?, spec}`; the spec is rendered through the
 * path the report uses (renderOutputHtml → renderChart → the chart worker) and must:
 * - never throw, reject or leave an unhandled rejection or exception behind;
 * - give either a chart without active content or an error box naming the cell and the reason;
 * - never make the host open a file or a connection: `{{PORT}}` is a TCP listener that counts
 *   connections, `{{FIFO}}` a named pipe (opening it to read would block until a writer comes,
 *   and a writer can open it without blocking only while a reader has it open);
 * - never pollute the host's Object.prototype.
 */
// test.mjs: own process (it asserts that nothing escaped or polluted anything in its process)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { stopChartRenderer, type ChartBudget } from '../../../src/outputs/render/chart-sandbox.js';
import { URL_REFUSAL } from '../../../src/outputs/render/chart-vega.js';
import { renderOutputHtml } from '../../../src/outputs/render/output.js';
import { MIME } from '../../../src/outputs/types.js';
import { fifoHasReader } from '../../support/fifo.js';

interface HostileCase {
  about: string;
  /** `chart`: must render; `error`: must be an error box; `either`: one or the other */
  expect: 'chart' | 'error' | 'either';
  /** a regular expression the error's text must match */
  error?: string;
  /** the chart's time budget (the default is 10 s) */
  timeoutMs?: number;
  /** the chart's SVG size budget (the default is 4 MiB) */
  maxSvgBytes?: number;
  spec: unknown;
}

const dir = fileURLToPath(new URL('./hostile-specs/', import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();
const CELL = 'cell "hostile"';

/** Elements that run, embed, load or animate: none may survive in a chart. */
const ACTIVE_TAGS =
  /^(script|foreignobject|iframe|object|embed|image|img|use|style|link|animate\w*|set|audio|video|form)$/i;

/**
 * Checks every tag and attribute of the markup. Text cannot hide a tag: vega and the sanitizer
 * both escape `<` in text and `"`, `<`, `>` in attribute values, so each literal `<` opens a tag.
 */
function assertInert(name: string, html: string): void {
  for (const [, tag = '', attributes = ''] of html.matchAll(/<([a-zA-Z][\w:-]*)([^>]*)>/g)) {
    assert.doesNotMatch(tag, ACTIVE_TAGS, `${name}: <${tag}>`);
    for (const [, attribute = '', value = ''] of attributes.matchAll(/([^\s=]+)(?:="([^"]*)")?/g)) {
      const where = `${name}: <${tag} ${attribute}="${value}">`;
      assert.doesNotMatch(attribute, /^(on|xlink:|src$|srcset$|action$|formaction$)/i, where);
      if (attribute === 'href') assert.match(value, /^(https?:|mailto:)/i, where);
      assert.doesNotMatch(value, /url\((?!#)/i, where);
      if (!/^(aria-label|aria-roledescription|title)$/.test(attribute))
        assert.doesNotMatch(value, /javascript:/i, where);
    }
  }
}

/** Every fulfilled chart or error box, and what escaped (must stay empty). */
const escaped: unknown[] = [];
const onEscape = (error: unknown) => escaped.push(error);

let listener: Server;
let port = 0;
let connections = 0;
let work: string;
let fifo: string;

function load(file: string): HostileCase {
  const text = readFileSync(join(dir, file), 'utf8')
    .replaceAll('{{PORT}}', String(port))
    .replaceAll('{{FIFO}}', fifo);
  return JSON.parse(text) as HostileCase;
}

async function render(spec: unknown, budget: Partial<ChartBudget> = {}): Promise<string> {
  return renderOutputHtml({ mime: MIME.vegalite, data: spec }, { cell: CELL, budget });
}

function check(name: string, html: string, expected: HostileCase['expect'], error?: string): void {
  const isChart = html.startsWith('<figure class="q-chart"><svg');
  const isError = html.startsWith('<div class="q-error" role="alert">');
  assert.ok(isChart || isError, `${name}: neither a chart nor an error box: ${html.slice(0, 200)}`);
  if (expected === 'chart') assert.ok(isChart, `${name}: expected a chart, got ${html.slice(0, 400)}`);
  if (expected === 'error') assert.ok(isError, `${name}: expected an error box, got ${html.slice(0, 200)}`);
  if (isError) {
    assert.match(html, /Chart error/, name);
    assert.match(
      html,
      /in cell &quot;hostile&quot; could not be rendered: \S/,
      `${name}: names the cell and why`,
    );
    if (error) assert.match(html, new RegExp(error), `${name}: ${html}`);
  }
  assertInert(name, html);
}

describe('hostile Vega-Lite specs', () => {
  before(async () => {
    process.on('unhandledRejection', onEscape);
    process.on('uncaughtException', onEscape);
    work = mkdtempSync(join(tmpdir(), 'quire-hostile-'));
    fifo = join(work, 'watched.fifo');
    execFileSync('mkfifo', [fifo]);
    listener = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    port = (listener.address() as { port: number }).port;
  });

  after(async () => {
    process.off('unhandledRejection', onEscape);
    process.off('uncaughtException', onEscape);
    stopChartRenderer();
    await new Promise<void>((resolve) => listener.close(() => resolve()));
    rmSync(work, { recursive: true, force: true });
  });

  it('has a corpus', () => assert.ok(files.length >= 30, `${files.length} cases`));

  for (const file of files) {
    it(file, async () => {
      const hostile = load(file);
      const { timeoutMs, maxSvgBytes } = hostile;
      const html = await render(hostile.spec, {
        ...(timeoutMs ? { timeoutMs } : {}),
        ...(maxSvgBytes ? { maxSvgBytes } : {}),
      });
      check(file, html, hostile.expect, hostile.error);
    });
  }

  it('a repeat of 3,000 views renders or stops at its time limit', async () => {
    const repeat = Array.from({ length: 3000 }, (_, i) => `a${i}`);
    const spec = {
      data: { values: [{ a0: 1 }] },
      repeat,
      spec: { mark: 'point', encoding: { x: { field: { repeat: 'repeat' }, type: 'quantitative' } } },
    };
    check('repeat', await render(spec, { timeoutMs: 5000 }), 'either');
  });

  it('a spec nested 100,000 levels deep is an error box', async () => {
    let deep: unknown = { mark: 'point' };
    for (let i = 0; i < 100_000; i++) deep = { layer: [deep] };
    check('deep', await render(deep), 'error');
    let deepMeta: unknown = 1;
    for (let i = 0; i < 100_000; i++) deepMeta = [deepMeta];
    check('deep usermeta', await render({ mark: 'point', usermeta: { x: deepMeta } }), 'either');
  });

  it('links keep only http(s): the href encoding renders with its one safe link', async () => {
    const html = await render(load('href-field.json').spec);
    assert.match(html, /<a href="https:\/\/example\.com\/a">/);
    assert.equal(html.match(/<a /g)?.length, 1, html);
  });

  it('refusals come from the locked loader, not vega’s own (which would try the URL)', async () => {
    const html = await render(load('data-url-listener.json').spec);
    assert.ok(html.includes(URL_REFUSAL.replaceAll("'", '&#39;').split(';')[0]!), html);
  });

  it('the next chart still renders after every hostile one', async () => {
    const html = await render({
      data: { values: [{ a: 1 }] },
      mark: 'point',
      encoding: { x: { field: 'a', type: 'quantitative' } },
    });
    assert.match(html, /^<figure class="q-chart"><svg/);
  });

  it('no file was opened, no connection made, nothing escaped, nothing polluted', () => {
    assert.equal(connections, 0, 'connections to the listener');
    assert.equal(fifoHasReader(fifo), false, 'the FIFO was opened for reading');
    assert.deepEqual(escaped, []);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
