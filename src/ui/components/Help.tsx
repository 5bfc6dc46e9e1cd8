/** The keyboard-shortcut help panel (`?`): the list from shortcuts.ts, grouped by scope. */
import { SHORTCUTS } from '../shortcuts.js';

export function Help({ onClose }: { onClose: () => void }) {
  const scopes = [...new Set(SHORTCUTS.map((s) => s.scope))];
  return (
    <div class="help-backdrop" onClick={onClose}>
      <div
        class="help-panel"
        role="dialog"
        aria-modal="true"
        aria-label="Keyboard shortcuts"
        onClick={(e) => e.stopPropagation()}
      >
        <header>
          <h2>Keyboard shortcuts</h2>
          <button type="button" class="close" onClick={onClose} aria-label="Close">
            ×
          </button>
        </header>
        {scopes.map((scope) => (
          <section key={scope}>
            <h3>{scope}</h3>
            <dl>
              {SHORTCUTS.filter((s) => s.scope === scope).map((s) => (
                <div class="shortcut" key={s.keys}>
                  <dt>
                    <kbd>{s.keys}</kbd>
                  </dt>
                  <dd>{s.description}</dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
      </div>
    </div>
  );
}
