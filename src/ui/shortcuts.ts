/**
 * The keyboard shortcuts that exist, in one list: the help panel shows it, and the handlers in
 * main.tsx and the pages use the same `matches` test, so the panel cannot drift from the code.
 */

export interface Shortcut {
  /** as shown in the panel */
  keys: string;
  description: string;
  /** where it works */
  scope: 'everywhere' | 'notebook list' | 'notebook' | 'code editor' | 'text cell' | 'cell name';
}

const mac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
export const MOD = mac ? 'Cmd' : 'Ctrl';

export const SHORTCUTS: Shortcut[] = [
  { keys: '?', description: 'show or hide this help', scope: 'everywhere' },
  { keys: 'Esc', description: 'close this help', scope: 'everywhere' },
  { keys: '/', description: 'focus the search box', scope: 'notebook list' },
  { keys: `${MOD}-S`, description: 'save the notebook', scope: 'notebook' },
  { keys: '↑ / ↓ · Esc', description: 'move in / close the add-cell menu (▾)', scope: 'notebook' },
  {
    keys: 'Shift-Enter',
    description: 'run the cell and its dependents, then go to the next cell',
    scope: 'code editor',
  },
  { keys: `${MOD}-Enter`, description: 'run the cell and its dependents, stay in it', scope: 'code editor' },
  { keys: `${MOD}-Z / ${MOD}-Shift-Z`, description: 'undo / redo', scope: 'code editor' },
  { keys: `${MOD}-F`, description: 'find and replace in the cell', scope: 'code editor' },
  { keys: `${MOD}-/`, description: 'toggle comment', scope: 'code editor' },
  {
    keys: 'Ctrl-Space',
    description: "complete: other cells' names, params, built-ins, keywords (SQL: tables, columns)",
    scope: 'code editor',
  },
  { keys: 'F2', description: 'rename the cell', scope: 'code editor' },
  {
    keys: 'Tab / Shift-Tab',
    description: 'indent / dedent (Esc then Tab leaves the editor)',
    scope: 'code editor',
  },
  { keys: 'Double-click / Enter', description: 'edit the text (Markdown)', scope: 'text cell' },
  { keys: 'Esc', description: 'close the editor and show the text', scope: 'text cell' },
  {
    keys: 'Shift-Enter',
    description: `close the editor and fill in its \${…} values (also ${MOD}-Enter)`,
    scope: 'text cell',
  },
  { keys: 'Enter', description: 'rename (an empty name removes it)', scope: 'cell name' },
  { keys: 'Esc', description: 'cancel the rename', scope: 'cell name' },
];

/** True when a key event is typed into a text field or a code editor (single-key shortcuts then do nothing). */
export function isTyping(event: KeyboardEvent): boolean {
  const target = event.target as HTMLElement | null;
  if (!target || typeof target.closest !== 'function') return false;
  return Boolean(target.closest('input, textarea, select, [contenteditable="true"], .cm-editor'));
}

export const isSaveKey = (event: KeyboardEvent): boolean =>
  (event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 's';
