/**
 * A prose cell: rendered Markdown with live `${…}` (its `text/markdown` output while that output
 * belongs to the current text, see prose.ts), edited in place. Double-click, Enter on the focused
 * text or the ✎ button open a Markdown editor; edits go out like a code cell's (`editCell`,
 * debounced by the page). Esc closes it; Shift-Enter (or Ctrl/Cmd-Enter) closes it and, when the
 * text has `${…}`, runs it so the values are filled in again.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { renderMarkdown } from '../markdown.js';
import { MIME, type ErrorData } from '../../protocol/index.js';
import {
  hasInterpolations,
  placeholderRange,
  proseBody,
  proseMarkdown,
  splitProse,
  type ProseFrame,
} from '../prose.js';
import type { SnapshotCell } from '../session.js';
import { CellButtons, type CellActions } from './CellButtons.js';
import { CodeEditor } from './CodeEditor.js';
import { ErrorOutput } from './outputs/OutputView.js';

export interface ProseCellProps extends CellActions {
  cell: SnapshotCell;
  edited?: boolean;
  proseBelow: boolean;
  /** a new value opens the editor (a cell just added, or text asked for next to this one) */
  autoFocus?: number;
}

export function ProseCell(props: ProseCellProps) {
  const { cell } = props;
  const [editing, setEditing] = useState(Boolean(props.autoFocus));
  const rendered = useRef<HTMLDivElement>(null);
  const refocus = useRef(false);
  /** the rendering shown last, kept while a re-run has cleared the outputs */
  const previous = useRef<string | undefined>(undefined);
  /** the editor's text (the cell's source lags it until the debounced edit is sent) */
  const typed = useRef<string | null>(null);
  /** the blank lines around the text, kept out of the editor (taken when it opens) */
  const frame = useRef<ProseFrame>(splitProse(cell.source));

  useEffect(() => {
    if (props.autoFocus) open();
  }, [props.autoFocus]);
  useEffect(() => {
    if (editing || !refocus.current) return;
    refocus.current = false;
    rendered.current?.focus();
  }, [editing]);

  const live = hasInterpolations(cell.source);
  // Blank lines between two code cells are a prose cell too: nothing to show or to tab to.
  const blank = cell.source.trim() === '';
  const shown = proseMarkdown(cell.source, cell.outputs, previous.current);
  if (shown.rendered) previous.current = shown.markdown;

  const errorOutput = cell.outputs.find((o) => o.mime === MIME.error);
  const error =
    (errorOutput?.data as ErrorData | undefined) ?? (cell.status === 'error' ? cell.error : undefined);

  const open = () => {
    frame.current = splitProse(cell.source);
    setEditing(true);
  };
  const framed = (body: string) => frame.current.lead + body + frame.current.trail;

  const done = (source: string, run: boolean) => {
    typed.current = null;
    refocus.current = true;
    setEditing(false);
    props.onProseDone?.(cell.id, source, run);
  };

  return (
    <section
      class={`cell prose-cell${props.edited ? ' edited' : ''}${editing ? ' editing' : ''}`}
      data-cell-id={cell.id}
      data-status={cell.status}
    >
      <header class="cell-header prose-header">
        <span class="spacer" />
        <CellButtons cell={cell} actions={props} proseBelow={props.proseBelow}>
          {live ? (
            <button
              type="button"
              class="cell-run"
              title="Fill in the ${…} values again"
              onClick={() => props.onRun(cell.id, 'inPlace', cell.source)}
            >
              ▶
            </button>
          ) : null}
          <button
            type="button"
            class="cell-edit"
            title={editing ? 'Done editing (Esc)' : 'Edit this text (double-click)'}
            aria-pressed={editing ? 'true' : 'false'}
            onClick={() => (editing ? done(typed.current ?? cell.source, false) : open())}
          >
            ✎
          </button>
        </CellButtons>
      </header>
      {editing ? (
        <CodeEditor
          source={proseBody(cell.source, frame.current)}
          language="markdown"
          label="text cell (Markdown)"
          eager
          autoFocus={props.autoFocus || true}
          select={props.autoFocus ? placeholderRange(proseBody(cell.source, frame.current)) : undefined}
          wrap
          onChange={(body) => {
            typed.current = framed(body);
            props.onSourceChange(cell.id, typed.current);
          }}
          onEscape={(body) => done(framed(body), false)}
          onRun={(_mode, body) => done(framed(body), true)}
        />
      ) : (
        <div
          ref={rendered}
          class={`prose${live && !shown.rendered ? ' unrendered' : ''}${blank ? ' blank' : ''}`}
          tabIndex={blank ? undefined : 0}
          title={blank ? undefined : 'Double-click to edit'}
          onDblClick={open}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && e.target === e.currentTarget) {
              e.preventDefault();
              open();
            }
          }}
          dangerouslySetInnerHTML={{ __html: renderMarkdown(shown.markdown) }}
        />
      )}
      {live && !shown.rendered && !editing && cell.status !== 'running' && cell.status !== 'queued' ? (
        <p class="prose-hint">
          The {'${…}'} values are filled in when this text runs (▶, or Shift-Enter while editing).
        </p>
      ) : null}
      {error ? <ErrorOutput error={error} /> : null}
    </section>
  );
}
