/**
 * The notebook page's toolbar: back to the list, the path, Run all / Run stale / Interrupt, the
 * save state with the unsaved-changes mark, Revert (asks first: it drops every unsaved edit of the
 * session, for every client) and Save. It only shows state and calls back; the page sends.
 */
import { useEffect, useRef, useState } from 'preact/hooks';

export type SaveState =
  | { kind: 'idle' }
  | { kind: 'saving' }
  | { kind: 'saved'; at: Date }
  | { kind: 'conflict'; message: string }
  | { kind: 'error'; message: string };

export interface ToolbarProps {
  path: string;
  connected: boolean;
  /** raw mode: only Save */
  raw: boolean;
  running: boolean;
  /** cells waiting to re-run (edited, or their inputs changed) */
  staleCount: number;
  save: SaveState;
  /** the session's text differs from the file, or typed text is not sent yet */
  dirty: boolean;
  onRunAll: () => void;
  onRunStale: () => void;
  onInterrupt: () => void;
  onSave: () => void;
  onRevert: () => void;
}

export function Toolbar(props: ToolbarProps) {
  return (
    <div class="toolbar">
      <a href="/" class="back">
        ← Notebooks
      </a>
      <span class="nb-path">{props.path}</span>
      {props.connected ? null : <span class="connection">reconnecting…</span>}
      <span class="spacer" />
      {props.raw ? null : (
        <>
          <button type="button" class="run-all" onClick={props.onRunAll}>
            Run all
          </button>
          {props.staleCount > 0 ? (
            <button
              type="button"
              class="run-stale"
              title="Run the cells whose code or inputs changed since they ran"
              onClick={props.onRunStale}
            >
              Run stale ({props.staleCount})
            </button>
          ) : null}
          <button type="button" class="interrupt" onClick={props.onInterrupt} disabled={!props.running}>
            Interrupt
          </button>
        </>
      )}
      <SaveStatus state={props.save} dirty={props.dirty} />
      {props.raw ? null : <RevertButton dirty={props.dirty} onRevert={props.onRevert} />}
      <button type="button" class="save" onClick={props.onSave} disabled={props.save.kind === 'saving'}>
        Save
      </button>
    </div>
  );
}

function SaveStatus({ state, dirty }: { state: SaveState; dirty: boolean }) {
  let text = dirty ? 'unsaved changes' : '';
  if (state.kind === 'saving') text = 'saving…';
  if (state.kind === 'saved' && !dirty) text = 'saved';
  if (state.kind === 'conflict') text = 'conflict: not saved';
  if (state.kind === 'error') text = `save failed: ${state.message}`;
  return (
    <span
      class="save-status"
      data-state={state.kind}
      data-dirty={dirty ? 'true' : 'false'}
      aria-live="polite"
    >
      {dirty && state.kind !== 'saving' ? (
        <span class="dirty-dot" aria-hidden="true">
          ●{' '}
        </span>
      ) : null}
      {text}
    </span>
  );
}

/**
 * Revert with an inline confirmation rather than `window.confirm`: it does not block the page
 * (notifications keep arriving) and says exactly what will be lost.
 */
export function RevertButton({ dirty, onRevert }: { dirty: boolean; onRevert: () => void }) {
  const [asking, setAsking] = useState(false);
  const keep = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) keep.current?.focus();
  }, [asking]);
  useEffect(() => {
    if (!dirty) setAsking(false);
  }, [dirty]);

  if (!asking)
    return (
      <button
        type="button"
        class="revert"
        disabled={!dirty}
        title="Drop the unsaved changes and reload the notebook from disk"
        onClick={() => setAsking(true)}
      >
        Revert
      </button>
    );
  return (
    <span
      class="revert-confirm"
      role="alertdialog"
      aria-label="Discard every unsaved change and reload the notebook from disk"
      onKeyDown={(e) => {
        if (e.key !== 'Escape') return;
        e.stopPropagation();
        setAsking(false);
      }}
    >
      Discard unsaved changes?
      <button
        type="button"
        class="revert-yes"
        onClick={() => {
          setAsking(false);
          onRevert();
        }}
      >
        Revert
      </button>
      <button ref={keep} type="button" class="revert-no" onClick={() => setAsking(false)}>
        Keep editing
      </button>
    </span>
  );
}
