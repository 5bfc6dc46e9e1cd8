// The origin grammar of `quire serve --origin` and `server.origins`: exact origins, normalized as a
// browser writes them in its Origin header; anything more or less is refused with the reason.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadServerOrigins, parseWorkspaceConfig } from '../../../src/connectors/host/config.js';
import { parseOrigin } from '../../../src/shared/origin.js';

test('an origin is kept as a browser writes it', () => {
  const cases: [string, string][] = [
    ['https://notebooks.example.com', 'https://notebooks.example.com'],
    ['HTTPS://Notebooks.Example.COM:443', 'https://notebooks.example.com'],
    ['http://nb.example.com:80', 'http://nb.example.com'],
    ['http://10.0.0.5:8080', 'http://10.0.0.5:8080'],
    ['http://[::1]:8080', 'http://[::1]:8080'],
    ['https://bücher.example', 'https://xn--bcher-kva.example'],
  ];
  for (const [text, origin] of cases) assert.deepEqual(parseOrigin(text), { origin }, text);
});

test('anything but an origin is refused, saying why', () => {
  const cases: [string, RegExp][] = [
    ['notebooks.example.com', /it has no scheme/],
    ['ftp://nb.example.com', /the scheme must be http or https/],
    ['https://nb.example.com/', /a path, query or fragment: write https:\/\/nb\.example\.com /],
    ['https://nb.example.com/quire', /a path, query or fragment/],
    ['https://nb.example.com?x', /a path, query or fragment/],
    ['https://nb.example.com#x', /a path, query or fragment/],
    ['https://ana:pw@nb.example.com', /a user name or password/],
    ['https://*.example.com', /a wildcard matches nothing/],
    ['https://nb.example.com:99999', /host or port is not valid/],
    ['https://', /host or port is not valid/],
    ['', /it has no scheme/],
  ];
  for (const [text, reason] of cases) {
    const parsed = parseOrigin(text);
    assert.ok('error' in parsed, text);
    assert.match(parsed.error, reason, text);
    assert.ok(parsed.error.startsWith(`"${text}" is not an origin: `), parsed.error);
  }
});

test('server.origins in quire.config.json: normalized; a bad entry names the field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quire-origins-'));
  try {
    assert.deepEqual(loadServerOrigins(dir), [], 'no file: none');
    const file = join(dir, 'quire.config.json');
    writeFileSync(file, JSON.stringify({ server: { origins: ['https://NB.example.com:443'] } }));
    assert.deepEqual(loadServerOrigins(dir), ['https://nb.example.com']);
    writeFileSync(
      file,
      JSON.stringify({ server: { origins: ['https://nb.example.com', 'https://x.com/app'] } }),
    );
    assert.throws(
      () => loadServerOrigins(dir),
      new RegExp(
        `^Error: ${file}: server\\.origins\\.1: "https://x\\.com/app" is not an origin: .*write https://x\\.com`,
      ),
    );
    writeFileSync(file, JSON.stringify({ server: { origins: 'https://nb.example.com' } }));
    assert.throws(() => loadServerOrigins(dir), /server\.origins: /);
    writeFileSync(file, JSON.stringify({ server: { origin: ['https://nb.example.com'] } }));
    assert.throws(() => loadServerOrigins(dir), /server: .*origin/);
    // The whole-config reader validates the section too.
    assert.throws(
      () => parseWorkspaceConfig(JSON.stringify({ server: { origins: ['nb.example.com'] } }), file),
      /server\.origins\.0: "nb\.example\.com" is not an origin: it has no scheme/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
