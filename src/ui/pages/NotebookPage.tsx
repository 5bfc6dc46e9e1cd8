/**
 * The notebook page, rendered from the server session (session.ts): the snapshot and the
 * notifications since. Edits go to the server as `editCell` (debounced, and at once before a run
 * or a save); Shift-Enter / Ctrl-Enter run a cell and its dependents; Run all, Run stale,
 * Interrupt, the params form (a change is followed by `runStale`), add cells in any language /
 * move / delete / rename them, prose edited in place, `save` with its conflict answer, `revert`,
 * the raw mode (`saveRaw`), error banners, and the run history (reloaded on `runRecorded`).
 *
 * A user who may not edit this notebook (the snapshot's `access`, from the server's authorize)
 * gets the app view instead (components/AppView.tsx): params, Run, outputs, no code.
 */
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'preact/hooks';
import type { ServerNotification } from '../../protocol/index.js';
import { languageSpec } from '../../protocol/index.js';
import { AddCellBar, type NewCellLanguage } from '../components/AddCell.js';
import { AppView } from '../components/AppView.js';
import { CellView } from '../components/CellView.js';
import { Banners, type Banner } from '../components/Banners.js';
import { ParamsForm, type ParamValue } from '../components/ParamsForm.js';
import { RawMode } from '../components/RawMode.js';
import { RunHistory } from '../components/RunHistory.js';
import { RevertButton, Toolbar, type SaveState } from '../components/Toolbar.js';
import type { PageAnswer, PageRequest } from '../components/outputs/TableOutput.js';
import { canInsertProse, cellNameError, freshName, takenNames } from '../cell-names.js';
import { notebookNames } from '../completion/names.js';
import { hasInterpolations, NEW_PROSE, withNewParagraph } from '../prose.js';
import { accessIn, SessionConnection, type Answer, type Command, type Snapshot } from '../session.js';
import { isSaveKey } from '../shortcuts.js';

/** Editors created at once (the first screen); the rest wait until scrolled near. */
const EAGER_CELLS = 3;
/** Typing pauses this long before the edit goes to the server. */
const EDIT_DELAY_MS = 400;
/** How long an added cell is waited for (its snapshot follows the insert's ack). */
const NEW_CELL_WAIT_MS = 10_000;

