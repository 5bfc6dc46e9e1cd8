/** Query parameters the listing routes share, checked the same way (a bad one is a 400 naming it). */
import { HttpError } from '../errors.js';

/** `limit`: a whole number from 1 to `max`; `fallback` when absent or empty. */
export function parseLimit(
  text: string | undefined,
  { fallback, max }: { fallback: number; max: number },
): number {
  if (text === undefined || text === '') return fallback;
  const limit = Number(text);
  if (!/^\d+$/.test(text) || limit < 1 || limit > max)
    throw new HttpError(400, 'bad-request', `limit: expected a whole number from 1 to ${max}`);
  return limit;
}
