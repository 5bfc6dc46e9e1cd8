/**
 * Fixture outputs of every MIME type (src/outputs/types.ts) on one page, `/#/dev/outputs`: the
 * e2e tests check the output components here until outputs arrive over the WebSocket.
 */
import { CellView } from './components/CellView.js';
import { OutputView } from './components/outputs/OutputView.js';
import { MIME, type Output, type TableData } from '../protocol/index.js';
import type { SnapshotCell } from './session.js';

const regions = ['EU', 'US', 'APAC', 'LATAM', 'MEA'];
const table: TableData = {
  columns: [
    { name: 'id', type: 'INTEGER' },
    { name: 'region', type: 'VARCHAR' },
    { name: 'total', type: 'DOUBLE' },
  ],
  rows: Array.from({ length: 42 }, (_, i) => [
    i + 1,
    regions[i % regions.length],
    Math.round(((i * 37) % 101) * 10.5) / 10,
  ]),
  rowCount: 1_000_000,
  truncated: true,
};

const outputs: Output[] = [
  { mime: MIME.text, data: 'plain text output\nsecond line' },
  { mime: MIME.html, data: '<p class="fixture-html">Sanitized <b>HTML</b> output</p>' },
  { mime: MIME.markdown, data: '## Markdown output\n\n- one\n- **two**' },
  { mime: MIME.json, data: { region: 'EU', total: 12.5, tags: ['a', 'b'] } },
  { mime: MIME.table, data: table },
  {
    mime: MIME.vegalite,
    data: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      data: { values: regions.map((region, i) => ({ region, total: (i + 1) * 10 })) },
      mark: 'bar',
      encoding: { x: { field: 'region', type: 'nominal' }, y: { field: 'total', type: 'quantitative' } },
    },
  },
  { mime: MIME.stream, data: { name: 'stdout', text: 'console.log output\n' } },
  { mime: MIME.stream, data: { name: 'stderr', text: 'a warning on stderr\n' } },
];

const failingCell: SnapshotCell = {
  kind: 'code',
  id: 'failing',
  language: 'ts',
  name: 'failing',
  source: 'const a = 1;\nconst b = a.nope.deeper;',
  status: 'error',
  durationMs: 3,
  outputs: [],
  declarations: ['a', 'b'],
};

const errorOutput: Output = {
  mime: MIME.error,
  data: {
    name: 'TypeError',
    message: "Cannot read properties of undefined (reading 'deeper')",
    line: 2,
    column: 18,
  },
};

export function Fixtures() {
  return (
    <main class="fixtures-page">
      <h1>Output components (fixtures)</h1>
      {outputs.map((output, i) => (
        <section class="fixture" data-mime={output.mime} key={i}>
          <h2>{output.mime}</h2>
          <OutputView output={output} />
        </section>
      ))}
      <section class="fixture" data-mime={MIME.error}>
        <h2>{MIME.error} (the line is marked in the editor)</h2>
        <CellView
          cell={{ ...failingCell, outputs: [errorOutput] }}
          eager
          onSourceChange={() => {}}
          onRun={() => {}}
          onMove={() => {}}
          onDelete={() => {}}
          onInsertAfter={() => {}}
        />
      </section>
    </main>
  );
}
