/**
 * Prose cells: each `${…}` is evaluated and substituted into the Markdown, HTML-escaped, except
 * `html`/`md` values, which are markup by intent. The result is one text/markdown output.
 */
import type { RenderProse } from '../protocol.js';
import { MIME } from '../../outputs/types.js';
import { emit } from './cell.js';
import type { Completion } from './completion.js';
import { cellFile, toErrorData } from './errors.js';
import { evaluateAll } from './evaluate.js';
import { loadOutputs, type OutputHelpers } from './outputs.js';
import type { Scope } from './scope.js';

function plainText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value !== 'object') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function proseText(value: unknown, helpers: OutputHelpers): string {
  if (helpers.values.isHtmlValue(value)) return value.html;
  if (helpers.values.isMarkdownValue(value)) return value.markdown;
  return helpers.escape.escapeHtml(plainText(value));
}

function substitute(command: RenderProse, texts: string[]): string {
  const { source, interpolations } = command;
  if (source === undefined || interpolations === undefined) return texts.join('');
  let out = '';
  let cursor = 0;
  interpolations.forEach(({ start, end }, i) => {
    out += source.slice(cursor, start) + (texts[i] ?? '');
    cursor = end;
  });
  return out + source.slice(cursor);
}

export async function renderProse(command: RenderProse, scope: Scope): Promise<Completion> {
  try {
    const helpers = await loadOutputs();
    const file = cellFile('prose', command.cellId);
    const values = await evaluateAll(command.expressions, command.inputs, scope, file);
    emit({
      mime: MIME.markdown,
      data: substitute(
        command,
        values.map((v) => proseText(v, helpers)),
      ),
    });
    return { status: 'ok', declared: [] };
  } catch (error) {
    return { status: 'error', error: toErrorData(error), declared: [] };
  }
}
