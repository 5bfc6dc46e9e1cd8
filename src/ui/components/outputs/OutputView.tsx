/**
 * Renders one output by MIME type (src/outputs/types.ts). HTML comes sanitized from the server
 * and is shown in a sandboxed iframe (HtmlFrame: an opaque origin, never the editor's); SVG goes
 * through an <img> so that nothing in it can run; Markdown is rendered inline through the editor's
 * sanitizer (it is prose, styled as the page). Unknown types show their JSON, never nothing.
 */
import {
  MIME,
  type ErrorData,
  type Output,
  type StreamData,
  type TableData,
} from '../../../protocol/index.js';
import { renderMarkdown } from '../../markdown.js';
import { HtmlFrame } from './HtmlFrame.js';
import { TableOutput, type FetchPage } from './TableOutput.js';
import { VegaOutput } from './VegaOutput.js';

export interface OutputViewProps {
  output: Output;
  /** an error's line was clicked: show it in the editor */
  onErrorLine?: (line: number) => void;
  /** pages of a table output from the server (a notebook page; not the fixtures) */
  fetchPage?: FetchPage;
}

export function ErrorOutput({
  error,
  onErrorLine,
}: {
  error: ErrorData;
  onErrorLine?: (line: number) => void;
}) {
  return (
    <div class="output-error" role="alert">
      <div class="error-head">
        <strong>{error.name}</strong>: {error.message}
        {error.line !== undefined ? (
          <button type="button" class="error-line" onClick={() => onErrorLine?.(error.line as number)}>
            line {error.line}
            {error.column !== undefined ? `:${error.column}` : ''}
          </button>
        ) : null}
      </div>
      {error.stack ? (
        <details>
          <summary>stack</summary>
          <pre>{error.stack}</pre>
        </details>
      ) : null}
    </div>
  );
}

export function OutputView({ output, onErrorLine, fetchPage }: OutputViewProps) {
  const { mime, data } = output;
  switch (mime) {
    case MIME.text:
      return <pre class="output-text">{String(data)}</pre>;
    case MIME.html:
      return <HtmlFrame html={String(data)} />;
    case MIME.markdown:
      return (
        <div
          class="output-markdown prose"
          dangerouslySetInnerHTML={{ __html: renderMarkdown(String(data)) }}
        />
      );
    case MIME.json:
      return <pre class="output-json">{JSON.stringify(data, null, 2)}</pre>;
    case MIME.table:
      return <TableOutput data={data as TableData} fetchPage={fetchPage} />;
    case MIME.vegalite:
      return <VegaOutput spec={data} />;
    case MIME.svg:
      return (
        <img
          class="output-svg"
          alt="SVG output"
          src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(String(data))}`}
        />
      );
    case MIME.stream: {
      const stream = data as StreamData;
      return <pre class={`output-stream ${stream.name}`}>{stream.text}</pre>;
    }
    case MIME.error:
      return <ErrorOutput error={data as ErrorData} onErrorLine={onErrorLine} />;
    default:
      return (
        <pre class="output-unknown">
          {mime}: {JSON.stringify(data, null, 2)}
        </pre>
      );
  }
}

/** The error line a cell's outputs point at (the first error with a line), for the editor mark. */
export function errorLineOf(outputs: readonly Output[]): number | null {
  for (const output of outputs) {
    if (output.mime === MIME.error) {
      const line = (output.data as ErrorData).line;
      if (line !== undefined) return line;
    }
  }
  return null;
}
