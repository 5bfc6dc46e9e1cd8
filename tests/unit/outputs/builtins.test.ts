import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml, html, md, vegalite } from '../../../src/outputs/builtins.js';
import { isHtmlValue, isMarkdownValue, isVegaLiteValue } from '../../../src/outputs/values.js';
import { fakeTable } from './fixtures.js';

describe('html template', () => {
  it('escapes interpolated text', () => {
    const value = html`<b>${'<script>alert("x")</script> & co'}</b>`;
    assert.equal(value.html, '<b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co</b>');
    assert.ok(isHtmlValue(value));
  });

  it('inserts nested html raw and joins arrays', () => {
    const items = ['a<', 'b'].map((x) => html`<li>${x}</li>`);
    // prettier-ignore
    const list = html`<ul>${items}</ul>`;
    assert.equal(list.html, '<ul><li>a&lt;</li><li>b</li></ul>');
  });

  it('inserts nothing for null, undefined and false; numbers as text', () => {
    assert.equal(html`${null}${undefined}${false}${0}${1.5}`.html, '01.5');
  });

  it('is recognised across module copies (Symbol.for marker)', () => {
    const foreign = { [Symbol.for('quire.html')]: true, html: '<i>x</i>' };
    assert.equal(html`${foreign}`.html, '<i>x</i>');
  });

  it('stringifies to its markup', () => {
    assert.equal(String(html`<i>${'a'}</i>`), '<i>a</i>');
  });
});

describe('md template', () => {
  it('inserts values as text', () => {
    const value = md`# ${'Orders'} in ${['EU', 'US']}: ${42}`;
    assert.ok(isMarkdownValue(value));
    assert.equal(value.markdown, '# Orders in EUUS: 42');
  });
});

describe('vegalite', () => {
  it('wraps an object spec', () => {
    const value = vegalite({ mark: 'bar' });
    assert.ok(isVegaLiteValue(value));
    assert.deepEqual(value.spec, { mark: 'bar' });
  });

  it('rejects non-objects with a clear TypeError', () => {
    for (const bad of [null, 'bar', 3, [1]]) {
      assert.throws(
        () => vegalite(bad),
        (e: unknown) => e instanceof TypeError && /Vega-Lite spec object/.test(e.message),
      );
    }
  });

  it('takes the rows of a table value in data.values', () => {
    const table = fakeTable([{ name: 'a', type: 'INTEGER' }], [{ a: 1 }, { a: 2 }]);
    const value = vegalite({ mark: 'bar', data: { values: table } });
    assert.deepEqual(value.spec.data, { values: [{ a: 1 }, { a: 2 }] });
  });

  it('keeps array data as is', () => {
    const value = vegalite({ data: { values: [{ a: 1 }] } });
    assert.deepEqual(value.spec.data, { values: [{ a: 1 }] });
  });
});

describe('escapeHtml', () => {
  it('escapes the five special characters', () => {
    assert.equal(
      escapeHtml(`<a href="x" title='y'>&</a>`),
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});
