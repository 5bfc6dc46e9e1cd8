/**
 * A notebook as an app (issue 10), for a user who may not edit it (the snapshot's `access`): its
 * title, the prose, the params form (editable only with `execute`), Run (Run all with those
 * params) and Interrupt, each code cell's outputs in order, and the run history with its reports.
 * No code, no editor, nothing that adds, moves, renames, saves or reverts: what is not here
 * cannot be pressed, and the server's gate refuses the commands anyway.
 *
 * It only shows state and calls back; the page (NotebookPage) owns the session and sends.
 */
import type { ComponentChildren } from 'preact';
import { useRef } from 'preact/hooks';
import { MIME, type ErrorData, type Output } from '../../protocol/index.js';
import { renderMarkdown } from '../markdown.js';
import { proseMarkdown } from '../prose.js';
import type { Snapshot, SnapshotAccess, SnapshotCell } from '../session.js';
import { ErrorOutput, OutputView } from './outputs/OutputView.js';
import type { PageAnswer, PageRequest } from './outputs/TableOutput.js';
import { ParamsForm, type ParamValue } from './ParamsForm.js';
import { RunHistory } from './RunHistory.js';
import './AppView.css';

export interface AppViewProps {
  state: Snapshot;
  access: SnapshotAccess;
  connected: boolean;
  /** the page's banners (server errors), shown under the bar */
  banners: ComponentChildren;
  /** any change reloads the run history */
  runsChanged: number;
  onParam: (name: string, value: ParamValue) => void;
  onRun: () => void;
  onInterrupt: () => void;
  onTablePage: (cellId: string, outputIndex: number, request: PageRequest) => Promise<PageAnswer | null>;
}

const busy = (cell: SnapshotCell): boolean => cell.status === 'running' || cell.status === 'queued';

export function AppView(props: AppViewProps) {
  const { state, access } = props;
  const running = state.cells.some(busy);
  const stale = state.cells.some((c) => c.status === 'stale');
  return (
    <main class="notebook-page app-view" data-view="app">
      <div class="toolbar app-bar">
        <a href="/" class="back">
          ← Notebooks
        </a>
        <span class="nb-title">{state.title ?? state.path}</span>
        {state.title ? <span class="nb-path">{state.path}</span> : null}
        {props.connected ? null : <span class="connection">reconnecting…</span>}
        <span class="spacer" />
        {access.execute && !state.parseError ? (
          <>
            <button type="button" class="app-run" onClick={props.onRun} disabled={running}>
              {running ? 'Running…' : 'Run'}
            </button>
            <button type="button" class="interrupt" onClick={props.onInterrupt} disabled={!running}>
              Interrupt
            </button>
          </>
        ) : null}
      </div>
      <ReadOnlyBanner access={access} />
      {props.banners}
      {state.parseError ? (
        <p class="parse-error">
          This notebook does not parse (line {state.parseError.line}): someone who may edit it has to fix its
          text.
        </p>
      ) : (
        <>
          <ParamsForm
            schema={state.params.schema}
            values={state.params.values}
            readOnly={!access.execute}
            onChange={props.onParam}
          />
          {access.execute && stale && !running ? (
            <p class="app-stale muted" data-testid="app-stale">
              Some outputs are out of date (the params changed, or the notebook did): Run to update them.
            </p>
          ) : null}
          <div class="app-cells">
            {state.cells.map((cell) =>
              cell.kind === 'prose' ? (
                <AppProse key={cell.id} cell={cell} />
              ) : (
                <AppOutputs key={cell.id} cell={cell} onTablePage={props.onTablePage} />
              ),
            )}
          </div>
        </>
      )}
      <RunHistory path={state.path} refresh={props.runsChanged} showLatest={!access.execute} />
    </main>
  );
}

/**
 * Why there is no editor: a lock (`quire notebooks lock`: nobody may edit until it is lifted, so
 * asking for a role or a grant would not help) or the user's role or grants; then what they may do.
 */
function ReadOnlyBanner({ access }: { access: SnapshotAccess }) {
  const may = access.execute ? 'you may change the params and run it' : 'you may read it and its runs';
  return (
    <p
      class={`read-only-banner${access.locked ? ' locked' : ''}`}
      role="note"
      data-testid="read-only"
      data-reason={access.locked ? 'locked' : 'access'}
    >
      {access.locked
        ? `This notebook is locked read-only: nobody may edit it until it is unlocked; ${may}.`
        : access.execute
          ? 'You can view and run this notebook (change its params, press Run); your role or grants do not allow editing it.'
          : 'You can view this notebook and its runs; your role or grants do not allow running or editing it.'}
    </p>
  );
}

/** A prose cell as rendered text, with its `${…}` values once it ran (as ProseCell, not editable). */
function AppProse({ cell }: { cell: SnapshotCell }) {
  /** the rendering shown last, kept while a re-run has cleared the outputs */
  const previous = useRef<string | undefined>(undefined);
  if (cell.source.trim() === '') return null;
  const shown = proseMarkdown(cell.source, cell.outputs, previous.current);
  if (shown.rendered) previous.current = shown.markdown;
  const error = cell.outputs.find((o) => o.mime === MIME.error)?.data as ErrorData | undefined;
  return (
    <section class="cell prose-cell app-prose" data-cell-id={cell.id} data-status={cell.status}>
      <div class="prose" dangerouslySetInnerHTML={{ __html: renderMarkdown(shown.markdown) }} />
      {error ? <ErrorOutput error={error} /> : null}
    </section>
  );
}

/** A code cell's outputs (and its error), without its code; a cell with nothing to show is left out. */
function AppOutputs({ cell, onTablePage }: { cell: SnapshotCell; onTablePage: AppViewProps['onTablePage'] }) {
  const outputs = cell.outputs as Output[];
  const errorInOutputs = outputs.some((o) => o.mime === MIME.error);
  const error = cell.status === 'error' && !errorInOutputs ? cell.error : undefined;
  if (outputs.length === 0 && !error && !busy(cell)) return null;
  return (
    <section class="cell app-output" data-cell-id={cell.id} data-status={cell.status}>
      {busy(cell) && outputs.length === 0 ? <p class="muted app-running">{cell.status}…</p> : null}
      <div class="cell-outputs">
        {outputs.map((output, i) => (
          <OutputView key={i} output={output} fetchPage={(request) => onTablePage(cell.id, i, request)} />
        ))}
        {error ? <ErrorOutput error={error} /> : null}
      </div>
    </section>
  );
}
