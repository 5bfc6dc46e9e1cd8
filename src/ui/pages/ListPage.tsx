/**
 * The notebook list: every notebook of the workspace the user may read, searched on the server
 * (`?q=`); a locked notebook (read-only for everyone) is marked.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, encodePath, listNotebooks, type NotebookSummary } from '../api.js';
import { isTyping } from '../shortcuts.js';

export function ListPage() {
  const [q, setQ] = useState(() => new URLSearchParams(location.search).get('q') ?? '');
  const [notebooks, setNotebooks] = useState<NotebookSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const search = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const abort = new AbortController();
    // A short pause so that typing a word asks the server once, not once per key.
    const timer = setTimeout(() => {
      listNotebooks(q, abort.signal).then(
        (list) => {
          setNotebooks(list);
          setError(null);
        },
        (e: unknown) => {
          if (abort.signal.aborted) return;
          setError(
            e instanceof ApiError && e.status === 401
              ? 'Not logged in: open the login URL printed by `quire serve`.'
              : String(e instanceof Error ? e.message : e),
          );
        },
      );
    }, 120);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [q]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === '/' && !isTyping(event)) {
        event.preventDefault();
        search.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <main class="list-page">
      <h1>Notebooks</h1>
      <input
        ref={search}
        type="search"
        class="search"
        placeholder="Search by title, path or tag  ( / )"
        aria-label="Search notebooks"
        value={q}
        onInput={(e) => setQ((e.target as HTMLInputElement).value)}
      />
      {error ? <p class="error-banner">{error}</p> : null}
      {notebooks === null && !error ? <p class="muted">Loading…</p> : null}
      {notebooks && notebooks.length === 0 ? <p class="muted">No notebook matches.</p> : null}
      <ul class="notebook-list">
        {(notebooks ?? []).map((nb) => (
          <li key={nb.path}>
            <a href={`/n/${encodePath(nb.path)}`}>
              <span class="nb-title">{nb.title ?? nb.path}</span>
              <span class="nb-path">{nb.path}</span>
            </a>
            <span class="nb-tags">
              {(nb.tags ?? []).map((tag) => (
                <span class="tag" key={tag}>
                  {tag}
                </span>
              ))}
              {nb.access?.locked ? (
                <span
                  class="tag tag-locked"
                  title="Nobody may edit it until it is unlocked"
                  data-testid="locked"
                >
                  <LockIcon />
                  locked (read-only)
                </span>
              ) : null}
              {nb.parseError ? <span class="tag tag-error">parse error</span> : null}
            </span>
          </li>
        ))}
      </ul>
    </main>
  );
}

/** A padlock drawn inline (no icon font, no emoji font needed); the marker's text is its label. */
function LockIcon() {
  return (
    <svg class="lock-icon" aria-hidden="true" viewBox="0 0 12 14" width="10" height="12">
      <path d="M3 6V4a3 3 0 0 1 6 0v2" fill="none" stroke="currentColor" stroke-width="1.6" />
      <rect x="1" y="6" width="10" height="8" rx="1.5" fill="currentColor" />
    </svg>
  );
}
