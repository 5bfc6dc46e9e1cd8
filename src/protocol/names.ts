/**
 * The names a notebook's cells share with the kernel: what a name may look like, the words it may
 * not be, and the built-ins every cell can use (the kernel defines them, src/kernel/runtime/
 * globals.ts; the editor completes them and keeps cells from taking them). Pure data.
 */

/** A name a cell may declare or be given: an ASCII JS identifier. */
export const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Reserved words of JS (strict mode, modules): no variable can have one of them as its name. */
export const RESERVED_WORDS: ReadonlySet<string> = new Set(
  (
    'await break case catch class const continue debugger default delete do else enum export extends ' +
    'false finally for function if implements import in instanceof interface let new null package ' +
    'private protected public return static super switch this throw true try typeof var void while with yield'
  ).split(' '),
);

/** Names starting with this are the compiled cell's own locals: no cell may declare one. */
export const RESERVED_PREFIX = '__quire_';

export interface Builtin {
  label: string;
  type: 'function' | 'namespace';
  /** how it is called */
  detail: string;
  /** one line on what it does */
  info: string;
}

/** DESIGN §3: the names every cell can use without importing them. */
export const BUILTINS: readonly Builtin[] = [
  { label: 'display', type: 'function', detail: 'display(value)', info: 'Adds an output to this cell.' },
  { label: 'html', type: 'function', detail: 'html`…`', info: 'Rich HTML output (sanitized).' },
  { label: 'md', type: 'function', detail: 'md`…`', info: 'Markdown output.' },
  { label: 'vegalite', type: 'function', detail: 'vegalite(spec)', info: 'A Vega-Lite chart.' },
  { label: 'sql', type: 'function', detail: 'sql`…`', info: 'A query from code; ${…} are bound.' },
  {
    label: 'secrets',
    type: 'namespace',
    detail: 'secrets.get(name)',
    info: 'Secrets, redacted from outputs.',
  },
  {
    label: 'metric',
    type: 'function',
    detail: 'metric(name, value)',
    info: "Records a number in the run's record.",
  },
];

/** The built-ins' names. */
export const BUILTIN_NAMES: readonly string[] = BUILTINS.map((b) => b.label);
