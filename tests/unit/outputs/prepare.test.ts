import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { toOutputs } from '../../../src/outputs/display.js';
import { DEFAULT_MAX_OUTPUT_BYTES, prepareOutput, prepareOutputs } from '../../../src/outputs/prepare.js';
import {
  MIME,
  type ErrorData,
  type Output,
  type StreamData,
  type TableData,
} from '../../../src/outputs/types.js';
import { strings, substringRedactor } from './fixtures.js';

const SECRET = 'hunter2-s3cr3t';
const redactor = substringRedactor(SECRET);

/** One output of every kind, each holding the secret somewhere a careless walker would miss. */
const CARRIERS: Output[] = [
  { mime: MIME.text, data: `token=${SECRET}` },
  { mime: MIME.stream, data: { name: 'stderr', text: `auth ${SECRET} failed` } },
  { mime: MIME.html, data: `<a href="https://x.example/?k=${SECRET}" title="${SECRET}">${SECRET}</a>` },
  { mime: MIME.html, data: `<p>&#104;unter2-s3cr3t</p>` },
  { mime: MIME.markdown, data: `**${SECRET}**` },
  { mime: MIME.json, data: { nested: [{ [SECRET]: `x${SECRET}x` }] } },
  {
    mime: MIME.table,
    data: {
      columns: [{ name: SECRET, type: 'VARCHAR' }],
      rows: [[SECRET], [{ v: SECRET }]],
      rowCount: 2,
      truncated: false,
    },
  },
  { mime: MIME.vegalite, data: { title: SECRET, data: { values: [{ k: SECRET }] } } },
  {
    mime: MIME.error,
    data: { name: 'Error', message: `bad ${SECRET}`, stack: `Error: bad ${SECRET}\n at x` },
  },
  { mime: MIME.svg, data: `<svg><text>${SECRET}</text></svg>` },
  { mime: 'application/x-unknown', data: { a: SECRET } },
];

describe('prepareOutput redaction', () => {
  for (const output of CARRIERS) {
    it(`redacts every string of ${output.mime}`, () => {
      const prepared = prepareOutput(output, { redactor });
      for (const text of strings(prepared)) assert.ok(!text.includes(SECRET), `${output.mime}: ${text}`);
      assert.ok(JSON.stringify(prepared).includes('[REDACTED]'));
    });
  }

  it('keeps MIME types and the field names of known shapes, whatever the secret', () => {
    const short = substringRedactor('m');
    const outputs = prepareOutputs(
      [...CARRIERS.slice(0, 2), CARRIERS[6]!, CARRIERS[8]!, { mime: MIME.markdown, data: 'm' }],
      { redactor: short },
    );
    assert.deepEqual(
      outputs.map((o) => o.mime),
      [MIME.text, MIME.stream, MIME.table, MIME.error, MIME.markdown],
    );
    assert.deepEqual(Object.keys(outputs[1]!.data as object), ['name', 'text']);
    assert.deepEqual(Object.keys(outputs[2]!.data as object), ['columns', 'rows', 'rowCount', 'truncated']);
    assert.deepEqual(Object.keys((outputs[2]!.data as TableData).columns[0]!), ['name', 'type']);
    assert.deepEqual(Object.keys(outputs[3]!.data as object), ['name', 'message', 'stack']);
  });

  it('drops an output whose MIME type holds a secret', () => {
    const out = prepareOutput({ mime: `application/x-${SECRET}`, data: 1 }, { redactor });
    assert.deepEqual(out, { mime: MIME.text, data: '[output dropped: its MIME type contained a secret]' });
  });

  it('redacts with no redactor as the identity', () => {
    assert.deepEqual(prepareOutput({ mime: MIME.text, data: SECRET }), { mime: MIME.text, data: SECRET });
  });

  it('does not modify its input', () => {
    const output: Output = { mime: MIME.json, data: { a: SECRET } };
    prepareOutput(output, { redactor });
    assert.deepEqual(output.data, { a: SECRET });
  });

  it('a redaction inside an attribute cannot unbalance the markup', () => {
    const sneaky = substringRedactor('alt="x');
    const out = prepareOutput(
      { mime: MIME.html, data: '<img src="a.png" alt="x onerror=alert(1) y">' },
      { redactor: sneaky },
    );
    assert.doesNotMatch(out.data as string, /\sonerror=/);
  });

  it('property: no secret survives in what a prepared output shows', () => {
    // Secrets share no character with the marker (so the simple redactor cannot recreate them)
    // nor with markup, whose escaping and closing tags the sanitizer adds.
    const secretArb = fc
      .string({ minLength: 1, maxLength: 12 })
      .filter((s) => ![...s].some((c) => '[REDACTED]<>&"\'/='.includes(c)));
    fc.assert(
      fc.property(fc.string(), secretArb, fc.string(), (before, secret, after) => {
        const text = before + secret + after;
        const prepared = prepareOutputs(allKinds(text), { redactor: substringRedactor(secret) });
        return prepared.flatMap(shownText).every((leaf) => !leaf.includes(secret));
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 300) },
    );
  });
});

/** One output of each kind carrying `s` in every place user data can go. */
function allKinds(s: string): Output[] {
  return [
    { mime: MIME.text, data: s },
    { mime: MIME.stream, data: { name: 'stdout', text: s } },
    { mime: MIME.html, data: s },
    { mime: MIME.html, data: `<a href="#${s}" title="${s}">${s}</a>` },
    { mime: MIME.markdown, data: s },
    { mime: MIME.json, data: { [s]: [s, { s }] } },
    { mime: MIME.error, data: { name: s, message: s, stack: s } },
    ...toOutputs([{ [s]: s }]),
  ];
}

