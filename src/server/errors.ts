/**
 * How failures become HTTP answers: always JSON `{error, message}` with a stable `error` code,
 * never a stack trace. Services throw their own typed errors; only this file knows their statuses.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { PathError } from './paths.js';
import { NotFoundError } from './workspace-files.js';

/** An error a handler raises on purpose, with its status and code. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ErrorBody {
  error: string;
  message: string;
}

/** The status and body for any thrown value; unknown errors are reported to `log` and hidden. */
export function describeError(
  error: unknown,
  log: (error: unknown) => void,
): { status: ContentfulStatusCode; body: ErrorBody } {
  if (error instanceof HttpError)
    return { status: error.status, body: { error: error.code, message: error.message } };
  if (error instanceof PathError) {
    const status = error.reason === 'outside' ? 403 : 400;
    return {
      status,
      body: { error: error.reason === 'outside' ? 'forbidden-path' : 'invalid-path', message: error.message },
    };
  }
  if (error instanceof NotFoundError)
    return { status: 404, body: { error: 'not-found', message: error.message } };
  log(error);
  return { status: 500, body: { error: 'internal', message: 'internal server error' } };
}

export const errorResponse = (
  c: Context,
  status: ContentfulStatusCode,
  error: string,
  message: string,
): Response => c.json({ error, message } satisfies ErrorBody, status);
