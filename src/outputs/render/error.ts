/** An error (ErrorData) as a styled box: "TypeError at line 3: message", the stack folded away. */
import { escapeHtml } from '../escape.js';
import type { ErrorData } from '../types.js';

export function renderError(error: ErrorData): string {
  const where = error.line === undefined ? '' : ` at line ${error.line}`;
  // Multi-line messages (DuckDB's `LINE 3: … ^` caret) keep their lines and alignment.
  const message = error.message.includes('\n')
    ? `<pre class="q-error-message">${escapeHtml(error.message)}</pre>`
    : escapeHtml(error.message);
  const head = `<p class="q-error-head"><strong>${escapeHtml(error.name || 'Error')}${where}</strong>: ${message}</p>`;
  const stack = error.stack
    ? `<details class="q-stack"><summary>Stack trace</summary><pre>${escapeHtml(error.stack)}</pre></details>`
    : '';
  return `<div class="q-error" role="alert">${head}${stack}</div>`;
}
