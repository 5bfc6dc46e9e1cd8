/**
 * The CodeMirror completion source for notebook names (names.ts decides what; this decides
 * where): in TS/JS wherever a variable name can go (not in strings, comments, definitions) and
 * after `name.` for Quire's known members; in SQL outside strings and comments, with `${…}`
 * treated as code. It is added next to the languages' own sources (keywords, local scope), which
 * keep working; the names are read when completion opens, so they are always the current ones.
 */
import type { CompletionContext, CompletionResult, CompletionSource } from '@codemirror/autocomplete';
import { completionPath } from '@codemirror/lang-javascript';
import { syntaxTree } from '@codemirror/language';
import { CELL_LANGUAGES, type CodeLanguage } from '../../protocol/index.js';
import {
  codeCompletions,
  insideInterpolation,
  memberCompletions,
  sqlCompletions,
  type NotebookName,
} from './names.js';

const IDENTIFIER = /^[\w$]*$/;
const SQL_NO_COMPLETION = new Set(['String', 'QuotedIdentifier', 'LineComment', 'BlockComment']);

function jsSource(context: CompletionContext, names: () => NotebookName[]): CompletionResult | null {
  const path = completionPath(context);
  if (!path) return null;
  const from = context.pos - path.name.length;
  if (path.path.length > 0) {
    const options = memberCompletions(path.path, names());
    return options ? { from, options, validFor: IDENTIFIER } : null;
  }
  if (!path.name && !context.explicit) return null;
  return { from, options: codeCompletions(names()), validFor: IDENTIFIER };
}

function sqlSource(context: CompletionContext, names: () => NotebookName[]): CompletionResult | null {
  const before = context.state.sliceDoc(0, context.pos);
  const member = /([A-Za-z_$][\w$]*)\.([\w$]*)$/.exec(before);
  const word = /[\w$]*$/.exec(before)?.[0] ?? '';
  const from = context.pos - word.length;
  if (insideInterpolation(before)) {
    if (member) {
      const options = memberCompletions([member[1] as string], names());
      return options ? { from, options, validFor: IDENTIFIER } : null;
    }
    if (!word && !context.explicit) return null;
    return { from, options: codeCompletions(names(), false), validFor: IDENTIFIER };
  }
  // `schema.table` and `alias.column` are the database's business, not the notebook's.
  if (member) return null;
  if (SQL_NO_COMPLETION.has(syntaxTree(context.state).resolveInner(context.pos, -1).name)) return null;
  if (!word && !context.explicit) return null;
  return {
    from,
    options: sqlCompletions(names(), context.state.doc.toString()),
    validFor: IDENTIFIER,
  };
}

/** A completion source for a cell of `language`; `names` is read each time completion opens. */
export function notebookCompletion(language: CodeLanguage, names: () => NotebookName[]): CompletionSource {
  return CELL_LANGUAGES[language].compiler === 'sql'
    ? (context) => sqlSource(context, names)
    : (context) => jsSource(context, names);
}
