/**
 * The raw mode of a notebook that does not parse: its whole text in one Markdown editor, the
 * error's line marked; the page saves it with `saveRaw` and reopens it as cells once it parses.
 */
import type { Snapshot } from '../session.js';
import { CodeEditor } from './CodeEditor.js';

export function RawMode({ state, onChange }: { state: Snapshot; onChange: (text: string) => void }) {
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
