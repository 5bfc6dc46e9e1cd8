/**
 * The REST part of the editor's connection to `quire serve` (docs/server.md): the notebook list.
 * A notebook itself is opened, edited, run and saved over the WebSocket (session.ts). No DOM here.
 * Every state-changing request goes through `send`, which carries the session's CSRF token
 * (`X-Quire-CSRF`, src/server/csrf.ts), asked once from `GET /api/csrf` and asked again when the
 * server says it is not the session's (a new login in another tab).
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

/** The header the server checks (src/server/csrf.ts `CSRF_HEADER`). */
export const CSRF_HEADER = 'X-Quire-CSRF';

let csrf: Promise<string | null> | undefined;

/** This session's CSRF token (null: not logged in); kept until `fresh` asks again. */
export function csrfToken(fresh = false): Promise<string | null> {
  if (fresh || !csrf) {
    csrf = getJson<{ token: string | null }>('/api/csrf').then(
      (body) => body.token,
      (error: unknown) => {
        csrf = undefined;
        throw error;
      },
    );
  }
  return csrf;
}

/**
 * A state-changing request (POST, PUT, DELETE, PATCH) with a JSON body, if any, and the CSRF
 * token; the JSON answer, or undefined for 204. Refused as `csrf` once (the session changed): the
 * token is asked again and the request sent once more.
 */
export async function send<T>(
  method: 'POST' | 'PUT' | 'DELETE' | 'PATCH',
  url: string,
  body?: unknown,
): Promise<T | undefined> {
  const attempt = async (token: string | null): Promise<Response> =>
    fetch(url, {
      method,
      credentials: 'same-origin',
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { [CSRF_HEADER]: token } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  let response = await attempt(await csrfToken());
  if (response.status === 403) {
    const code = (
      (await response
        .clone()
        .json()
        .catch(() => ({}))) as { error?: string }
    ).error;
    if (code === 'csrf') response = await attempt(await csrfToken(true));
  }
  if (!response.ok) throw await failure(response);
  return response.status === 204 ? undefined : ((await response.json()) as T);
}

/** Ends this browser's login (POST /api/logout). */
export const logout = (): Promise<void> => send<void>('POST', '/api/logout').then(() => undefined);
