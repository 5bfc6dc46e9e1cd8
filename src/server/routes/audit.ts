/**
 * `GET /api/audit`: the audit log for admins (the gate allows only `admin`). Read-only: there is no
 * route that changes or removes an entry (docs/security.md#audit-log).
 */
import { Hono } from 'hono';
import type { AuditList } from '../../protocol/api.js';
import type { AuditAccess, ServerEnv } from '../deps.js';
import { HttpError } from '../errors.js';
import { parseLimit } from './query.js';

const LIMIT = { fallback: 100, max: 1000 };

function parseSince(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const ms = Date.parse(text);
  if (!Number.isFinite(ms))
    throw new HttpError(400, 'bad-request', `since: expected an ISO 8601 time, got ${JSON.stringify(text)}`);
  return ms;
}

export function auditRoutes(audit: AuditAccess): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();
  routes.get('/', async (c) => {
    const since = parseSince(c.req.query('since'));
    const user = c.req.query('user');
    const event = c.req.query('event');
    // What happened before this request is in the answer, not still in the writer's queue.
    await audit.flush();
    const entries = await audit.log.list({
      limit: parseLimit(c.req.query('limit'), LIMIT),
      ...(since !== undefined ? { since } : {}),
      ...(user ? { user } : {}),
      ...(event ? { event } : {}),
    });
    return c.json({ entries } satisfies AuditList);
  });
  return routes;
}
