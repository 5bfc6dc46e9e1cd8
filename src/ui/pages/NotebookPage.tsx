/**
 * The notebook page, rendered from the server session (session.ts): the snapshot and the
 * notifications since. Edits go to the server as `editCell` (debounced, and at once before a run
 * or a save); Shift-Enter / Ctrl-Enter run a cell and its dependents; Run all, Interrupt, the
 * params form (a change is followed by running the cells it made stale), add / move / delete
 * cells, `save` with its conflict answer, the raw mode (`saveRaw`) and error banners.
 */
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'preact/hooks';
import type { ServerNotification } from '../../protocol/index.js';
import { CellView } from '../components/CellView.js';
import { CodeEditor } from '../components/CodeEditor.js';
import { ParamsForm, type ParamValue } from '../components/ParamsForm.js';
import type { PageAnswer, PageRequest } from '../components/outputs/TableOutput.js';
import { NotebookSession, type Answer, type Command, type Snapshot } from '../session.js';
import { isSaveKey } from '../shortcuts.js';

type SaveState =
  | { kind: 'idle' }
  | { kind: 'saving' }
  | { kind: 'saved'; at: Date }
  | { kind: 'conflict'; message: string }
  | { kind: 'error'; message: string };

interface Banner {
  id: number;
  message: string;
}

/** Editors created at once (the first screen); the rest wait until scrolled near. */
const EAGER_CELLS = 3;
/** Typing pauses this long before the edit goes to the server. */
const EDIT_DELAY_MS = 400;

