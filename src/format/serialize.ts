/**
 * The `*.nb.md` writer: the concatenation of the raw parts. An unchanged notebook serializes to
 * the bytes it was parsed from; edits (edit.ts) keep this true by rewriting only `raw` texts.
 */
import type { Notebook } from './types.js';

export function serializeNotebook(nb: Notebook): string {
  let text = nb.bom ? '\uFEFF' : '';
  text += nb.frontMatter?.raw ?? '';
  for (const cell of nb.cells) text += cell.raw;
  return text;
}
