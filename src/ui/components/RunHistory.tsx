/**
 * The notebook's run history (`GET /api/runs?path=`): every recorded run, `quire run`'s and the
 * editor's Run all alike, newest first, with its status, trigger, start, duration and the line
 * saying why it failed. A row opens its report below the list, in an iframe sandboxed without
 * scripts (the server also sends the report with a sandboxing policy), or in a new tab.
 *
 * Folded until opened; then it loads, and again whenever `refresh` changes (the page bumps it on
 * the server's `runRecorded`) or Refresh is pressed (a `quire run` elsewhere sends no notification).
 * `showLatest` (a viewer's app view: their own session has no outputs, and another user's never
 * reach it) opens it at once with the newest run's report shown.
 */
import { useEffect, useState } from 'preact/hooks';
import {
  formatRunDuration,
  formatRunTime,
  hasReport,
  listRuns,
  reportUrl,
  triggerLabel,
  type RunSummary,
} from '../runs-api.js';
import './RunHistory.css';

export interface RunHistoryProps {
  /** the notebook's workspace-relative path */
  path: string;
  /** any change reloads the list (while it is open) */
  refresh: number;
  /** open at once, with the newest report shown */
  showLatest?: boolean;
}

type Loaded = { kind: 'loading' } | { kind: 'ok'; runs: RunSummary[] } | { kind: 'error'; message: string };

export function RunHistory({ path, refresh, showLatest = false }: RunHistoryProps) {
  const [open, setOpen] = useState(showLatest);
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'loading' });
  const [reload, setReload] = useState(0);
  /** the run whose report is shown */
  const [shown, setShown] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    const abort = new AbortController();
    listRuns(path, 50, abort.signal).then(
      (runs) => {
        setLoaded({ kind: 'ok', runs });
        if (showLatest) setShown((id) => id ?? runs.find(hasReport)?.id ?? null);
      },
      (error: unknown) => {
        if (!abort.signal.aborted)
          setLoaded({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
      },
    );
    return () => abort.abort();
  }, [open, path, refresh, reload, showLatest]);

  const runs = loaded.kind === 'ok' ? loaded.runs : [];
  const shownRun = runs.find((run) => run.id === shown && hasReport(run));
  return (
    <section class="run-history" data-testid="run-history" aria-label="Run history">
      <div class="run-history-head">
        <button
          type="button"
          class="run-history-toggle"
          data-testid="run-history-toggle"
          aria-expanded={open}
          onClick={() => setOpen((o) => !o)}
        >
          {open ? '▾' : '▸'} Run history
          {loaded.kind === 'ok' ? <span class="muted"> ({runs.length})</span> : null}
        </button>
        {open ? (
          <button type="button" class="run-history-refresh" onClick={() => setReload((n) => n + 1)}>
            Refresh
          </button>
        ) : null}
      </div>
      {!open ? null : loaded.kind === 'error' ? (
        <p class="run-history-error" role="alert">
          The run history could not be loaded: {loaded.message}
        </p>
      ) : loaded.kind === 'loading' ? (
        <p class="muted">Loading…</p>
      ) : runs.length === 0 ? (
        <p class="muted" data-testid="run-history-empty">
          No runs yet. Run all records one here, as does <code>quire run</code>.
        </p>
      ) : (
        <ul class="run-list">
          {runs.map((run) => (
            <RunRow
              key={run.id}
              run={run}
              selected={run.id === shownRun?.id}
              onShow={() => setShown((id) => (id === run.id ? null : run.id))}
            />
          ))}
        </ul>
      )}
      {open && shownRun ? (
        <iframe
          class="run-report"
          data-testid="run-report"
          // No allow-scripts, no allow-same-origin: the report is a document, nothing in it runs.
          sandbox=""
          src={reportUrl(shownRun.id)}
          title={`Report of run ${shownRun.id}`}
        />
      ) : null}
    </section>
  );
}

function RunRow({ run, selected, onShow }: { run: RunSummary; selected: boolean; onShow: () => void }) {
  const report = hasReport(run);
  return (
    <li class="run-row" data-testid="run-row" data-run-id={run.id} data-status={run.status}>
      <div class="run-line">
        <span class="run-status" data-status={run.status}>
          {run.status}
        </span>
        <span class="run-trigger" data-testid="run-trigger">
          {triggerLabel(run.trigger)}
        </span>
        <time class="run-started" dateTime={new Date(run.startedAt ?? run.createdAt).toISOString()}>
          {formatRunTime(run.startedAt ?? run.createdAt)}
        </time>
        <span class="run-duration">
          {run.status === 'running' ? 'running…' : formatRunDuration(run.durationMs)}
        </span>
        <span class="spacer" />
        {report ? (
          <>
            <button
              type="button"
              class="run-show-report"
              data-testid="run-show-report"
              aria-pressed={selected}
              onClick={onShow}
            >
              {selected ? 'Hide report' : 'Report'}
            </button>
            <a class="run-open-report" href={reportUrl(run.id)} target="_blank" rel="noopener noreferrer">
              Open ↗
            </a>
          </>
        ) : null}
      </div>
      {run.error ? (
        <div class="run-error" data-testid="run-error">
          {run.error}
        </div>
      ) : null}
    </li>
  );
}
