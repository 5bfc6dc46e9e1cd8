/**
 * The editor's entry point: picks the page from the URL (`/` the list, `/n/PATH` a notebook,
 * `/#/dev/outputs` the output-component fixtures) and owns the `?` help panel.
 */
import { render } from 'preact';
import { lazy, Suspense } from 'preact/compat';
import { useEffect, useState } from 'preact/hooks';
import { Help } from './components/Help.js';
import { ListPage } from './pages/ListPage.js';
import { NotebookPage } from './pages/NotebookPage.js';
import { isTyping } from './shortcuts.js';
import './styles.css';

// Fixture outputs for tests and development: a separate chunk, loaded only on that page.
const Fixtures = lazy(() => import('./fixtures.js').then((m) => ({ default: m.Fixtures })));

function notebookPath(pathname: string): string | null {
  if (!pathname.startsWith('/n/')) return null;
  return pathname.slice(3).split('/').map(decodeURIComponent).join('/');
}

function App() {
  const [help, setHelp] = useState(false);
  const [hash, setHash] = useState(location.hash);

  useEffect(() => {
    const onHash = () => setHash(location.hash);
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === '?' && !isTyping(event)) {
        event.preventDefault();
        setHelp((open) => !open);
      } else if (event.key === 'Escape') setHelp(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const path = notebookPath(location.pathname);
  let page;
  if (hash === '#/dev/outputs')
    page = (
      <Suspense fallback={<p class="muted">Loading…</p>}>
        <Fixtures />
      </Suspense>
    );
  else if (path) page = <NotebookPage path={path} />;
  else page = <ListPage />;

  return (
    <>
      {page}
      <button type="button" class="help-button" onClick={() => setHelp(true)} aria-label="Keyboard shortcuts">
        ?
      </button>
      {help ? <Help onClose={() => setHelp(false)} /> : null}
    </>
  );
}

render(<App />, document.getElementById('app') as HTMLElement);
