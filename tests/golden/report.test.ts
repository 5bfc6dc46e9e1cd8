/**
 * Golden files for the HTML report: tests/golden/report/input/NAME.json (a ReportInput) must render
 * to tests/golden/report/output/NAME.html. A mismatch writes NAME.html.changed beside the expected
 * file and fails; UPDATE_GOLDEN=1 rewrites the expectations (never in CI).
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compareGolden } from './compare.js';
import { renderReport, type ReportInput } from '../../src/outputs/render/report.js';

const root = join(fileURLToPath(new URL('.', import.meta.url)), 'report');
const inputs = readdirSync(join(root, 'input'))
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('report goldens', () => {
  it('has inputs', () => assert.ok(inputs.length > 0));

  for (const file of inputs) {
    it(file, async () => {
      const input = JSON.parse(readFileSync(join(root, 'input', file), 'utf8')) as ReportInput;
      const actual = await renderReport(input);
      const expectedPath = join(root, 'output', file.replace(/\.json$/, '.html'));
      compareGolden(file, expectedPath, actual);
    });
  }

  it('reports are self-contained: no script, no external URL to load', async () => {
    for (const file of inputs) {
      const input = JSON.parse(readFileSync(join(root, 'input', file), 'utf8')) as ReportInput;
      const html = await renderReport(input);
      assert.doesNotMatch(html, /<script|<link|<iframe|\ssrc="https?:/i, file);
      assert.doesNotMatch(html, /@import|url\(\s*['"]?https?:/i, file);
    }
  });
});
