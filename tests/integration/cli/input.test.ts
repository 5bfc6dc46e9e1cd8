/**
 * `quire run` on bad input (DESIGN §4): exit code 2, a message that names the file and where,
 * and no kernel left behind (one may have been started from the file text before the input was
 * checked: see src/runner/prestart.ts). An unknown cell attribute is only a warning.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeWorkspace, removeWorkspace, runCli, watchingKernels, type CliResult } from './helpers.js';

const PARAMS = `---
title: Params
params:
  n: { type: integer, default: 3 }
  region: { type: string, default: EU, enum: [EU, US, APAC] }
  flag: { type: boolean, default: false }
---

\`\`\`ts
n
\`\`\`
`;

let ws: string;
before(() => {
  ws = makeWorkspace({
    'front.nb.md': '---\ntitle: Broken\ntags: [a, b\nowner: ana\n---\n\n```ts\n1\n```\n',
    'fence.nb.md': '# Title\n\nSome prose.\n\n```ts name=open\nconst a = 1;\n\nmore text\n',
    'attr.nb.md': '```ts name=a colour=red\nconst a = 1;\n```\n',
    'params.nb.md': PARAMS,
  });
});
after(() => removeWorkspace(ws));

/** Runs the CLI and reports whether a kernel was left behind. */
async function badInput(args: string[]): Promise<CliResult & { kernelLeft: boolean }> {
  const { result, kernelLeft } = await watchingKernels((env) => runCli(args, { cwd: ws, env }));
  return { ...result, kernelLeft };
}

function assertBadInput(r: CliResult & { kernelLeft: boolean }, ...fragments: (string | RegExp)[]): void {
  assert.equal(r.code, 2, `exit code 2 expected; stderr: ${r.stderr}`);
  assert.equal(r.stdout, '', 'nothing on stdout, even with --json');
  assert.equal(r.kernelLeft, false, 'no kernel (nor its scratch folder) is left behind for bad input');
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  for (const f of fragments) {
    if (typeof f === 'string')
      assert.ok(r.stderr.includes(f), `stderr should include ${JSON.stringify(f)}: ${r.stderr}`);
    else assert.match(r.stderr, f);
  }
}

describe('quire run: bad input is exit code 2 and leaves no kernel behind', () => {
  test('malformed front matter YAML names the file with line:col', async () => {
    const r = await badInput(['run', 'front.nb.md', '--json']);
    // The flow sequence opened on line 3 never closes; the error is inside the front matter (lines 2-4).
    assertBadInput(r, 'front.nb.md', /front\.nb\.md:[234]:\d+/, /front matter/i);
  });

  test('an unterminated ```ts fence names the file and the fence line', async () => {
    const r = await badInput(['run', join(ws, 'fence.nb.md'), '--json']);
    assertBadInput(r, 'fence.nb.md', /fence\.nb\.md:5:\d+/, /unterminated/i);
  });

  test('params: wrong type, unknown name, enum violation each name the param', async () => {
    const cases: [string[], (string | RegExp)[]][] = [
      [
        ['-p', 'n=abc'],
        ['"n"', 'integer', 'abc'],
      ],
      [
        ['-p', 'n=1.5'],
        ['"n"', 'integer'],
      ],
      [
        ['-p', 'flag=maybe'],
        ['"flag"', 'boolean'],
      ],
      [
        ['-p', 'nope=1'],
        ['"nope"', /unknown param/i],
      ],
      [
        ['-p', 'region=Mars'],
        ['"region"', 'Mars', 'EU'],
      ],
      [['-p', 'n'], [/name=value/]],
      [
        ['-p', 'n=1', '-p', 'n=2'],
        ['"n"', /twice/],
      ],
    ];
    const results = await Promise.all(
      cases.map(([flags]) => badInput(['run', 'params.nb.md', '--json', ...flags])),
    );
    results.forEach((r, i) => assertBadInput(r, ...cases[i]![1]));
    for (const r of results.slice(0, 5)) assert.ok(r.stderr.includes('params.nb.md'), r.stderr);
  });

  test('a missing file, a directory, a bad flag, a bad or missing --timeout', async () => {
    const cases: [string[], (string | RegExp)[]][] = [
      [
        ['run', 'missing.nb.md'],
        ['missing.nb.md', /no such file/i],
      ],
      [['run', '.'], [/directory/i]],
      [['run', 'params.nb.md', '--frobnicate'], ['--frobnicate']],
      [
        ['run', 'params.nb.md', '--timeout', 'abc'],
        ['--timeout', 'abc'],
      ],
      [['run', 'params.nb.md', '--timeout', '0s'], ['--timeout']],
      [['run', 'params.nb.md', '--timeout'], ['--timeout']],
      [['run'], [/notebook file/]],
      [['run', 'a.nb.md', 'b.nb.md'], [/notebook file/]],
      [['frobnicate'], [/unknown command/]],
    ];
    const results = await Promise.all(cases.map(([args]) => badInput(args)));
    results.forEach((r, i) => assertBadInput(r, ...cases[i]![1]));
  });

  test('a bad QUIRE_KERNEL_HEAP_MB is bad input', async () => {
    const { result } = await watchingKernels((env) =>
      runCli(['run', 'params.nb.md'], { cwd: ws, env: { ...env, QUIRE_KERNEL_HEAP_MB: 'lots' } }),
    );
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /QUIRE_KERNEL_HEAP_MB/);
  });
});

describe('quire run: warnings do not fail a run', () => {
  test('an unknown cell attribute is a warning on stderr and in record.warnings', async () => {
    const { result: r, kernelStarted } = await watchingKernels((env) =>
      runCli(['run', 'attr.nb.md', '--json'], { cwd: ws, env }),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.ok(kernelStarted, 'the kernel detector sees a kernel when one starts');
    assert.match(r.stderr, /warning: .*attr\.nb\.md:1:\d+: .*"colour"/);
    assert.equal(r.record?.status, 'ok');
    assert.equal(r.record?.cells[0]?.status, 'ok');
    const warning = r.record?.warnings.find((w) => w.message.includes('colour'));
    assert.ok(warning, JSON.stringify(r.record?.warnings));
    assert.equal(warning.line, 1);
  });

  test('--help prints usage and exits 0', async () => {
    const r = await runCli(['run', '--help'], { cwd: ws });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /usage: quire run FILE/);
  });
});
