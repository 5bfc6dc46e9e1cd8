import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sanitizeHtml } from '../../../src/outputs/sanitize.js';

/** Each vector must come out with no way to run script or load from elsewhere. */
const XSS_VECTORS: [string, string][] = [
  ['script element', '<script>alert(1)</script>'],
  ['uppercase script', '<SCRIPT SRC=//evil.example/x.js></SCRIPT>'],
  ['img onerror', '<img src=x onerror="alert(1)">'],
  ['javascript: href', '<a href="javascript:alert(1)">x</a>'],
  ['obfuscated javascript: href', '<a href="jav&#x09;ascript:alert(1)">x</a>'],
  ['entity javascript: href', '<a href="&#106;avascript:alert(1)">x</a>'],
  ['data: href', '<a href="data:text/html,<script>alert(1)</script>">x</a>'],
  ['vbscript: href', '<a href="vbscript:msgbox(1)">x</a>'],
  ['svg onload', '<svg onload="alert(1)"><rect/></svg>'],
  ['svg script', '<svg><script>alert(1)</script></svg>'],
  [
    'svg animate href',
    '<svg><a><animate attributeName="href" values="javascript:alert(1)"/><text>x</text></a></svg>',
  ],
  ['svg use external', '<svg><use href="https://evil.example/x.svg#a"/></svg>'],
  [
    'svg foreignObject',
    '<svg><foreignObject><iframe src="https://evil.example"></iframe></foreignObject></svg>',
  ],
  ['iframe', '<iframe src="https://evil.example"></iframe>'],
  ['object', '<object data="x.swf"></object>'],
  ['embed', '<embed src="x.swf">'],
  ['form', '<form action="https://evil.example"><input name=p><button>go</button></form>'],
  ['meta refresh', '<meta http-equiv="refresh" content="0;url=https://evil.example">'],
  ['base', '<base href="https://evil.example/">'],
  ['link stylesheet', '<link rel=stylesheet href="https://evil.example/x.css">'],
  ['style element', '<style>body{background:url(https://evil.example)}</style>'],
  ['style expression', '<p style="width: expression(alert(1))">x</p>'],
  ['style url', '<p style="background-image: url(javascript:alert(1))">x</p>'],
  ['style behavior', '<p style="behavior: url(x.htc); -moz-binding: url(x.xml#x)">x</p>'],
  ['style overlay', '<div style="position: fixed; top: 0; left: 0">phish</div>'],
  ['svg paint url', '<svg><rect fill="url(https://evil.example/x.svg#g)"/></svg>'],
  ['img data:text', '<img src="data:text/html;base64,PHNjcmlwdD4=">'],
  ['event on any tag', '<p onclick="alert(1)" onmouseover="alert(1)">x</p>'],
  ['details ontoggle', '<details open ontoggle="alert(1)">x</details>'],
  ['comment trick', '<!--<img src=x onerror=alert(1)>-->'],
  ['unclosed attribute', '<img src="x" alt="a onerror=alert(1)//'],
];

const FORBIDDEN = [
  /<script/i,
  /\son\w+\s*=/i,
  /javascript:/i,
  /vbscript:/i,
  /<iframe/i,
  /<object/i,
  /<embed/i,
  /<form/i,
  /<meta/i,
  /<base/i,
  /<link/i,
  /<style/i,
  /<use/i,
  /<animate/i,
  /<foreignobject/i,
  /expression\(/i,
  /url\(/i,
  /position/i,
  /data:text/i,
  /href="data:/i,
  /evil\.example/i,
];

describe('sanitizeHtml removes', () => {
  for (const [label, vector] of XSS_VECTORS) {
    it(label, () => {
      const out = sanitizeHtml(vector);
      for (const pattern of FORBIDDEN) assert.doesNotMatch(out, pattern, `${label}: ${out}`);
    });
  }
});

describe('sanitizeHtml keeps', () => {
  const kept: [string, string, string][] = [
    [
      'formatting',
      '<p><b>b</b> <i>i</i> <em>e</em> <strong>s</strong> <code>c</code></p>',
      '<p><b>b</b> <i>i</i> <em>e</em> <strong>s</strong> <code>c</code></p>',
    ],
    [
      'tables',
      '<table><thead><tr><th colspan="2">h</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>',
      '<table><thead><tr><th colspan="2">h</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>',
    ],
    ['https links', '<a href="https://example.com/a?b=1">x</a>', '<a href="https://example.com/a?b=1">x</a>'],
    ['mailto links', '<a href="mailto:a@example.com">m</a>', '<a href="mailto:a@example.com">m</a>'],
    [
      'relative and fragment links',
      '<a href="#sec">s</a><a href="other.html">o</a>',
      '<a href="#sec">s</a><a href="other.html">o</a>',
    ],
    [
      'images over https',
      '<img src="https://example.com/a.png" alt="a">',
      '<img src="https://example.com/a.png" alt="a" />',
    ],
    [
      'data:image images',
      '<img src="data:image/png;base64,iVBORw0KGgo=">',
      '<img src="data:image/png;base64,iVBORw0KGgo=" />',
    ],
    [
      'plain styles',
      '<span style="color: #c00; font-weight: bold">x</span>',
      '<span style="color:#c00;font-weight:bold">x</span>',
    ],
    [
      'details',
      '<details open><summary>s</summary>body</details>',
      '<details open><summary>s</summary>body</details>',
    ],
    [
      'lists and headings',
      '<h2>t</h2><ul><li>a</li></ul><ol start="3"><li>b</li></ol>',
      '<h2>t</h2><ul><li>a</li></ul><ol start="3"><li>b</li></ol>',
    ],
  ];
  for (const [label, input, expected] of kept) {
    it(label, () => assert.equal(sanitizeHtml(input), expected));
  }

  it('inline SVG for charts, with fragment references', () => {
    const svg =
      '<svg viewBox="0 0 10 10" width="10"><defs><clipPath id="c"><rect width="5" height="5"/></clipPath></defs>' +
      '<g clip-path="url(#c)" transform="translate(1,1)"><path d="M0,0L5,5" stroke="#000"/><text x="1" font-size="11px">hi</text></g></svg>';
    const out = sanitizeHtml(svg);
    for (const part of [
      '<svg',
      'viewbox="0 0 10 10"',
      '<clippath id="c">',
      'clip-path="url(#c)"',
      '<path d="M0,0L5,5"',
      '<text x="1" font-size="11px">hi</text>',
    ]) {
      assert.ok(out.includes(part), `${part} in ${out}`);
    }
  });

  it('adds rel=noopener to links that open a new window', () => {
    assert.equal(
      sanitizeHtml('<a href="https://e.com" target="_blank">x</a>'),
      '<a href="https://e.com" target="_blank" rel="noopener noreferrer">x</a>',
    );
  });

  it('keeps the text of dropped tags but not of scripts', () => {
    assert.equal(sanitizeHtml('<marquee>hi</marquee><script>bad()</script>'), 'hi');
  });
});