/** The text a reader sees: markup's text with tags as breaks and entities decoded; no MIME or type names. */
function shownText(output: Output): string[] {
  if (output.mime === MIME.stream) return [(output.data as StreamData).text];
  if (output.mime === MIME.table) {
    const table = output.data as TableData;
    return [...table.columns.map((c) => c.name), ...strings(table.rows)];
  }
  if (output.mime === MIME.error) return strings(Object.values(output.data as ErrorData));
  if (output.mime === MIME.error) return strings(Object.values(output.data as ErrorData));
  if (output.mime !== MIME.html) return strings(output.data);
  const html = output.data as string;
  const attributes = [...html.matchAll(/="([^"]*)"/g)].map((m) => m[1] ?? '');
  const text = html.replace(/<[^>]*>/g, '\u0000');
  return [...attributes, text].map((t) =>
    t
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&'),
  );
}

describe('prepareOutput sanitizes markup', () => {
  it('sanitizes text/html and image/svg+xml', () => {
    const html = prepareOutput({ mime: MIME.html, data: '<b onclick="x()">b</b><script>x()</script>' });
    assert.equal(html.data, '<b>b</b>');
    const svg = prepareOutput({ mime: MIME.svg, data: '<svg onload="x()"><rect width="1"/></svg>' });
    assert.equal(svg.data, '<svg><rect width="1"></rect></svg>');
  });
});

describe('prepareOutput size caps', () => {
  it('cuts a 100 MB string to the limit with a visible marker', () => {
    const huge = 'x'.repeat(100 * 1024 * 1024);
    const out = prepareOutput({ mime: MIME.text, data: huge });
    const data = out.data as string;
    assert.ok(data.length < DEFAULT_MAX_OUTPUT_BYTES + 100);
    assert.ok(data.endsWith('… [truncated: 100.0 MB total]'), data.slice(-60));
  });

  it('cuts streams by bytes without splitting a character', () => {
    const out = prepareOutput(
      { mime: MIME.stream, data: { name: 'stdout', text: '€'.repeat(100) } },
      { maxBytes: 10 },
    );
    const data = out.data as StreamData;
    assert.equal(data.text, '€€€\n… [truncated: 300 B total]');
  });

  it('never leaves half a surrogate pair', () => {
    const out = prepareOutput({ mime: MIME.text, data: 'a😀😀' }, { maxBytes: 6 });
    assert.equal(out.data, 'a😀\n… [truncated: 9 B total]');
  });

  it('keeps what fits untouched', () => {
    const out: Output = { mime: MIME.text, data: 'small' };
    assert.deepEqual(prepareOutput(out, { maxBytes: 5 }), out);
  });

  it('cuts a table to the rows that fit and says so', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => [i, 'x'.repeat(100)]);
    const table: TableData = {
      columns: [
        { name: 'i', type: 'INTEGER' },
        { name: 's', type: 'VARCHAR' },
      ],
      rows,
      rowCount: 5000,
      truncated: true,
    };
    const out = prepareOutput({ mime: MIME.table, data: table }, { maxBytes: 10_000 });
    const data = out.data as TableData;
    assert.equal(out.mime, MIME.table);
    assert.ok(data.rows.length > 10 && data.rows.length < 100, `${data.rows.length} rows`);
    assert.equal(data.rowCount, 5000);
    assert.equal(data.truncated, true);
    assert.ok(JSON.stringify(data).length <= 10_000);
  });

  it('replaces other oversized payloads by a note', () => {
    const out = prepareOutput({ mime: MIME.html, data: `<p>${'x'.repeat(3 * 1024 * 1024)}</p>` });
    assert.equal(out.mime, MIME.text);
    assert.match(out.data as string, /text\/html output dropped: 3\.0 MB is over the 1\.0 MB limit/);
    const json = prepareOutput({ mime: MIME.json, data: { a: 'y'.repeat(2000) } }, { maxBytes: 1000 });
    assert.match(json.data as string, /application\/json output dropped/);
  });

  it('keeps an oversized error an error, with its message cut', () => {
    const out = prepareOutput(
      {
        mime: MIME.error,
        data: { name: 'Error', message: 'm'.repeat(5000), stack: 's'.repeat(5000), line: 4 },
      },
      { maxBytes: 1000 },
    );
    const data = out.data as ErrorData;
    assert.equal(out.mime, MIME.error);
    assert.equal(data.line, 4);
    assert.match(data.message, /truncated: 4\.9 KB total/);
  });
});

describe('prepareOutput normalizes untrusted shapes', () => {
  it('coerces malformed data from a kernel', () => {
    assert.deepEqual(prepareOutput({ mime: MIME.text, data: { a: 1 } }), {
      mime: MIME.text,
      data: '{"a":1}',
    });
    assert.deepEqual(prepareOutput({ mime: MIME.stream, data: 'x' }), {
      mime: MIME.stream,
      data: { name: 'stdout', text: '' },
    });
    const table = prepareOutput({ mime: MIME.table, data: { rows: [1, [2]] } }).data as TableData;
    assert.deepEqual(table, { columns: [], rows: [[1], [2]], rowCount: 2, truncated: false });
  });
});
