/**
 * One cell: prose as rendered Markdown; a code cell as a header (language, name, status slot),
 * its editor and its outputs. Outputs and status will come from the server session (WebSocket);
 * the props are ready for them.
 */
import { useState } from 'preact/hooks';
import type { Output } from '../../outputs/types.js';
import type { Cell } from '../api.js';
import { renderMarkdown } from '../markdown.js';
import { CodeEditor } from './CodeEditor.js';
import { errorLineOf, OutputView } from './outputs/OutputView.js';

/** Run status of a cell (DESIGN §3, issue 3); `idle` until a session reports one. */
export type CellStatus = 'idle' | 'queued' | 'running' | 'ok' | 'error' | 'stale' | 'skipped';

export interface CellViewProps {
  cell: Cell;
  index: number;
  onSourceChange: (index: number, source: string) => void;
  edited?: boolean;
  status?: CellStatus;
  durationMs?: number;
  outputs?: Output[];
  eager?: boolean;
}

export function CellView(props: CellViewProps) {
  const { cell } = props;
  const outputs = props.outputs ?? [];
  const [errorLine, setErrorLine] = useState<number | null>(null);
  const shownErrorLine = errorLine ?? errorLineOf(outputs);

  if (cell.kind === 'prose') {
    return (
      <section
        class="cell prose-cell prose"
        data-cell-id={cell.id}
        dangerouslySetInnerHTML={{ __html: renderMarkdown(cell.source) }}
      />
    );
  }

  const name = cell.attributes.name;
  const status = props.status ?? 'idle';
  return (
    <section
      class={`cell code-cell${props.edited ? ' edited' : ''}`}
      data-cell-id={cell.id}
      data-status={status}
    >
      <header class="cell-header">
        <span class={`cell-lang lang-${cell.language}`}>{cell.language}</span>
        <span class="cell-name">{name ?? cell.id}</span>
        {props.edited ? (
          <span class="cell-edited" title="edited, not saved">
            ●
          </span>
        ) : null}
        <span class="cell-status" data-status={status}>
          {status === 'idle' ? '' : status}
          {props.durationMs !== undefined ? ` · ${Math.round(props.durationMs)} ms` : ''}
        </span>
      </header>
      <CodeEditor
        source={cell.source}
        language={cell.language}
        label={`${cell.language} cell ${name ?? cell.id}`}
        errorLine={shownErrorLine}
        eager={props.eager}
        onChange={(source) => props.onSourceChange(props.index, source)}
      />
      {outputs.length ? (
        <div class="cell-outputs">
          {outputs.map((output, i) => (
            <OutputView key={i} output={output} onErrorLine={setErrorLine} />
          ))}
        </div>
      ) : null}
    </section>
  );
}
