/**
 * The REST part of the editor's connection to `quire serve` (docs/server.md): the notebook list.
 * A notebook itself is opened, edited, run and saved over the WebSocket (session.ts). No DOM here.
 * Types only from the protocol (erased at build): no schema is built before strict-csp.ts runs.
 */

import type { NotebookList, NotebookSummary, ParseErrorInfo } from '../protocol/api.js';

// The bodies are the protocol's (src/protocol/api.ts), as the server's routes use them.
export type { NotebookSummary, ParseErrorInfo };

/** A failed request, with the server's `{error, message}` when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Encodes a workspace path for the URL, segment by segment (the server decodes once). */
export const encodePath = (path: string): string => path.split('/').map(encodeURIComponent).join('/');

async function failure(response: Response): Promise<ApiError> {
  let code = 'http-' + response.status;
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = (await response.json()) as { error?: string; message?: string };
    if (body.error) code = body.error;
    if (body.message) message = body.message;
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(response.status, code, message);
}

/** GET a JSON answer; a non-2xx status becomes an ApiError with the server's code and message. */
export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(url, { credentials: 'same-origin', signal });
  if (!response.ok) throw await failure(response);
  return (await response.json()) as T;
}

export async function listNotebooks(q = '', signal?: AbortSignal): Promise<NotebookSummary[]> {
  const query = q.trim() ? `?q=${encodeURIComponent(q.trim())}` : '';
  const body = await getJson<NotebookList>(`/api/notebooks${query}`, signal);
  return body.notebooks;
}
