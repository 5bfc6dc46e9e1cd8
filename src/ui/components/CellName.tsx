/**
 * A code cell's name in its header, renamed in place: a click (or F2 in the cell's editor) turns it
 * into an input; Enter renames (`renameCell`), an empty name removes it, Esc cancels, leaving the
 * field keeps a valid change. A name the cell cannot take is explained under the field before
 * anything is sent; a name the server refuses is explained there too, and the field stays open.
 */
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { SnapshotCell } from '../session.js';

export interface CellNameProps {
  cell: SnapshotCell;
  editing: boolean;
  setEditing: (editing: boolean) => void;
  /** why the name cannot be used, or null */
  validate: (name: string) => string | null;
  /** sends the rename; resolves with the server's refusal, or null when it was applied */
  onRename: (name: string | null) => Promise<string | null>;
}

export function CellName({ cell, editing, setEditing, validate, onRename }: CellNameProps) {
  const [text, setText] = useState(cell.name ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  /** the field is closing: its blur (the input leaving the page) must not commit a second time */
  const closing = useRef(false);

  // A layout effect: it runs in the same task as the render that shows the input, so nothing typed
  // into the new field (a fast typist, a test) can land before this reset and be overwritten by it.
  useLayoutEffect(() => {
    if (!editing) return;
    closing.current = false;
    setText(cell.name ?? '');
    setError(null);
    // after the input is in the DOM
    queueMicrotask(() => input.current?.select());
  }, [editing]);

  const close = (refocusEditor: boolean) => {
    closing.current = true;
    setEditing(false);
    if (refocusEditor) {
      const section = input.current?.closest('.cell');
      queueMicrotask(() => (section?.querySelector('.cm-content') as HTMLElement | null)?.focus());
    }
  };

  const commit = async (refocusEditor: boolean): Promise<void> => {
    const name = text.trim();
    if (name === (cell.name ?? '')) return close(refocusEditor);
    const problem = validate(name);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    const refused = await onRename(name === '' ? null : name);
    setBusy(false);
    if (refused) setError(refused);
    else close(refocusEditor);
  };

  if (!editing)
    return (
      <button
        type="button"
        class={`cell-name${cell.name ? '' : ' unnamed'}`}
        title={cell.name ? 'Rename this cell (F2)' : `Unnamed (id ${cell.id}): name this cell (F2)`}
        onClick={() => setEditing(true)}
      >
        {cell.name ?? cell.id}
      </button>
    );

  return (
    <span class="cell-rename">
      <input
        ref={input}
        class="cell-name-input"
        aria-label="Cell name"
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? `rename-error-${cell.id}` : undefined}
        placeholder="no name"
        spellcheck={false}
        value={text}
        readOnly={busy}
        onInput={(e) => {
          const value = (e.target as HTMLInputElement).value;
          setText(value);
          // Say what is wrong while typing, but only once the name has been tried or is clearly off.
          setError(error || /^\d|[^\w$]/.test(value.trim()) ? validate(value.trim()) : null);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            void commit(true);
          } else if (e.key === 'Escape') {
            // The page's Esc (closing the help) has nothing to do here.
            e.preventDefault();
            e.stopPropagation();
            close(true);
          }
        }}
        onBlur={() => {
          if (busy || closing.current) return;
          const name = text.trim();
          if (name !== (cell.name ?? '') && validate(name) === null) void commit(false);
          else close(false);
        }}
      />
      {error ? (
        <span class="cell-name-error" id={`rename-error-${cell.id}`} role="alert">
          {error}
        </span>
      ) : null}
    </span>
  );
}