export function NotebookPage({ path }: { path: string }) {
  const session = useMemo(() => new NotebookSession(path), [path]);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const [save, setSave] = useState<SaveState>({ kind: 'idle' });
  const [banners, setBanners] = useState<Banner[]>([]);
  /** the editors' current text, per cell id (what is typed, maybe not sent yet) */
  const local = useRef(new Map<string, string>());
  /** the sources on disk (last clean snapshot or save), per cell id: the `edited` marks */
  const onDisk = useRef(new Map<string, string>());
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  const rawText = useRef('');
  const nextBanner = useRef(1);

  const addBanner = useCallback((message: string) => {
    const id = nextBanner.current++;
    setBanners((list) => [...list.slice(-4), { id, message }]);
  }, []);

  useEffect(() => {
    let ready = false;
    const stop = session.subscribe(() => {
      const state = session.state;
      if (state && !ready) {
        ready = true;
        document.title = `${path} · Quire`;
        requestAnimationFrame(() => {
          performance.mark('quire:interactive');
          document.body.dataset.ready = 'notebook';
        });
      }
      rerender(0);
    });
    session.onNotification = (n: ServerNotification) => {
      if (n.type === 'error') addBanner(n.message);
      else if (n.type === 'externalChange')
        addBanner(
          n.version === null
            ? 'The file was deleted on disk; saving will create it again.'
            : 'The file changed on disk while you have unsaved edits here; saving will be refused as a conflict.',
        );
      else if (n.type === 'conflict')
        setSave({ kind: 'conflict', message: 'the notebook changed on disk since it was read' });
      else if (n.type === 'saved') rememberDisk(session.state);
    };
    return () => {
      stop();
      for (const timer of timers.current.values()) clearTimeout(timer);
      session.close();
    };
  }, [session]);

  const state = session.state;
  // The base of the `edited` marks: a clean snapshot is what is on disk; a session that already
  // has unsaved edits when the page opens marks what changes from then on (the toolbar says the
  // rest). The raw mode's text follows the server's.
  const lastSnapshot = useRef<Snapshot | null>(null);
  if (state && state !== lastSnapshot.current) {
    if (!lastSnapshot.current || state.text !== lastSnapshot.current.text) rawText.current = state.text;
    const fresh = !lastSnapshot.current;
    if (fresh || (!state.dirty && state.version !== lastSnapshot.current?.version)) rememberDisk(state);
    lastSnapshot.current = state;
  }

  function rememberDisk(snapshot: Snapshot | null) {
    if (!snapshot) return;
    onDisk.current = new Map(snapshot.cells.map((cell) => [cell.id, cell.source]));
  }

  /** Sends a command; an `error` answer becomes a banner. */
  const command = useCallback(
    async (cmd: Command): Promise<Answer | null> => {
      try {
        const answer = await session.send(cmd);
        if (answer.type === 'error') addBanner(answer.message);
        return answer;
      } catch (e) {
        addBanner(e instanceof Error ? e.message : String(e));
        return null;
      }
    },
    [session, addBanner],
  );

  /** Sends the cell's typed text if the server does not have it yet. */
  const flush = useCallback(
    (cellId: string): Promise<unknown> => {
      clearTimeout(timers.current.get(cellId));
      timers.current.delete(cellId);
      const text = local.current.get(cellId);
      const cell = session.state?.cells.find((c) => c.id === cellId);
      if (text === undefined || !cell || cell.source === text) return Promise.resolve();
      return command({ type: 'editCell', cellId, source: text });
    },
    [session, command],
  );
  const flushAll = useCallback(() => Promise.all([...local.current.keys()].map((id) => flush(id))), [flush]);

  const onSourceChange = useCallback(
    (cellId: string, source: string) => {
      local.current.set(cellId, source);
      clearTimeout(timers.current.get(cellId));
      timers.current.set(
        cellId,
        setTimeout(() => void flush(cellId), EDIT_DELAY_MS),
      );
      setSave((s) => (s.kind === 'saved' ? { kind: 'idle' } : s));
      rerender(0);
    },
    [flush],
  );

  const onRun = useCallback(
    (cellId: string, mode: 'next' | 'inPlace', source: string) => {
      if (!local.current.has(cellId)) local.current.set(cellId, source);
      void flush(cellId).then(() => command({ type: 'runCell', cellId }));
      if (mode === 'next') focusNextCell(cellId);
    },
    [flush, command],
  );

  const runAll = useCallback(() => {
    void flushAll().then(() => command({ type: 'runAll' }));
  }, [flushAll, command]);

  const onParam = useCallback(
    async (name: string, value: ParamValue) => {
      const snapshot = session.nextSnapshot();
      const answer = await command({ type: 'setParams', values: { [name]: value } });
      if (answer?.type !== 'ack') return;
      // The server only marks the cells reading the param stale: run them (runStale semantics).
      const next = await snapshot;
      for (const cell of next.cells)
        if (cell.kind === 'code' && cell.status === 'stale')
          void command({ type: 'runCell', cellId: cell.id });
    },
    [session, command],
  );

  const move = useCallback(
    (cellId: string, delta: -1 | 1) => {
      const index = session.state?.cells.findIndex((c) => c.id === cellId) ?? -1;
      if (index < 0 || index + delta < 0) return;
      void flushAll().then(() => command({ type: 'moveCell', cellId, index: index + delta }));
    },
    [session, flushAll, command],
  );
  const remove = useCallback(
    (cellId: string) => {
      local.current.delete(cellId);
      void flushAll().then(() => command({ type: 'deleteCell', cellId }));
    },
    [flushAll, command],
  );
  const insertAt = useCallback(
    (index: number, language: 'ts' | 'prose') => {
      const source = language === 'prose' ? 'New text.' : '';
      void flushAll().then(() => command({ type: 'insertCell', index, language, source }));
    },
    [flushAll, command],
  );
  const insertAfter = useCallback(
    (cellId: string, language: 'ts' | 'prose') => {
      const index = session.state?.cells.findIndex((c) => c.id === cellId) ?? -1;
      insertAt(index + 1, language);
    },
    [session, insertAt],
  );

  const onTablePage = useCallback(
    async (cellId: string, outputIndex: number, request: PageRequest): Promise<PageAnswer | null> => {
      const answer = await command({ type: 'tablePage', cellId, outputIndex, ...request });
      return answer?.type === 'tablePage' ? answer : null;
    },
    [command],
  );

  const doSave = useCallback(async () => {
    const current = session.state;
    if (!current) return;
    setSave({ kind: 'saving' });
    let answer: Answer | null;
    if (current.parseError) {
      answer = await command({ type: 'saveRaw', text: rawText.current, baseVersion: current.version });
    } else {
      await flushAll();
      answer = await command({ type: 'save', baseVersion: session.state?.version ?? null });
    }
    if (!answer) return setSave({ kind: 'error', message: 'not connected' });
    if (answer.type === 'saved') {
      rememberDisk(session.state);
      setSave({ kind: 'saved', at: new Date() });
    } else if (answer.type === 'conflict')
      setSave({ kind: 'conflict', message: 'the notebook changed on disk since it was read' });
    else if (answer.type === 'error') setSave({ kind: 'error', message: answer.message });
  }, [session, command, flushAll]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!isSaveKey(event)) return;
      event.preventDefault();
      void doSave();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [doSave]);

  if (!state)
    return (
      <main class="notebook-page">
        {session.connection === 'closed' ? (
          <p class="error-banner">
            Cannot reach the server (retrying). If you are not logged in, open the login URL printed by `quire
            serve`.
          </p>
        ) : (
          <p class="muted">Loading {path}…</p>
        )}
        <Banners banners={banners} onDismiss={(id) => setBanners((l) => l.filter((b) => b.id !== id))} />
      </main>
    );

  const edited = new Set<string>();
  for (const cell of state.cells) {
    const text = local.current.get(cell.id) ?? cell.source;
    const disk = onDisk.current.get(cell.id);
    if (disk === undefined ? text !== cell.source : text !== disk) edited.add(cell.id);
  }
  const running = state.cells.some((c) => c.status === 'running' || c.status === 'queued');

  return (
    <main class="notebook-page">
      <div class="toolbar">
        <a href="/" class="back">
          ← Notebooks
        </a>
        <span class="nb-path">{state.path}</span>
        {session.connection !== 'open' ? <span class="connection">reconnecting…</span> : null}
        <span class="spacer" />
        {state.parseError ? null : (
          <>
            <button type="button" class="run-all" onClick={runAll}>
              Run all
            </button>
            <button
              type="button"
              class="interrupt"
              onClick={() => void command({ type: 'interrupt' })}
              disabled={!running}
            >
              Interrupt
            </button>
          </>
        )}
        <SaveStatus state={save} dirty={edited.size > 0 || state.dirty} />
        <button type="button" class="save" onClick={() => void doSave()} disabled={save.kind === 'saving'}>
          Save
        </button>
      </div>
      <Banners banners={banners} onDismiss={(id) => setBanners((l) => l.filter((b) => b.id !== id))} />
      {save.kind === 'conflict' ? (
        <div class="conflict-banner" role="alert">
          <strong>Not saved: this notebook changed on disk since you opened it.</strong> Nothing was
          overwritten; your edits are still here. Copy what you need, then reload the file in your own editor
          or discard these edits.
          <div class="muted">{save.message}</div>
        </div>
      ) : null}
      {state.parseError ? (
        <RawMode state={state} onChange={(text) => (rawText.current = text)} />
      ) : (
        <>
          <ParamsForm
            schema={state.params.schema}
            values={state.params.values}
            onChange={(name, value) => void onParam(name, value)}
          />
          <div class="cells">
            {state.cells.map((cell, index) => (
              <CellView
                key={cell.id}
                cell={cell}
                edited={edited.has(cell.id)}
                eager={index < EAGER_CELLS}
                onSourceChange={onSourceChange}
                onRun={onRun}
                onMove={move}
                onDelete={remove}
                onInsertAfter={insertAfter}
                onTablePage={onTablePage}
              />
            ))}
          </div>
          <div class="add-cells">
            <button type="button" class="add-code" onClick={() => insertAt(state.cells.length, 'ts')}>
              + Code
            </button>
            <button type="button" class="add-prose" onClick={() => insertAt(state.cells.length, 'prose')}>
              + Text
            </button>
          </div>
        </>
      )}
    </main>
  );
}

