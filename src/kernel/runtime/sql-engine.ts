/**
 * The kernel's embedded DuckDB, opened on the first SQL query (not at startup: it costs tens of
 * megabytes). DuckDB runs in the kernel rather than the host so that big results stay next to the
 * code that uses them; connectors/kernel/duckdb.ts locks its file access before any user SQL runs, with
 * the hidden paths, the OS sandbox flag and the memory share from the kernel's configuration.
 */
import { join } from 'node:path';
import type { SqlEngine } from '../../connectors/kernel/duckdb.js';
import type { TableValue } from '../../outputs/types.js';
import { withDuckDbOpen } from './addons.js';
import { config } from './config.js';
import type { Scope } from './scope.js';

let opening: Promise<SqlEngine> | undefined;

/** A host that does not say what is hidden still hides the run store and the git repository (DESIGN §6). */
function defaultHidden(workspace: string): string[] {
  return [join(workspace, '.quire'), join(workspace, '.git')];
}

export function embeddedEngine(): Promise<SqlEngine> {
  opening ??= (async () => {
    const { openDuckDb } = await import('../../connectors/kernel/duckdb.js');
    return withDuckDbOpen(() =>
      openDuckDb({
        workspace: config.workspace,
        scratch: config.scratch,
        hidden: config.hidden ?? defaultHidden(config.workspace),
        ungranted: config.ungranted ?? [],
        shown: config.shown ?? [],
        ...(config.readable ? { readable: config.readable } : {}),
        osSandbox: config.osSandbox === true,
        ...(config.duckdbMemoryMb === undefined ? {} : { memoryMb: config.duckdbMemoryMb }),
      }),
    );
  })();
  // A failed open may be retried by the next query (the addon lock stays).
  opening.catch(() => (opening = undefined));
  return opening;
}

function isTableLike(value: unknown): boolean {
  return (
    Array.isArray(value) ||
    (typeof value === 'object' && value !== null && Symbol.for('quire.table') in value)
  );
}

/** For the `sql` template: scope values that the query text mentions by name and that can be tables. */
export function tablesMentioned(sql: string, scope: Scope): Record<string, unknown> {
  const words = new Set(sql.match(/[A-Za-z_$][\w$]*/g) ?? []);
  const tables: Record<string, unknown> = {};
  for (const [name, value] of scope.entries())
    if (words.has(name) && isTableLike(value)) tables[name] = value;
  return tables;
}

/** The `sql` tagged template: `${…}` are bound parameters, never spliced into the text. */
export function makeSqlTag(scope: Scope) {
  return async function sql(strings: TemplateStringsArray, ...values: unknown[]): Promise<TableValue> {
    const text = strings.reduce((acc, part, i) => `${acc}$${i}${part}`);
    const engine = await embeddedEngine();
    return engine.execute({ sql: text, parameters: values, tables: tablesMentioned(text, scope) });
  };
}
