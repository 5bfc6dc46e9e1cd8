/**
 * One cell of the server session: prose as rendered Markdown; a code cell as a header (language,
 * name, status badge with duration, run / move / delete buttons), its editor and its live outputs.
 * An error with a line marks that line in the editor.
 */
import { useState } from 'preact/hooks';
import { MIME, type Output } from '../../outputs/types.js';
import type { SnapshotCell } from '../session.js';
import { renderMarkdown } from '../markdown.js';
import { CodeEditor } from './CodeEditor.js';
import { ErrorOutput, errorLineOf, OutputView } from './outputs/OutputView.js';
import type { PageAnswer, PageRequest } from './outputs/TableOutput.js';

/** Run status of a cell (DESIGN §3, issue 3); `idle` until it runs. */
export type CellStatus = SnapshotCell['status'];

export interface CellActions {
  onSourceChange: (cellId: string, source: string) => void;
  onRun: (cellId: string, mode: 'next' | 'inPlace', source: string) => void;
  onMove: (cellId: string, delta: -1 | 1) => void;
  onDelete: (cellId: string) => void;
  onInsertAfter: (cellId: string, language: 'ts' | 'prose') => void;
  /** a page of the cell's table output number `outputIndex`, from the server */
  onTablePage?: (cellId: string, outputIndex: number, request: PageRequest) => Promise<PageAnswer | null>;
}

export interface CellViewProps extends CellActions {
  cell: SnapshotCell;
  edited?: boolean;
  eager?: boolean;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function statusText(cell: SnapshotCell): string {
  if (cell.status === 'idle') return '';
  if (cell.status === 'skipped' && cell.skippedBecause) return `skipped (upstream ${cell.skippedBecause})`;
  return cell.status;
}

function CellButtons({ cell, actions }: { cell: SnapshotCell; actions: CellActions }) {
  return (
    <span class="cell-buttons">
      <button
        type="button"
        class="cell-add"
        title="Add a code cell below"
        onClick={() => actions.onInsertAfter(cell.id, 'ts')}
      >
        +
      </button>
      <button
        type="button"
        class="cell-add-prose"
        title="Add a text cell below"
        onClick={() => actions.onInsertAfter(cell.id, 'prose')}
      >
        ¶
      </button>
      <button type="button" class="cell-up" title="Move up" onClick={() => actions.onMove(cell.id, -1)}>
        ↑
      </button>
      <button type="button" class="cell-down" title="Move down" onClick={() => actions.onMove(cell.id, 1)}>
        ↓
      </button>
      <button type="button" class="cell-delete" title="Delete cell" onClick={() => actions.onDelete(cell.id)}>
        ✕
      </button>
    </span>
  );
}

export function CellView(props: CellViewProps) {
  const { cell } = props;
  const outputs: Output[] = cell.outputs as Output[];
  const [clickedLine, setClickedLine] = useState<number | null>(null);

  if (cell.kind === 'prose') {
    return (
      <section class="cell prose-cell" data-cell-id={cell.id}>
        <header class="cell-header prose-header">
          <span class="spacer" />
          <CellButtons cell={cell} actions={props} />
        </header>
        <div class="prose" dangerouslySetInnerHTML={{ __html: renderMarkdown(cell.source) }} />
      </section>
    );
  }

  const language = cell.language ?? 'ts';
  const errorInOutputs = outputs.some((o) => o.mime === MIME.error);
  const errorLine =
    cell.status === 'error' ? (clickedLine ?? errorLineOf(outputs) ?? cell.error?.line ?? null) : clickedLine;
  return (
    <section
      class={`cell code-cell${props.edited ? ' edited' : ''}`}
      data-cell-id={cell.id}
      data-status={cell.status}
    >
      <header class="cell-header">
        <span class={`cell-lang lang-${language}`}>{language}</span>
        <span class="cell-name">{cell.name ?? cell.id}</span>
        {props.edited ? (
          <span class="cell-edited" title="edited, not saved">
            ●
          </span>
        ) : null}
        <span class="cell-status" data-status={cell.status}>
          {statusText(cell)}
        </span>
        {cell.durationMs !== undefined ? (
          <span class="cell-duration">{formatDuration(cell.durationMs)}</span>
        ) : null}
        <span class="spacer" />
        <button
          type="button"
          class="cell-run"
          title="Run this cell and its dependents (Shift-Enter)"
          onClick={() => props.onRun(cell.id, 'inPlace', cell.source)}
        >
          ▶
        </button>
        <CellButtons cell={cell} actions={props} />
      </header>
      <CodeEditor
        source={cell.source}
        language={language}
        label={`${language} cell ${cell.name ?? cell.id}`}
        errorLine={errorLine}
        eager={props.eager}
        onChange={(source) => props.onSourceChange(cell.id, source)}
        onRun={(mode, source) => props.onRun(cell.id, mode, source)}
      />
      {outputs.length || (cell.error && !errorInOutputs) ? (
        <div class="cell-outputs">
          {outputs.map((output, i) => (
            <OutputView
              key={i}
              output={output}
              onErrorLine={setClickedLine}
              fetchPage={
                props.onTablePage
                  ? (request) => props.onTablePage?.(cell.id, i, request) ?? Promise.resolve(null)
                  : undefined
              }
            />
          ))}
          {cell.error && !errorInOutputs && cell.status === 'error' ? (
            <ErrorOutput error={cell.error} onErrorLine={setClickedLine} />
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
