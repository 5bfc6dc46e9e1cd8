/**
 * The alert webhook (HTTP): the JSON bodies of `failure` and `recovered` alerts, and one POST of
 * such a body with what a failed POST means for a retry. The retry loop, logging and metrics are
 * alerts.ts's; the webhook URL (a credential) never appears in what this module returns.
 */
import { SecretRedactor } from '../secrets/redactor.js';
import type { StoredRun } from '../store/types.js';
import type { AlertConfig } from './alert-config.js';

/** Longest error text sent: the error is one line, but a line can hold a whole stack. */
const MAX_ERROR = 2000;
const MAX_RETRY_AFTER_MS = 60_000;

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/** One POST's result. */
export type PostResult = { ok: true } | { ok: false; retry: boolean; reason: string; retryAfterMs?: number };

/** `Retry-After` in seconds or as an HTTP date, capped; undefined when absent or unreadable. */
function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const ms = /^\d+$/.test(header.trim()) ? Number(header.trim()) * 1000 : Date.parse(header) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS) : undefined;
}

/**
 * A redactor of the webhook URL in the forms an HTTP client's error may quote it: as configured,
 * as parsed (lowercased host, a "/" added), and its credential parts on their own (the password of
 * its userinfo, its path and query, where Slack-like URLs keep their token).
 */
export function webhookRedactor(url: string): SecretRedactor {
  const redactor = new SecretRedactor();
  redactor.register(url);
  try {
    const parsed = new URL(url);
    redactor.register(parsed.href);
    if (parsed.password) {
      redactor.register(parsed.password);
      redactor.register(decodeURIComponent(parsed.password));
    }
    const tail = parsed.pathname + parsed.search;
    if (tail !== '/' && tail !== '') redactor.register(tail);
  } catch {
    // not a URL: the configured text is all there is to hide
  }
  return redactor;
}

/** The webhook's origin: enough to tell which service is down, without the token in its path. */
export function webhookLabel(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'webhook';
  }
}

function link(run: StoredRun, baseUrl: string | undefined): string | null {
  return baseUrl ? `${baseUrl}/runs/${encodeURIComponent(run.id)}` : null;
}

function common(run: StoredRun, baseUrl: string | undefined) {
  return {
    notebook: { path: run.path, title: run.title ?? null },
    run: {
      id: run.id,
      status: run.status,
      trigger: run.trigger,
      attempt: run.attempt,
      startedAt: iso(run.startedAt),
      finishedAt: iso(run.finishedAt),
    },
    link: link(run, baseUrl),
  };
}

export function failurePayload(
  run: StoredRun,
  baseUrl: string | undefined,
  error: string,
  fingerprint: string,
  repeats: number,
  now: number,
) {
  const text = error.length > MAX_ERROR ? `${error.slice(0, MAX_ERROR)}…` : error;
  const url = link(run, baseUrl);
  return {
    kind: 'failure' as const,
    // `text` lets Slack, Mattermost and Teams-style webhooks show the alert without a bridge
    text: `Quire: ${run.title ?? run.path} failed (${run.status}): ${text}${url ? ` ${url}` : ''}`,
    ...common(run, baseUrl),
    error: text,
    fingerprint,
    /** failures with this fingerprint deduplicated since its previous alert */
    repeats,
    sentAt: iso(now),
  };
}

export function recoveredPayload(
  run: StoredRun,
  baseUrl: string | undefined,
  failingSince: number,
  now: number,
) {
  const url = link(run, baseUrl);
  return {
    kind: 'recovered' as const,
    text: `Quire: ${run.title ?? run.path} recovered (failing since ${iso(failingSince)})${url ? ` ${url}` : ''}`,
    ...common(run, baseUrl),
    failingSince: iso(failingSince),
    sentAt: iso(now),
  };
}

/** POSTs `body` once; never throws. */
export async function postAlert(
  fetch: typeof globalThis.fetch,
  config: Pick<AlertConfig, 'url' | 'timeoutMs'>,
  body: string,
  now: () => number,
): Promise<PostResult> {
  try {
    const response = await fetch(config.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'quire-alerts' },
      body,
      signal: AbortSignal.timeout(config.timeoutMs),
      // a redirected POST would arrive as a GET without its body: report it instead
      redirect: 'manual',
    });
    await response.body?.cancel().catch(() => undefined);
    if (response.ok) return { ok: true };
    const retry = response.status === 429 || response.status >= 500;
    const after = retry ? retryAfterMs(response.headers.get('retry-after'), now()) : undefined;
    return {
      ok: false,
      retry,
      reason: `HTTP ${response.status}`,
      ...(after !== undefined ? { retryAfterMs: after } : {}),
    };
  } catch (error) {
    const e = error as Error & { cause?: { code?: string; message?: string } };
    const reason =
      e.name === 'TimeoutError'
        ? `no response within ${config.timeoutMs} ms`
        : (e.cause?.code ?? e.cause?.message ?? e.message);
    // never let the URL (a credential) into a log line through an error message
    return { ok: false, retry: true, reason: webhookRedactor(config.url).redact(reason) };
  }
}
