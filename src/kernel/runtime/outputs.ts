/**
 * The output helpers (display.ts, builtins.ts), loaded on first need rather than at startup so an
 * idle kernel starts fast. Cells that may need them synchronously (`display(v)`, `html\`…\``) get
 * them preloaded before they run; the fallback covers code that reaches them indirectly.
 */
import { MIME, type Output } from '../../outputs/types.js';
// Type-only: erased at compile time, so none of these modules loads at startup.
import type * as BuiltinsModule from '../../outputs/builtins.js';
import type * as DisplayModule from '../../outputs/display.js';
import type * as EscapeModule from '../../outputs/escape.js';
import type * as ValuesModule from '../../outputs/values.js';

export interface OutputHelpers {
  display: typeof DisplayModule;
  builtins: typeof BuiltinsModule;
  values: typeof ValuesModule;
  escape: typeof EscapeModule;
}

let loaded: OutputHelpers | undefined;
let loading: Promise<OutputHelpers> | undefined;

export function loadOutputs(): Promise<OutputHelpers> {
  loading ??= Promise.all([
    import('../../outputs/display.js'),
    import('../../outputs/builtins.js'),
    import('../../outputs/values.js'),
    import('../../outputs/escape.js'),
  ]).then(([display, builtins, values, escape]) => (loaded = { display, builtins, values, escape }));
  return loading;
}

/** The helpers if already loaded (for the synchronous globals). */
export function outputHelpers(): OutputHelpers | undefined {
  return loaded;
}

/** Whether a cell's code may call an output helper synchronously or has a value to show. */
export function needsOutputs(code: string): boolean {
  return /\b(?:display|html|md|vegalite|__quire_last)\b/.test(code);
}

/** Outputs for a value; before the helpers are loaded, a plain-text rendering (rare: see needsOutputs). */
export function toOutputsNow(value: unknown): Output[] {
  if (loaded) return loaded.display.toOutputs(value);
  if (value === undefined) return [];
  return [{ mime: MIME.text, data: typeof value === 'string' ? value : String(value) }];
}

export async function toOutputs(value: unknown): Promise<Output[]> {
  return (await loadOutputs()).display.toOutputs(value);
}
