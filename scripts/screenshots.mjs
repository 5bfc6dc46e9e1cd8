#!/usr/bin/env node
// Regenerates the README's images in docs/images from the browser tests of tests/e2e/run.test.ts
// (a real server, kernels and Chromium; the UI must be built: `npm run build`). The tests write
// their screenshots to a temporary folder only, so `npm test` changes no tracked file; this script
// is the one way the images in docs/images change. Usage: npm run screenshots
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
/** docs/images/<key> is the test's screenshot <value>. */
const README_IMAGES = { 'editor-run.png': 'run.png', 'editor-params.png': 'params.png' };

const folder = mkdtempSync(join(tmpdir(), 'quire-screenshots-'));
try {
  const result = spawnSync(process.execPath, ['scripts/test.mjs', 'tests/e2e/run.test.ts'], {
    cwd: root,
    env: { ...process.env, QUIRE_SCREENSHOTS: folder },
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    console.error('screenshots: the browser tests failed; docs/images is unchanged');
    process.exitCode = 1;
  } else {
    for (const [image, shot] of Object.entries(README_IMAGES)) {
      copyFileSync(join(folder, shot), join(root, 'docs/images', image));
      console.log(`screenshots: docs/images/${image}`);
    }
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}
