import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderOutputHtml } from '../../../src/outputs/render/output.js';
import { formatDuration, formatTimestamp } from '../../../src/outputs/render/format.js';
import { MIME, type TableData } from '../../../src/outputs/types.js';

const BAR_CHART = {
  data: {
    values: [
      { region: 'EU', total: 3 },
      { region: 'US', total: 5 },
    ],
  },
  mark: 'bar',
  encoding: { x: { field: 'region', type: 'nominal' }, y: { field: 'total', type: 'quantitative' } },
};

describe('renderOutputHtml', () => {
  it('shows text and streams in <pre>, escaped, stderr styled', async () => {
    assert.equal(
      await renderOutputHtml({ mime: MIME.text, data: '<b>' }),
      '<pre class="q-text">&lt;b&gt;</pre>',
    );
    const err = await renderOutputHtml({ mime: MIME.stream, data: { name: 'stderr', text: 'oops' } });
    assert.equal(err, '<pre class="q-stream q-stderr">oops</pre>');
  });

  it('renders a table with types, right-aligned numbers and a caption', async () => {
    const table: TableData = {
      columns: [
        { name: 'region', type: 'VARCHAR' },
        { name: 'total', type: 'DECIMAL(18,2)' },
      ],
      rows: [
        ['EU', 1200.5],
        ['<US>', null],
      ],
      rowCount: 1234,
      truncated: true,
    };
    const html = await renderOutputHtml({ mime: MIME.table, data: table });
    assert.match(html, /<caption>showing 2 of 1,234 rows<\/caption>/);
    assert.match(
      html,
      /<th scope="col" class="q-num"><span class="q-col-name">total<\/span><span class="q-col-type">DECIMAL\(18,2\)<\/span><\/th>/,
    );
    assert.match(html, /<td class="q-num">1200.5<\/td>/);
    assert.match(html, /<td>&lt;US&gt;<\/td><td class="q-null">null<\/td>/);
  });

  it('says "N rows" for a whole table', async () => {
    const html = await renderOutputHtml({
      mime: MIME.table,
      data: { columns: [{ name: 'a', type: 'number' }], rows: [[1]], rowCount: 1, truncated: false },
    });
    assert.match(html, /<caption>1 row<\/caption>/);
  });

  it('renders a Vega-Lite bar chart as inline SVG without a browser', async () => {
    const html = await renderOutputHtml({ mime: MIME.vegalite, data: BAR_CHART });
    assert.match(html, /^<figure class="q-chart"><svg/);
    assert.match(html, /<path|<rect/);
    assert.doesNotMatch(html, /<script|\son\w+=/);
  });

  it('shows an error box for a spec that does not compile', async () => {
    const html = await renderOutputHtml({
      mime: MIME.vegalite,
      data: { mark: 'nonsense', encoding: { x: 5 } },
    });
    assert.match(html, /^<div class="q-error" role="alert">/);
    assert.match(html, /could not be rendered/);
  });

  it('refuses to load chart data from a URL', async () => {
    const spec = { ...BAR_CHART, data: { url: 'https://example.com/data.json' } };
    const html = await renderOutputHtml({ mime: MIME.vegalite, data: spec });
    assert.match(html, /q-error[\s\S]*cannot load data from URLs/);
  });

  it('sanitizes html and renders markdown', async () => {
    assert.equal(
      await renderOutputHtml({ mime: MIME.html, data: '<b onclick="x">b</b><script>x</script>' }),
      '<div class="q-html"><b>b</b></div>',
    );
    assert.equal(
      await renderOutputHtml({ mime: MIME.markdown, data: '*hi*' }),
      '<div class="q-markdown"><p><em>hi</em></p>\n</div>',
    );
  });

  it('pretty-prints json', async () => {
    assert.equal(
      await renderOutputHtml({ mime: MIME.json, data: { a: ['<'] } }),
      '<pre class="q-json">{\n  &quot;a&quot;: [\n    &quot;&lt;&quot;\n  ]\n}</pre>',
    );
  });

  it('shows an error with its line and the stack folded', async () => {
    const html = await renderOutputHtml({
      mime: MIME.error,
      data: { name: 'TypeError', message: 'x is <undefined>', line: 3, stack: 'TypeError: x\n at cell:3' },
    });
    assert.match(html, /<strong>TypeError at line 3<\/strong>: x is &lt;undefined&gt;/);
    assert.match(
      html,
      /<details class="q-stack"><summary>Stack trace<\/summary><pre>TypeError: x\n at cell:3<\/pre><\/details>/,
    );
  });

  it('notes an unknown MIME type', async () => {
    assert.match(
      await renderOutputHtml({ mime: 'application/x-thing', data: 1 }),
      /q-note.*application\/x-thing/,
    );
  });
});

describe('formats', () => {
  it('formats durations', () => {
    assert.deepEqual([12, 1500, 65_000, 3_700_000].map(formatDuration), [
      '12 ms',
      '1.5 s',
      '1 m 05 s',
      '1 h 1 m',
    ]);
  });

  it('formats timestamps in UTC', () => {
    assert.equal(formatTimestamp('2024-05-06T08:00:03+02:00'), '2024-05-06 06:00:03 UTC');
    assert.equal(formatTimestamp('not a date'), 'not a date');
  });
});

it('a multi-line error message keeps its lines (DuckDB caret alignment)', async () => {
  const html = await renderOutputHtml({
    mime: MIME.error,
    data: {
      name: 'SqlError',
      message: 'Binder Error: no column\n\nLINE 3: where nope > 1\n              ^',
      line: 3,
    },
  });
  assert.match(
    html,
    /<pre class="q-error-message">Binder Error: no column\n\nLINE 3: where nope &gt; 1\n {14}\^<\/pre>/,
  );
});
