/**
 * Front matter: YAML between a `---` first line and the next `---` line. Known keys are read into
 * FrontMatter fields; every key (unknown ones too) is kept in `data`; unknown keys are warnings.
 */
import { isMap, isScalar, isSeq, parseDocument, type Document, type Node, type Pair } from 'yaml';
import { tryParseDuration } from './duration.js';
import { NotebookParseError } from './errors.js';
import { lineEnd, type Line, type LineIndex } from './lines.js';
import { normalizeParams } from './param-spec.js';
import type { FormatWarning, FrontMatter } from './types.js';
import { YamlContext } from './yaml-context.js';

export const KNOWN_KEYS = ['title', 'description', 'tags', 'owner', 'params', 'schedule', 'timeout'];
const DELIMITER = /^---[ \t]*$/;

/** The front matter at the top of `text`, or undefined when the first line is not `---`. */
export function parseFrontMatter(
  text: string,
  lines: Line[],
  index: LineIndex,
  warnings: FormatWarning[],
  path?: string,
): FrontMatter | undefined {
  const first = lines[0];
  if (!first || !DELIMITER.test(first.text)) return undefined;
  const closing = lines.findIndex((line, i) => i > 0 && DELIMITER.test(line.text));
  const close = lines[closing];
  if (!close) throw new NotebookParseError('unterminated front matter: no closing --- line', 1, 1, path);
  const yamlOffset = lineEnd(first);
  const ctx = new YamlContext(index, yamlOffset, warnings, path);
  const doc = readYaml(text.slice(yamlOffset, close.start), ctx);
  const frontMatter: FrontMatter = { raw: text.slice(0, lineEnd(close)), data: toData(doc, ctx), params: [] };
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw ctx.error('front matter must be a YAML mapping (key: value lines)', doc.contents);
  }
  for (const pair of doc.contents?.items ?? []) readKey(frontMatter, pair as Pair<unknown, unknown>, ctx);
  return frontMatter;
}

function readYaml(yaml: string, ctx: YamlContext): Document.Parsed {
  const doc = parseDocument(yaml, { prettyErrors: false, uniqueKeys: true });
  const error = doc.errors[0];
  if (error) throw ctx.error(`front matter: ${error.message}`, undefined, error.pos[0]);
  for (const warning of doc.warnings) ctx.warn(`front matter: ${warning.message}`, undefined, warning.pos[0]);
  return doc;
}

function toData(doc: Document.Parsed, ctx: YamlContext): Record<string, unknown> {
  try {
    const data: unknown = doc.toJS({ maxAliasCount: 100 });
    return data !== null && typeof data === 'object' && !Array.isArray(data)
      ? (data as Record<string, unknown>)
      : {};
  } catch (err) {
    throw ctx.error(`front matter: ${(err as Error).message}`, doc.contents);
  }
}

function readKey(fm: FrontMatter, pair: Pair<unknown, unknown>, ctx: YamlContext): void {
  const key = isScalar(pair.key) ? String(pair.key.value) : JSON.stringify(String(pair.key));
  const value = pair.value as Node | null;
  switch (key) {
    case 'title':
    case 'description':
    case 'owner':
      setText(fm, key, value, ctx);
      break;
    case 'tags':
      fm.tags = readTags(value, ctx);
      break;
    case 'params':
      fm.params = normalizeParams(value, ctx);
      break;
    case 'schedule':
      fm.schedule = fm.data.schedule;
      break;
    case 'timeout':
      fm.timeoutMs = readTimeout(value, ctx);
      break;
    default:
      ctx.warn(`unknown front matter key "${key}" (kept; known: ${KNOWN_KEYS.join(', ')})`, pair.key);
  }
}

function setText(
  fm: FrontMatter,
  key: 'title' | 'description' | 'owner',
  node: Node | null,
  ctx: YamlContext,
): void {
  const value = isScalar(node) ? node.value : undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    fm[key] = String(value);
  else ctx.warn(`front matter "${key}" should be text; ignored`, node);
}

function readTags(node: Node | null, ctx: YamlContext): string[] | undefined {
  if (isScalar(node) && typeof node.value === 'string') return [node.value];
  if (isSeq(node) && node.items.every((item) => isScalar(item) && item.value !== null)) {
    return node.items.map((item) => String((item as { value: unknown }).value));
  }
  ctx.warn('front matter "tags" should be a list of words; ignored', node);
  return undefined;
}

function readTimeout(node: Node | null, ctx: YamlContext): number {
  const value = isScalar(node) ? node.value : undefined;
  const ms = typeof value === 'string' ? tryParseDuration(value) : undefined;
  if (ms === undefined) {
    throw ctx.error(`front matter "timeout": expected a duration such as 30s, 10m or 1h`, node);
  }
  return ms;
}
