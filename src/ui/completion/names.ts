/**
 * What completion offers in a cell, decided from the session state alone (pure, no CodeMirror at
 * run time): the names other cells declare (kept current by `cellInfo`), the params and the
 * built-ins every cell can use (DESIGN §3), and for SQL the results it can read as tables and
 * their columns. source.ts decides *where* in the text to offer them.
 */
import type { Completion } from '@codemirror/autocomplete';
import { MIME, type TableColumn, type TableData } from '../../protocol/index.js';
import { BUILTINS, CELL_LANGUAGES } from '../../protocol/index.js';
import type { Snapshot, SnapshotCell } from '../session.js';

export type NameKind = 'declaration' | 'table' | 'param' | 'builtin';

/** One name a cell may read without declaring it. */
export interface NotebookName {
  label: string;
  kind: NameKind;
  /** short text beside the label: where the name comes from */
  detail: string;
  /** longer help shown beside the list */
  info?: string;
  /** a SQL result's columns, from its last table output */
  columns?: TableColumn[];
}

/** The built-ins (src/protocol/names.ts): the kernel defines them, completion offers them. */
export { BUILTINS };

type State = Pick<Snapshot, 'cells' | 'params'>;

function lastTableColumns(cell: SnapshotCell): TableColumn[] | undefined {
  const table = cell.outputs.findLast((o) => o.mime === MIME.table);
  return table ? (table.data as TableData).columns : undefined;
}

/**
 * Every name a cell other than `selfId` may read: other cells' declarations first, then the params,
 * then the built-ins; a name is listed once (the first definition wins; two cells declaring it is
 * an error the cells show anyway). The editing cell's own names come from CodeMirror's local scope.
 */
export function notebookNames(state: State, selfId?: string): NotebookName[] {
  const seen = new Set<string>();
  const names: NotebookName[] = [];
  const add = (name: NotebookName) => {
    if (seen.has(name.label)) return;
    seen.add(name.label);
    names.push(name);
  };
  for (const cell of state.cells) {
    if (cell.kind !== 'code' || cell.id === selfId) continue;
    const from = `cell ${cell.name ?? cell.id}`;
    // A SQL cell's name is its declaration (also before the server reports declarations).
    const nameDeclares = cell.language !== undefined && CELL_LANGUAGES[cell.language].nameDeclares;
    const declared = nameDeclares && cell.name ? [cell.name, ...cell.declarations] : cell.declarations;
    for (const label of declared) {
      if (nameDeclares && label === cell.name) {
        const columns = lastTableColumns(cell);
        add({ label, kind: 'table', detail: 'SQL result', ...(columns ? { columns } : {}) });
      } else add({ label, kind: 'declaration', detail: from });
    }
  }
  for (const spec of state.params.schema)
    add({
      label: spec.name,
      kind: 'param',
      detail: `param · ${spec.type}`,
      ...(spec.description ? { info: spec.description } : {}),
    });
  for (const b of BUILTINS) add({ label: b.label, kind: 'builtin', detail: b.detail, info: b.info });
  return names;
}

const builtinType = (label: string): string => BUILTINS.find((b) => b.label === label)?.type ?? 'function';

const option = (name: NotebookName, type: string, boost: number, extra: Partial<Completion> = {}) => ({
  label: name.label,
  type,
  detail: name.detail,
  boost,
  ...(name.info ? { info: name.info } : {}),
  ...extra,
});

/** Options for a name in TS/JS code (or inside a SQL `${…}`, `withBuiltins` false). */
export function codeCompletions(names: readonly NotebookName[], withBuiltins = true): Completion[] {
  const options: Completion[] = [];
  for (const name of names) {
    if (name.kind === 'param') options.push(option(name, 'constant', 1));
    else if (name.kind === 'builtin') {
      if (withBuiltins) options.push(option(name, builtinType(name.label), 0));
    } else options.push(option(name, 'variable', 2));
  }
  return options;
}

/**
 * Options in SQL text outside `${…}`: results and JS values to read as tables (a JS array of
 * objects is queried as a table, DESIGN §3), the columns of results the query names, and the params
 * inserted as a bound `${name}` (a bare param name in SQL would be a column).
 */
export function sqlCompletions(names: readonly NotebookName[], queryText: string): Completion[] {
  const options: Completion[] = [];
  const words = new Set(queryText.match(/[A-Za-z_$][\w$]*/g) ?? []);
  for (const name of names) {
    if (name.kind === 'table') {
      options.push(option(name, 'type', 3));
      if (!words.has(name.label)) continue;
      for (const column of name.columns ?? [])
        options.push({
          label: column.name,
          type: 'property',
          detail: `${name.label} · ${column.type}`,
          boost: 4,
        });
    } else if (name.kind === 'declaration')
      options.push(option(name, 'variable', 1, { detail: `${name.detail} · a table if rows` }));
    else if (name.kind === 'param')
      options.push(
        option(name, 'constant', 0, { displayLabel: `\${${name.label}}`, apply: `\${${name.label}}` }),
      );
  }
  return options;
}

/** Members after `path.` that Quire knows: a SQL result's `rows` / `columns`, `secrets.get`. */
export function memberCompletions(
  path: readonly string[],
  names: readonly NotebookName[],
): Completion[] | null {
  if (path.length !== 1) return null;
  const [head] = path;
  if (head === 'secrets' && names.some((n) => n.kind === 'builtin' && n.label === 'secrets'))
    return [
      {
        label: 'get',
        type: 'method',
        detail: 'get(name): string',
        info: 'The secret, redacted from outputs.',
      },
    ];
  const table = names.find((n) => n.kind === 'table' && n.label === head);
  if (!table) return null;
  const columns = table.columns?.map((c) => c.name).join(', ');
  return [
    {
      label: 'rows',
      type: 'property',
      detail: 'an array of plain objects',
      ...(columns ? { info: columns } : {}),
    },
    { label: 'columns', type: 'property', detail: '{name, type}[]' },
  ];
}

/** True when `textBefore` ends inside an unclosed `${…}` (SQL text: no escapes, braces balance). */
export function insideInterpolation(textBefore: string): boolean {
  let depth = 0;
  for (let i = 0; i < textBefore.length; i++) {
    const c = textBefore[i];
    if (depth === 0) {
      if (c === '$' && textBefore[i + 1] === '{') {
        depth = 1;
        i++;
      }
    } else if (c === '{') depth++;
    else if (c === '}') depth--;
  }
  return depth > 0;
}