/** Shift-Enter moves on: the next code cell's editor gets the focus (when it exists yet). */
function focusNextCell(cellId: string) {
  let next = document.querySelector(`[data-cell-id="${CSS.escape(cellId)}"]`)?.nextElementSibling;
  while (next && !next.classList.contains('code-cell')) next = next.nextElementSibling;
  (next?.querySelector('.cm-content') as HTMLElement | null)?.focus();
}

function Banners({ banners, onDismiss }: { banners: Banner[]; onDismiss: (id: number) => void }) {
  return (
    <>
      {banners.map((banner) => (
        <div key={banner.id} class="error-banner server-error" role="alert">
          {banner.message}
          <button type="button" class="dismiss" aria-label="Dismiss" onClick={() => onDismiss(banner.id)}>
            ✕
          </button>
        </div>
      ))}
    </>
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

function RawMode({ state, onChange }: { state: Snapshot; onChange: (text: string) => void }) {
  const error = state.parseError;
  return (
    <div class="raw-mode">
      <div class="parse-error" role="alert">
        <strong>This notebook does not parse</strong> (line {error?.line}, column {error?.column}):{' '}
        {error?.message}. It is open as raw text: fix it and save.
      </div>
      <CodeEditor
        source={state.text}
        language="markdown"
        label="notebook text"
        eager
        onChange={onChange}
        errorLine={error?.line ?? null}
      />
    </div>
  );
}
