/**
 * Finds the workspace of a notebook: the folder its kernel may read, where `quire.config.json`
 * and `.quire/` live. It is the nearest folder at or above the notebook holding one of the
 * markers below; a notebook outside any project is its own workspace (its folder).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const MARKERS = ['quire.config.json', '.quire', 'package.json', '.git'];

export function findWorkspace(notebookDir: string): string {
  let current = notebookDir;
  for (;;) {
    if (MARKERS.some((marker) => existsSync(join(current, marker)))) return current;
    const parent = dirname(current);
    if (parent === current) return notebookDir;
    current = parent;
  }
}
