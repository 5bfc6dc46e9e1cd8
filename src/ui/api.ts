/**
 * The editor's connection to the server: today the REST API of `quire serve` (docs/server.md).
 * Every server call of the UI goes through this module, so that the WebSocket protocol
 * (src/protocol/) can replace or extend it without touching the components. No DOM here.
 */
import type { Cell } from '../format/types.js';

export type { Cell, CodeCell, ProseCell } from '../format/types.js';

/** One entry of `GET /api/notebooks`. */
export interface NotebookSummary {
  path: string;
  title?: string;
  tags?: string[];
  mtime?: number | string;
  size?: number;
  version?: string;
  parseError?: ParseErrorInfo;
}

export interface ParseErrorInfo {
  message: string;
  line: number;
  column: number;
}

/** The answer of `GET /api/notebooks/PATH`: cells, or a parse error (the raw mode). */
export interface NotebookDocument {
  path: string;
  text: string;
  version: string;
  cells?: Cell[];
  parseError?: ParseErrorInfo;
}

export type SaveResult =
  | { ok: true; version: string }
  | { ok: false; conflict: true; currentVersion: string | null; message: string };

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

async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(url, { credentials: 'same-origin', signal });
  if (!response.ok) throw await failure(response);
  return (await response.json()) as T;
}

export async function listNotebooks(q = '', signal?: AbortSignal): Promise<NotebookSummary[]> {
  const query = q.trim() ? `?q=${encodeURIComponent(q.trim())}` : '';
  const body = await getJson<{ notebooks: NotebookSummary[] }>(`/api/notebooks${query}`, signal);
  return body.notebooks;
}

export function readNotebook(path: string, signal?: AbortSignal): Promise<NotebookDocument> {
  return getJson<NotebookDocument>(`/api/notebooks/${encodePath(path)}`, signal);
}

/** Saves `text` if the file still has `baseVersion`; a conflict is an answer, not an exception. */
export async function saveNotebook(
  path: string,
  text: string,
  baseVersion: string | null,
): Promise<SaveResult> {
  const response = await fetch(`/api/notebooks/${encodePath(path)}`, {
    method: 'PUT',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text, baseVersion }),
  });
  if (response.status === 409) {
    const body = (await response.json()) as { message?: string; currentVersion?: string | null };
    return {
      ok: false,
      conflict: true,
      currentVersion: body.currentVersion ?? null,
      message: body.message ?? 'the notebook changed on disk since it was read',
    };
  }
  if (!response.ok) throw await failure(response);
  const body = (await response.json()) as { version: string };
  return { ok: true, version: body.version };
}
