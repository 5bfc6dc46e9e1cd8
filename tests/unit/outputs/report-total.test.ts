/**
 * Rendering is total (issue 8): whatever a record holds, every output renders or becomes an error
 * box naming the cell and the reason, and the rest of the report renders.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { stopChartRenderer } from '../../../src/outputs/render/chart-sandbox.js';
import { renderOutputHtml } from '../../../src/outputs/render/output.js';
import { renderReport, type ReportCell, type ReportInput } from '../../../src/outputs/render/report.js';
import { MIME, type Output } from '../../../src/outputs/types.js';

after(() => stopChartRenderer());

const code = (id: string, outputs: unknown, extra: Partial<ReportCell> = {}): ReportCell =>
  ({
    id,
    kind: 'code',
    language: 'ts',
    source: `// ${id}`,
    echo: true,
    status: 'ok',
    outputs,
    ...extra,
  }) as ReportCell;

const report = (cells: ReportCell[]): ReportInput => ({
  title: 'Total',
  notebookPath: 'total.nb.md',
  status: 'ok',
  startedAt: '2024-05-06T06:00:00.000Z',
  durationMs: 1,
  params: {},
  cells,
});

const FINE = code('fine', [{ mime: MIME.text, data: 'still here' }]);

describe('renderReport is total', () => {
  it('a cell whose record is malformed becomes an error box; the others render', async () => {
    const html = await renderReport(
      report([
        code('c1', null, { name: 'broken' }),
        code('c2', [null, { mime: MIME.table, data: { columns: 'x', rows: 5 } }, { mime: 7 }]),
        FINE,
      ]),
    );
    assert.match(html, /cell &quot;broken&quot; could not be shown: /);
    assert.match(html, /<pre class="q-text">still here<\/pre>/);
    assert.match(html, /<\/html>\n$/);
  });

  it('a cell too deep to redact is left out, not shown unredacted', async () => {
    let deep: unknown = 'SECRET-VALUE';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const redactor = { redact: (text: string) => text.replaceAll('SECRET-VALUE', '[REDACTED]') };
    const html = await renderReport(
      report([code('c1', [{ mime: MIME.json, data: deep }], { name: 'deep' }), FINE]),
      { redactor },
    );
    assert.match(html, /cell 1 could not be shown: it could not be checked for secrets/);
    assert.doesNotMatch(html, /SECRET-VALUE/);
    assert.match(html, /still here/);
  });

  it('a record that is not one still gives a report saying so', async () => {
    const html = await renderReport({ cells: 'nope', params: null } as unknown as ReportInput);
    assert.match(html, /^<!doctype html>/);
    assert.match(html, /<\/html>\n$/);
  });
});

describe('renderOutputHtml is total', () => {
  const mimes = [
    MIME.text,
    MIME.html,
    MIME.markdown,
    MIME.json,
    MIME.table,
    MIME.svg,
    MIME.stream,
    MIME.error,
    'application/x-unknown',
  ];

  it('never throws, whatever the data (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...mimes),
        fc.anything({ withBigInt: true, withMap: true, withSet: true }),
        async (mime, data) => {
          const html = await renderOutputHtml({ mime, data } as Output, { cell: 'cell x' });
          assert.equal(typeof html, 'string');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('an output it cannot show names the cell and the reason', async () => {
    const html = await renderOutputHtml({ mime: MIME.json, data: { big: 1n } }, { cell: 'cell "x"' });
    assert.match(html, /q-error[\s\S]*application\/json in cell &quot;x&quot; could not be shown: \S/);
  });
});

describe('charts that fail for the attempt', () => {
  it('are reported as transient (so a stored report is not kept); a bad spec is not', async () => {
    const bomb = {
      data: { values: [{ a: 1 }] },
      mark: 'point',
      transform: [
        { calculate: "test(regexp('^(a+)+$'), 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!')", as: 'z' },
      ],
    };
    const transient: string[] = [];
    const html = await renderReport(
      report([
        code('c1', [{ mime: MIME.vegalite, data: bomb }], { name: 'slow' }),
        code('c2', [{ mime: MIME.vegalite, data: { mark: 5 } }], { name: 'bad' }),
        FINE,
      ]),
      { charts: { timeoutMs: 1000 }, onTransientFailure: (reason) => transient.push(reason) },
    );
    assert.match(html, /chart in cell &quot;slow&quot; could not be rendered: it took longer than 1 s/);
    assert.match(html, /chart in cell &quot;bad&quot; could not be rendered: /);
    assert.match(html, /still here/);
    assert.equal(transient.length, 1, transient.join('\n'));
  });

  it('past the total chart time of a report, the remaining charts are not drawn (and that is transient)', async () => {
    const chart = { data: { values: [{ a: 1 }] }, mark: 'point' };
    const transient: string[] = [];
    const html = await renderReport(
      report([code('c1', [{ mime: MIME.vegalite, data: chart }], { name: 'late' }), FINE]),
      { chartsTotalMs: 0, onTransientFailure: (reason) => transient.push(reason) },
    );
    assert.match(html, /chart in cell &quot;late&quot; could not be rendered: not drawn: /);
    assert.match(html, /still here/);
    assert.equal(transient.length, 1);
  });
});