export function NotebookPage({ path }: { path: string }) {
  const session = useMemo(() => new SessionConnection(path), [path]);
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
  /** a cell whose editor takes the focus (one just added); `seq` lets the same cell ask again */
  const [focus, setFocus] = useState<{ id: string; seq: number } | null>(null);
  const focusCell = useCallback((id: string) => setFocus((f) => ({ id, seq: (f?.seq ?? 0) + 1 })), []);
  /** bumped by a revert: every cell is built again from the server's text (editors hold typed text) */
  const [generation, setGeneration] = useState(0);
  /** bumped by the server's `runRecorded`: the run history reloads */
  const [runsChanged, setRunsChanged] = useState(0);

  const addBanner = useCallback((message: string, kind: Banner['kind'] = 'error') => {
    const id = nextBanner.current++;
    setBanners((list) => [...list.slice(-4), { id, message, kind }]);
  }, []);

  useEffect(() => {
    let ready = false;
    const changed = () => {
      const state = session.state;
      if (state && !ready) {
        ready = true;
        requestAnimationFrame(() => {
          performance.mark('quire:interactive');
          document.body.dataset.ready = 'notebook';
        });
      }
      rerender(0);
    };
    const stop = session.subscribe(changed);
    // The session connects as soon as it is made, and this effect runs after the first paint: on a
    // fast server the snapshot may already be here, announced to no one. Take it now.
    if (session.state) changed();
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
      else if (n.type === 'runRecorded') setRunsChanged((k) => k + 1);
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

  const runStale = useCallback(() => {
    void flushAll().then(() => command({ type: 'runStale' }));
  }, [flushAll, command]);

  const onParam = useCallback(
    async (name: string, value: ParamValue) => {
      const answer = await command({ type: 'setParams', values: { [name]: value } });
      // The server only marks the cells reading the param stale; one command runs them (and
      // what they need), so a burst of param changes does not queue a run per cell.
      if (answer?.type === 'ack') void command({ type: 'runStale' });
    },
    [command],
  );

  /** The app view's params: set only; its Run button runs all with them. */
  const setParam = useCallback(
    (name: string, value: ParamValue) => void command({ type: 'setParams', values: { [name]: value } }),
    [command],
  );

  /** Closing a prose editor: its text goes out at once; Shift-Enter also fills in its `${…}`. */
  const onProseDone = useCallback(
    (cellId: string, source: string, run: boolean) => {
      local.current.set(cellId, source);
      const sent = flush(cellId);
      rerender(0);
      if (run && hasInterpolations(source)) void sent.then(() => command({ type: 'runCell', cellId }));
    },
    [flush, command],
  );

  /**
   * A rename's refusal is shown at the name, not as a banner. The server rewrites the cells that
   * read the old name, so typed text goes out first (it is what gets rewritten); what the rename
   * did to other cells comes back as a notice.
   */
  const rename = useCallback(
    async (cellId: string, name: string | null): Promise<string | null> => {
      try {
        await flushAll();
        const answer = await session.send({ type: 'renameCell', cellId, name });
        if (answer.type === 'ack' && answer.notice) addBanner(`Renamed: ${answer.notice}.`, 'info');
        return answer.type === 'error' ? answer.message : null;
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      }
    },
    [session, flushAll, addBanner],
  );
  const validateName = useCallback(
    (cellId: string, name: string): string | null => {
      const current = session.state;
      const cell = current?.cells.find((c) => c.id === cellId);
      return current && cell ? cellNameError(name, cell, current) : null;
    },
    [session],
  );
  const namesFor = useCallback(
    (cellId: string) => (session.state ? notebookNames(session.state, cellId) : []),
    [session],
  );

  const revert = useCallback(async () => {
    // Typed text not sent yet belongs to the edits being dropped.
    for (const timer of timers.current.values()) clearTimeout(timer);
    timers.current.clear();
    local.current.clear();
    const answer = await command({ type: 'revert' });
    if (answer?.type === 'snapshot') {
      rememberDisk(answer);
      setSave({ kind: 'idle' });
    }
    setGeneration((n) => n + 1);
  }, [command]);

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
    async (index: number, language: NewCellLanguage) => {
      await flushAll();
      const current = session.state;
      if (!current) return;
      if (language === 'prose' && !canInsertProse(current.cells, index)) {
        // New text here would merge with the prose cell next to it: it becomes a new paragraph of
        // that cell instead, on the side where it was asked for, selected to be typed over.
        const next = current.cells[index];
        const target = next?.kind === 'prose' ? next : current.cells[index - 1];
        if (!target) return;
        local.current.set(target.id, withNewParagraph(target.source, target === next ? 'start' : 'end'));
        const answer = await flush(target.id);
        if ((answer as Answer | null | undefined)?.type === 'ack') focusCell(target.id);
        return;
      }
      const before = new Set(current.cells.map((c) => c.id));
      // A SQL result is only usable by name: a new SQL cell gets a fresh one (renamed in its header).
      const { newName } = languageSpec(language);
      const name = newName ? freshName(newName, takenNames(current)) : undefined;
      const source = language === 'prose' ? NEW_PROSE : '';
      const added = session.waitFor(
        (next) => next.cells.find((c) => !before.has(c.id))?.id,
        NEW_CELL_WAIT_MS,
      );
      const answer = await command({
        type: 'insertCell',
        index,
        language,
        source,
        ...(name ? { name } : {}),
      });
      if (answer?.type !== 'ack') return;
      const id = await added;
      if (id) focusCell(id);
    },
    [session, flushAll, flush, command, focusCell],
  );
  const insertAfter = useCallback(
    (cellId: string, language: NewCellLanguage) => {
      const index = session.state?.cells.findIndex((c) => c.id === cellId) ?? -1;
      void insertAt(index + 1, language);
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
    if (!current || !accessIn(current).edit) return;
    setSave({ kind: 'saving' });
    let answer: Answer | null;
    if (current.parseError) {
      answer = await command({ type: 'saveRaw', text: rawText.current, baseVersion: current.version });
    } else {
      // A cell whose text the server refused would be saved with its older text: say so instead.
      const flushed = await flushAll();
      const refused = (flushed as (Answer | null | undefined)[]).find((a) => a?.type === 'error');
      if (refused?.type === 'error')
        return setSave({ kind: 'error', message: `not saved: an edit was refused (${refused.message})` });
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

  const pending = state?.cells.some((c) => {
    const text = local.current.get(c.id);
    return text !== undefined && text !== c.source;
  });
  const dirty = Boolean(state?.dirty || pending);
  const editable = state ? accessIn(state).edit : false;
  useEffect(() => {
    // Another user's unsaved edits are no concern of the app view's reader.
    if (state) document.title = `${dirty && editable ? '● ' : ''}${path} · Quire`;
  }, [dirty, editable, path, Boolean(state)]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      // The app view has nothing to save: the key is left to the browser.
      if (!isSaveKey(event) || !editable) return;
      event.preventDefault();
      void doSave();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [doSave, editable]);

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

  const banner = (
    <Banners banners={banners} onDismiss={(id) => setBanners((l) => l.filter((b) => b.id !== id))} />
  );
  const access = accessIn(state);
  if (!access.edit)
    return (
      <AppView
        state={state}
        access={access}
        connected={session.connection === 'open'}
        banners={banner}
        runsChanged={runsChanged}
        onParam={setParam}
        onRun={runAll}
        onInterrupt={() => void command({ type: 'interrupt' })}
        onTablePage={onTablePage}
      />
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
      <Toolbar
        path={state.path}
        connected={session.connection === 'open'}
        raw={Boolean(state.parseError)}
        running={running}
        staleCount={state.cells.filter((c) => c.status === 'stale').length}
        save={save}
        dirty={dirty}
        onRunAll={runAll}
        onRunStale={runStale}
        onInterrupt={() => void command({ type: 'interrupt' })}
        onSave={() => void doSave()}
        onRevert={() => void revert()}
      />
      {banner}
      {save.kind === 'conflict' ? (
        <div class="conflict-banner" role="alert">
          <strong>Not saved: this notebook changed on disk since you opened it.</strong> Nothing was
          overwritten; your edits are still here. Copy what you need, then revert to the file as it is on disk
          (this drops your edits here): <RevertButton dirty onRevert={() => void revert()} />
          <div class="muted">{save.message}</div>
        </div>
      ) : null}
      <RunHistory path={state.path} refresh={runsChanged} />
      {state.parseError ? (
        <RawMode state={state} onChange={(text) => (rawText.current = text)} />
      ) : (
        <>
          <ParamsForm
            schema={state.params.schema}
            values={state.params.values}
            onChange={(name, value) => void onParam(name, value)}
          />
          {state.cells.length > 0 ? (
            <AddCellBar
              class="add-top"
              label="Add a cell at the top"
              proseAllowed={canInsertProse(state.cells, 0)}
              onAdd={(language) => void insertAt(0, language)}
            />
          ) : (
            <p class="empty-notebook muted">This notebook is empty: add a first cell.</p>
          )}
          <div class="cells">
            {state.cells.map((cell, index) => (
              <CellView
                key={`${generation}:${cell.id}`}
                cell={cell}
                edited={edited.has(cell.id)}
                eager={index < EAGER_CELLS}
                autoFocus={focus?.id === cell.id ? focus.seq : 0}
                proseBelow={canInsertProse(state.cells, index + 1)}
                onSourceChange={onSourceChange}
                onRun={onRun}
                onMove={move}
                onDelete={remove}
                onInsertAfter={insertAfter}
                onTablePage={onTablePage}
                onRename={rename}
                validateName={validateName}
                namesFor={namesFor}
                onProseDone={onProseDone}
              />
            ))}
          </div>
          <AddCellBar
            class="add-bottom"
            label="Add a cell at the end"
            proseAllowed={canInsertProse(state.cells, state.cells.length)}
            onAdd={(language) => void insertAt(state.cells.length, language)}
          />
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
