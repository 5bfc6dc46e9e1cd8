/**
 * The notebook page: the cells of one notebook (or, when it does not parse, the raw mode), a Save
 * button and Ctrl/Cmd-S. A save rebuilds the text from the loaded text and the edited sources
 * (rebuild.ts) and sends it with the loaded version; a conflict is shown and nothing is overwritten.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, readNotebook, saveNotebook, type Cell, type NotebookDocument } from '../api.js';
import { CellView } from '../components/CellView.js';
import { CodeEditor } from '../components/CodeEditor.js';
import { rebuildText } from '../rebuild.js';
import { isSaveKey } from '../shortcuts.js';

type SaveState =
  | { kind: 'idle' }
  | { kind: 'saving' }
  | { kind: 'saved'; at: Date }
  | { kind: 'conflict'; message: string }
  | { kind: 'error'; message: string };

/** What the last save (or load) left on disk: the base of the next save. */
interface Baseline {
  text: string;
  version: string;
  cells: Cell[] | null;
}

/** Editors created at once (the first screen); the rest wait until scrolled near. */
const EAGER_CELLS = 3;

export function NotebookPage({ path }: { path: string }) {
  const [doc, setDoc] = useState<NotebookDocument | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [edited, setEdited] = useState<ReadonlySet<number>>(new Set());
  const [save, setSave] = useState<SaveState>({ kind: 'idle' });
  const baseline = useRef<Baseline | null>(null);
  const edits = useRef(new Map<number, string>());
  const rawText = useRef<string>('');

  const load = useCallback(async () => {
    try {
      const loaded = await readNotebook(path);
      baseline.current = { text: loaded.text, version: loaded.version, cells: loaded.cells ?? null };
      edits.current = new Map();
      rawText.current = loaded.text;
      setEdited(new Set());
      setDoc(loaded);
      setLoadError(null);
      document.title = `${path} · Quire`;
    } catch (e) {
      setLoadError(
        e instanceof ApiError && e.status === 401
          ? 'Not logged in: open the login URL printed by `quire serve`.'
          : `Could not open ${path}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }, [path]);

  useEffect(() => {
    void load();
  }, [load]);

  // Marks the moment the page is interactive (the open-time measurement in tests/e2e reads it).
  useEffect(() => {
    if (!doc) return;
    requestAnimationFrame(() => {
      performance.mark('quire:interactive');
      document.body.dataset.ready = 'notebook';
    });
  }, [doc]);

  const onSourceChange = useCallback((index: number, source: string) => {
    const cell = baseline.current?.cells?.[index];
    if (!cell) return;
    const changed = source !== cell.source;
    if (changed) edits.current.set(index, source);
    else edits.current.delete(index);
    setEdited((set) => {
      if (set.has(index) === changed) return set;
      const next = new Set(set);
      if (changed) next.add(index);
      else next.delete(index);
      return next;
    });
    setSave((s) => (s.kind === 'saved' ? { kind: 'idle' } : s));
  }, []);

  const doSave = useCallback(async () => {
    const base = baseline.current;
    if (!base) return;
    setSave({ kind: 'saving' });
    try {
      if (base.cells) {
        const rebuilt = rebuildText(base.text, base.cells, edits.current);
        const result = await saveNotebook(path, rebuilt.text, base.version);
        if (!result.ok) return setSave({ kind: 'conflict', message: result.message });
        baseline.current = { text: rebuilt.text, version: result.version, cells: rebuilt.cells };
        edits.current = new Map();
        setEdited(new Set());
        setSave({ kind: 'saved', at: new Date() });
      } else {
        const result = await saveNotebook(path, rawText.current, base.version);
        if (!result.ok) return setSave({ kind: 'conflict', message: result.message });
        setSave({ kind: 'saved', at: new Date() });
        // The fixed text may parse now: reopen it in the cell view.
        await load();
      }
    } catch (e) {
      setSave({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
    }
  }, [path, load]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!isSaveKey(event)) return;
      event.preventDefault();
      void doSave();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [doSave]);

  if (loadError)
    return (
      <main class="notebook-page">
        <p class="error-banner">{loadError}</p>
      </main>
    );
  if (!doc)
    return (
      <main class="notebook-page">
        <p class="muted">Loading {path}…</p>
      </main>
    );

  return (
    <main class="notebook-page">
      <div class="toolbar">
        <a href="/" class="back">
          ← Notebooks
        </a>
        <span class="nb-path">{doc.path}</span>
        <span class="spacer" />
        <SaveStatus state={save} dirty={edited.size > 0} />
        <button type="button" class="save" onClick={() => void doSave()} disabled={save.kind === 'saving'}>
          Save
        </button>
      </div>
      {save.kind === 'conflict' ? (
        <div class="conflict-banner" role="alert">
          <strong>Not saved: this notebook changed on disk since you opened it.</strong> Nothing was
          overwritten; your edits are still here. Copy what you need, then{' '}
          <button type="button" onClick={() => void load()}>
            reload the notebook (discards your edits)
          </button>
          <div class="muted">{save.message}</div>
        </div>
      ) : null}
      {doc.parseError ? (
        <RawMode doc={doc} onChange={(text) => (rawText.current = text)} />
      ) : (
        <div class="cells">
          {(baseline.current?.cells ?? []).map((cell, index) => (
            <CellView
              key={`${doc.version}:${cell.id}`}
              cell={cell}
              index={index}
              edited={edited.has(index)}
              eager={index < EAGER_CELLS}
              onSourceChange={onSourceChange}
            />
          ))}
        </div>
      )}
    </main>
  );
}

function SaveStatus({ state, dirty }: { state: SaveState; dirty: boolean }) {
  let text = dirty ? 'unsaved changes' : '';
  if (state.kind === 'saving') text = 'saving…';
  if (state.kind === 'saved' && !dirty) text = 'saved';
  if (state.kind === 'conflict') text = 'conflict: not saved';
  if (state.kind === 'error') text = `save failed: ${state.message}`;
  return (
    <span class="save-status" data-state={state.kind} aria-live="polite">
      {text}
    </span>
  );
}

function RawMode({ doc, onChange }: { doc: NotebookDocument; onChange: (text: string) => void }) {
  const error = doc.parseError;
  return (
    <div class="raw-mode">
      <div class="parse-error" role="alert">
        <strong>This notebook does not parse</strong> (line {error?.line}, column {error?.column}):{' '}
        {error?.message}. It is open as raw text: fix it and save.
      </div>
      <CodeEditor
        source={doc.text}
        language="markdown"
        label="notebook text"
        eager
        onChange={onChange}
        errorLine={error?.line ?? null}
      />
    </div>
  );
}
