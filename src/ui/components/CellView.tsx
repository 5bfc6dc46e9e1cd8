/**
 * One cell of the server session. Prose is ProseCell (rendered, edited in place); a code cell is a
 * header (language, name renamed in place, status badge with duration, run / add / move / delete
 * buttons), its editor (with completion of the notebook's names) and its live outputs. An error
 * with a line marks that line in the editor.
 */
import { useMemo, useState } from 'preact/hooks';
import { MIME, type Output } from '../../protocol/index.js';
import { CELL_LANGUAGES } from '../../protocol/index.js';
import { notebookCompletion } from '../completion/source.js';
import type { SnapshotCell } from '../session.js';
import { CellButtons, type CellActions } from './CellButtons.js';
import { CellName } from './CellName.js';
import { CodeEditor } from './CodeEditor.js';
import { ErrorOutput, errorLineOf, OutputView } from './outputs/OutputView.js';
import { ProseCell } from './ProseCell.js';

export type { CellActions } from './CellButtons.js';

/** Run status of a cell (DESIGN §3, issue 3); `idle` until it runs. */
export type CellStatus = SnapshotCell['status'];

export interface CellViewProps extends CellActions {
  cell: SnapshotCell;
  edited?: boolean;
  eager?: boolean;
  /** may a prose cell be added right below (not next to another prose cell) */
  proseBelow?: boolean;
  /** a new value focuses the cell's editor (prose: opens it), e.g. a cell this client just added */
  autoFocus?: number;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function statusText(cell: SnapshotCell): string {
  if (cell.status === 'idle') return '';
  if (cell.status === 'skipped' && cell.skippedBecause) return `skipped (upstream ${cell.skippedBecause})`;
  return cell.status;
}

export function CellView(props: CellViewProps) {
  if (props.cell.kind === 'prose') return <ProseCell {...props} proseBelow={props.proseBelow ?? false} />;
  return <CodeCell {...props} />;
}

function CodeCell(props: CellViewProps) {
  const { cell, namesFor } = props;
  const outputs: Output[] = cell.outputs as Output[];
  const [clickedLine, setClickedLine] = useState<number | null>(null);
  const [renaming, setRenaming] = useState(false);
  const language = cell.language ?? 'ts';
  const completion = useMemo(
    () => (namesFor ? notebookCompletion(language, () => namesFor(cell.id)) : undefined),
    [language, cell.id, namesFor],
  );
  const { onRename, validateName } = props;

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
        {onRename ? (
          <CellName
            cell={cell}
            editing={renaming}
            setEditing={setRenaming}
            validate={(name) => validateName?.(cell.id, name) ?? null}
            onRename={(name) => onRename(cell.id, name)}
          />
        ) : (
          <span class="cell-name">{cell.name ?? cell.id}</span>
        )}
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
        <CellButtons cell={cell} actions={props} proseBelow={props.proseBelow ?? false} />
      </header>
      <CodeEditor
        source={cell.source}
        language={CELL_LANGUAGES[language].editor}
        label={`${language} cell ${cell.name ?? cell.id}`}
        errorLine={errorLine}
        eager={props.eager}
        autoFocus={props.autoFocus}
        completion={completion}
        onChange={(source) => props.onSourceChange(cell.id, source)}
        onRun={(mode, source) => props.onRun(cell.id, mode, source)}
        onRename={onRename ? () => setRenaming(true) : undefined}
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
