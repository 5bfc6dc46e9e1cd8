import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseNotebook } from '../../../src/format/parse.js';
import { nb } from './helpers.js';

const parse = (...lines: string[]) => parseNotebook(nb(...lines));

describe('front matter', () => {
  it('reads the known keys', () => {
    const { notebook, warnings } = parse(
      '---',
      'title: Orders',
      'description: Weekly',
      'tags: [sales, weekly]',
      'owner: ana',
      'schedule: { cron: "0 6 * * 1", timeout: 10m }',
      'timeout: 30s',
      '---',
      '# x',
    );
    const fm = notebook.frontMatter;
    assert.equal(fm?.title, 'Orders');
    assert.equal(fm?.description, 'Weekly');
    assert.deepEqual(fm?.tags, ['sales', 'weekly']);
    assert.equal(fm?.owner, 'ana');
    assert.deepEqual(fm?.schedule, { cron: '0 6 * * 1', timeout: '10m' });
    assert.equal(fm?.timeoutMs, 30_000);
    assert.deepEqual(fm?.params, []);
    assert.deepEqual(warnings, []);
    assert.equal(fm?.raw.split('\n').length, 9);
  });

  it('keeps unknown keys and warns with their position', () => {
    const { notebook, warnings } = parse('---', 'title: t', 'license: MIT', '---');
    assert.equal(notebook.frontMatter?.data.license, 'MIT');
    assert.equal(warnings.length, 1);
    assert.deepEqual([warnings[0]?.line, warnings[0]?.column], [3, 1]);
    assert.match(warnings[0]?.message ?? '', /unknown front matter key "license"/);
  });

  it('an empty front matter is allowed', () => {
    const { notebook } = parse('---', '---', 'body');
    assert.deepEqual(notebook.frontMatter?.data, {});
    assert.equal(notebook.cells[0]?.line, 3);
  });

  it('a single tag string becomes a list; a mapping is ignored with a warning', () => {
    assert.deepEqual(parse('---', 'tags: sales', '---').notebook.frontMatter?.tags, ['sales']);
    const bad = parse('---', 'tags: {a: 1}', '---');
    assert.equal(bad.notebook.frontMatter?.tags, undefined);
    assert.match(bad.warnings[0]?.message ?? '', /"tags" should be a list/);
  });

  it('`---` later in the document is not front matter', () => {
    const { notebook } = parse('# t', '---', 'a: 1', '---');
    assert.equal(notebook.frontMatter, undefined);
    assert.equal(notebook.cells.length, 1);
  });

  it('front matter closing line without a newline', () => {
    const { notebook } = parseNotebook('---\ntitle: x\n---');
    assert.equal(notebook.frontMatter?.raw, '---\ntitle: x\n---');
    assert.deepEqual(notebook.cells, []);
  });
});

describe('params', () => {
  it('long form and shorthand, with inferred types', () => {
    const { notebook } = parse(
      '---',
      'params:',
      '  region: { type: string, default: EU, enum: [EU, US, APAC], description: Sales region }',
      '  min_total: { type: number, default: 0, min: 0, max: 1000 }',
      '  n: { type: integer }',
      '  since: { type: datetime, default: "2024-05-01T09:30:00+02:00" }',
      '  limit: 10',
      '  ratio: 0.5',
      '  verbose: false',
      '  day: 2024-01-31',
      '  label: hello',
      '  inferred: { default: 3 }',
      '---',
    );
    assert.deepEqual(notebook.frontMatter?.params, [
      {
        name: 'region',
        type: 'string',
        default: 'EU',
        enum: ['EU', 'US', 'APAC'],
        description: 'Sales region',
      },
      { name: 'min_total', type: 'number', default: 0, min: 0, max: 1000 },
      { name: 'n', type: 'integer' },
      { name: 'since', type: 'datetime', default: '2024-05-01T07:30:00.000Z' },
      { name: 'limit', type: 'number', default: 10 },
      { name: 'ratio', type: 'number', default: 0.5 },
      { name: 'verbose', type: 'boolean', default: false },
      { name: 'day', type: 'date', default: '2024-01-31' },
      { name: 'label', type: 'string', default: 'hello' },
      { name: 'inferred', type: 'number', default: 3 },
    ]);
  });

  it('unknown keys of a long-form param are warnings', () => {
    const { warnings } = parse('---', 'params:', '  n: { type: number, label: N }', '---');
    assert.deepEqual([warnings[0]?.line, warnings[0]?.column], [3, 22]);
    assert.match(warnings[0]?.message ?? '', /param "n": unknown key "label"/);
  });
});
