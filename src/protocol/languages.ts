/**
 * The cell languages: one entry each, read by every part that treats languages differently — the
 * parser (which fence words open a code cell), the analysis and the kernel command (which compiler
 * and which command), the editor (menu label, syntax mode), run records and exports (the name they
 * store). A new language is one entry here plus its compiler in src/analysis and its kernel command.
 * Pure data and types: the browser bundles this file.
 */

/** Which compiler (src/analysis) and kernel command run a cell of the language. */
export type LanguageCompiler = 'js' | 'sql' | 'prose';

/** The editor's syntax mode (src/ui/components/CodeEditor.tsx). */
export type EditorMode = 'ts' | 'js' | 'sql' | 'markdown';

export interface LanguageSpec {
  /** shown in the editor's "add cell" menu and in HTML reports */
  label: string;
  /** the fence info-string words that open a cell of the language (none: prose is not fenced) */
  fences: readonly string[];
  /** a fenced code cell (`kind: 'code'`), as opposed to the prose between fences */
  code: boolean;
  /** the analysis hook and kernel command: `js` compiles to a JS module, `sql` to bound SQL */
  compiler: LanguageCompiler;
  /** the source is TypeScript: transpiled before the JS compiler parses it (columns are lost) */
  typescript: boolean;
  /**
   * A cell's `name` attribute declares its result as a variable (SQL): it must be an identifier, it
   * is a declaration of the cell, and a new cell gets a fresh one. Elsewhere a name is only the
   * cell's identity.
   */
  nameDeclares: boolean;
  /** what a new cell of the language is named, when `nameDeclares` (`query1`, `query2`, …) */
  newName?: string;
  /** it may name a host connection (`connection=warehouse`) to run on instead of the kernel */
  connections: boolean;
  editor: EditorMode;
  /** the language's name in run records and exports */
  exportName: string;
}

export const CELL_LANGUAGES = {
  ts: {
    label: 'TypeScript',
    fences: ['ts', 'typescript'],
    code: true,
    compiler: 'js',
    typescript: true,
    nameDeclares: false,
    connections: false,
    editor: 'ts',
    exportName: 'ts',
  },
  js: {
    label: 'JavaScript',
    fences: ['js', 'javascript'],
    code: true,
    compiler: 'js',
    typescript: false,
    nameDeclares: false,
    connections: false,
    editor: 'js',
    exportName: 'js',
  },
  sql: {
    label: 'SQL',
    fences: ['sql'],
    code: true,
    compiler: 'sql',
    typescript: false,
    nameDeclares: true,
    newName: 'query',
    connections: true,
    editor: 'sql',
    exportName: 'sql',
  },
  prose: {
    label: 'Markdown',
    fences: [],
    code: false,
    compiler: 'prose',
    typescript: false,
    nameDeclares: false,
    connections: false,
    editor: 'markdown',
    exportName: 'markdown',
  },
} as const satisfies Record<string, LanguageSpec>;

type Table = typeof CELL_LANGUAGES;

/** Every cell language, prose included. */
export type CellLanguage = keyof Table;
/** The languages of fenced code cells. */
export type CodeLanguage = { [K in CellLanguage]: Table[K]['code'] extends true ? K : never }[CellLanguage];
/** A language's name in run records and exports. */
export type ExportLanguage = Table[CellLanguage]['exportName'];

/** In table order (the editor's menu order); typed as tuples for `z.enum`. */
export const CELL_LANGUAGE_NAMES = Object.keys(CELL_LANGUAGES) as [CellLanguage, ...CellLanguage[]];
export const CODE_LANGUAGES = CELL_LANGUAGE_NAMES.filter((name) => CELL_LANGUAGES[name].code) as [
  CodeLanguage,
  ...CodeLanguage[],
];

/** The spec of a language. */
export function languageSpec(language: CellLanguage): LanguageSpec {
  return CELL_LANGUAGES[language];
}

/** The language a cell is in: its code language, or `prose`. */
export function cellLanguage(
  cell: { kind: 'code'; language: CodeLanguage } | { kind: 'prose' },
): CellLanguage {
  return cell.kind === 'code' ? cell.language : 'prose';
}

const BY_FENCE = new Map<string, CodeLanguage>(
  CODE_LANGUAGES.flatMap((name) => CELL_LANGUAGES[name].fences.map((fence) => [fence, name] as const)),
);

/** The code language a fence info-string word names, or undefined (the fence is prose). */
export function languageOfFence(word: string): CodeLanguage | undefined {
  return BY_FENCE.get(word);
}
