/**
 * `GET /runs/:id`: one run as a page, the target of an alert's link (`<baseUrl>/runs/<id>`,
 * jobs/alerts.ts). It names the run and its notebook, says how it ended and why, links to the
 * notebook in the editor (`/n/PATH`, where the run history is) and shows the run's report in a
 * sandboxed frame. Server-rendered, no script (the editor's CSP applies); every value escaped.
 *
 * The link is opened from a chat or a mail, so the first request is a cross-site navigation,
 * and the session cookie is SameSite=Strict: the browser does not send it then. Without a
 * session the answer is a page that reloads itself once (`?again`): that reload comes from this
 * origin, so the cookie goes with it. Still no session: a page that says how to log in. Neither
 * names anything about the run beyond the id the link already holds.
 */
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { escapeHtml } from '../../outputs/escape.js';
import type { StoredRun } from '../../store/types.js';
import type { ServerDeps, ServerEnv } from '../deps.js';

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;max-width:64rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem;margin:0 0 .25rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}
dt{color:#666}dd{margin:0}.status{font-weight:600}.status-ok{color:#176f2c}.status-error,.status-timeout{color:#b3261e}
pre{white-space:pre-wrap;background:#fbeeee;padding:.5rem;border-radius:4px}
iframe{width:100%;height:70vh;border:1px solid #ccc;border-radius:4px;margin-top:1rem}`;

function page(title: string, body: string, head = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">${head}<title>${escapeHtml(title)}</title>
<style>${STYLE}</style></head><body>${body}</body></html>`;
}

const time = (ms: number | undefined): string => (ms === undefined ? '—' : new Date(ms).toISOString());

function duration(ms: number | undefined): string {
  if (ms === undefined) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** `/n/reports/q1.nb.md`, each segment encoded as the editor's router decodes it */
const editorUrl = (path: string): string => `/n/${path.split('/').map(encodeURIComponent).join('/')}`;

export function runPage(run: StoredRun): string {
  const id = encodeURIComponent(run.id);
  const name = run.title ?? run.path;
  const rows: [string, string][] = [
    ['notebook', `<a href="${escapeHtml(editorUrl(run.path))}">${escapeHtml(run.path)}</a>`],
    ['status', `<span class="status status-${escapeHtml(run.status)}">${escapeHtml(run.status)}</span>`],
    ['trigger', escapeHtml(run.trigger)],
    ['attempt', `${run.attempt} of ${run.maxAttempts}`],
    ['started', time(run.startedAt)],
    ['finished', time(run.finishedAt)],
    ['duration', duration(run.durationMs)],
    ['params', `<code>${escapeHtml(JSON.stringify(run.params))}</code>`],
  ];
  if (run.worker) rows.push(['worker', escapeHtml(run.worker)]);
  const report = run.recordSha256
    ? `<p><a href="/api/runs/${id}/report" target="_blank" rel="noopener">Open the report</a> ·
<a href="/api/runs/${id}">the run as JSON</a></p>
<iframe sandbox="" src="/api/runs/${id}/report" title="Report of ${escapeHtml(run.id)}"></iframe>`
    : `<p>There is no report yet: the run is ${escapeHtml(run.status)}.</p>`;
  const body = `<h1>${escapeHtml(name)}</h1>
<p>Run <code data-run-id>${escapeHtml(run.id)}</code></p>
<dl>${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>
${run.error ? `<pre>${escapeHtml(run.error)}</pre>` : ''}
${report}`;
  return page(`${run.id} · ${name} · Quire`, body);
}

function loginPage(id: string): string {
  return page(
    'Log in · Quire',
    `<h1>Log in to see run <code>${escapeHtml(id)}</code></h1>
<p>This browser has no session on this Quire server. Open the login URL that <code>quire serve</code>
printed when it started (a restart prints a new one), then
<a href="/runs/${encodeURIComponent(id)}">open this run again</a>.</p>`,
  );
}

function reloadPage(id: string): string {
  const again = `/runs/${encodeURIComponent(id)}?again`;
  return page(
    'Opening the run · Quire',
    `<p>Opening run <code>${escapeHtml(id)}</code>… <a href="${again}">Open it</a></p>`,
    `<meta http-equiv="refresh" content="0;url=${again}">`,
  );
}

const html = (c: Context, status: ContentfulStatusCode, text: string) =>
  c.html(text, status, { 'cache-control': 'no-store' }) as Response;

/**
 * The page's refusals, given to the gate (access.ts): without a session the reload-once page
 * (then the login page), without the right a page saying so. Neither names more than the id.
 */
export function runPageRefusal(
  c: Context,
  status: 401 | 403,
  req: { params: Readonly<Record<string, string>> },
): Response {
  const id = req.params.id ?? '';
  if (status === 403) return html(c, 403, page('Forbidden · Quire', '<h1>You may not read this run</h1>'));
  return html(c, 401, c.req.query('again') === undefined ? reloadPage(id) : loginPage(id));
}

export function runPageRoutes(deps: ServerDeps): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();
  routes.get('/:id', async (c) => {
    const id = c.req.param('id');
    const run = await deps.store.get(id);
    if (!run)
      return html(c, 404, page('No such run · Quire', `<h1>No run <code>${escapeHtml(id)}</code></h1>`));
    return html(c, 200, runPage(run));
  });
  return routes;
}
