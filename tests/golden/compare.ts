/**
 * The golden-file check shared by every golden suite: compare `actual` with the expected file; on a
 * mismatch write `<expected>.changed` beside it and fail. UPDATE_GOLDEN=1 rewrites the expected
 * file instead (by hand, never in CI).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

export function compareGolden(label: string, expectedPath: string, actual: string): void {
  const changedPath = `${expectedPath}.changed`;
  if (process.env.UPDATE_GOLDEN === '1') {
    writeFileSync(expectedPath, actual);
    rmSync(changedPath, { force: true });
    return;
  }
  const expected = existsSync(expectedPath) ? readFileSync(expectedPath, 'utf8') : undefined;
  if (actual === expected) {
    rmSync(changedPath, { force: true });
    return;
  }
  writeFileSync(changedPath, actual);
  assert.fail(
    `${label}: output differs from ${expectedPath}; see ${changedPath} (UPDATE_GOLDEN=1 to accept)`,
  );
}
