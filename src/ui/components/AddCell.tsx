/**
 * Adding cells: the language picker (TypeScript, JavaScript, SQL, Markdown) as a row of buttons
 * (above the first cell, below the last, alone in an empty notebook) and as a small menu under a
 * cell's `▾` button. Text next to text is one prose cell in the file, so where Markdown would
 * touch a prose cell (often the blank lines between two code cells) the page opens that cell's
 * editor instead of adding one; the button says so.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { CELL_LANGUAGE_NAMES, CELL_LANGUAGES, type CellLanguage } from '../../protocol/index.js';

export type NewCellLanguage = CellLanguage;

/** Every language of the table (src/protocol/languages.ts), in its order. */
export const NEW_CELL_LANGUAGES: readonly { language: NewCellLanguage; label: string }[] =
  CELL_LANGUAGE_NAMES.map((language) => ({ language, label: CELL_LANGUAGES[language].label }));

const PROSE_CONTINUES = 'Write here: continues the text cell next to it (text next to text is one cell)';

export function AddCellBar({
  onAdd,
  proseAllowed,
  class: className = '',
  label,
}: {
  onAdd: (language: NewCellLanguage) => void;
  /** false: Markdown here continues the prose cell next to it */
  proseAllowed: boolean;
  class?: string;
  /** what the row is for, for screen readers */
  label: string;
}) {
  return (
    <div class={`add-cells ${className}`} role="group" aria-label={label}>
      {NEW_CELL_LANGUAGES.map(({ language, label: text }) => (
        <button
          key={language}
          type="button"
          // `add-code` / `add-prose`: the names the first version's buttons had
          class={`add-${language}${language === 'ts' ? ' add-code' : ''}`}
          title={language === 'prose' && !proseAllowed ? PROSE_CONTINUES : `Add a ${text} cell`}
          onClick={() => onAdd(language)}
        >
          + {text}
        </button>
      ))}
    </div>
  );
}

/**
 * The `▾` menu of a cell header: fixed-positioned under its button (cells clip their overflow),
 * closed by a pick, Esc, a click elsewhere or a scroll; arrow keys move between the items.
 */
export function AddCellMenu({
  onAdd,
  proseAllowed,
}: {
  onAdd: (language: NewCellLanguage) => void;
  proseAllowed: boolean;
}) {
  const [at, setAt] = useState<{ top: number; left: number } | null>(null);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!at) return;
    (menu.current?.querySelector('button:not(:disabled)') as HTMLElement | null)?.focus();
    const away = (event: Event) => {
      if (!menu.current?.contains(event.target as Node) && event.target !== button.current) setAt(null);
    };
    const close = () => setAt(null);
    document.addEventListener('mousedown', away);
    window.addEventListener('scroll', close, true);
    window.addEventListener('resize', close);
    return () => {
      document.removeEventListener('mousedown', away);
      window.removeEventListener('scroll', close, true);
      window.removeEventListener('resize', close);
    };
  }, [at]);

  const open = () => {
    const rect = button.current?.getBoundingClientRect();
    if (rect) setAt(at ? null : { top: rect.bottom + 2, left: Math.max(4, rect.right - 180) });
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const items = [...(menu.current?.querySelectorAll<HTMLElement>('button:not(:disabled)') ?? [])];
    const index = items.indexOf(document.activeElement as HTMLElement);
    if (event.key === 'Escape') {
      event.stopPropagation();
      setAt(null);
      button.current?.focus();
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      items[(index + step + items.length) % items.length]?.focus();
    }
  };

  return (
    <>
      <button
        ref={button}
        type="button"
        class="cell-add-menu"
        title="Add a cell below: pick its language"
        aria-haspopup="menu"
        aria-expanded={at ? 'true' : 'false'}
        onClick={open}
      >
        ▾
      </button>
      {at ? (
        <div
          ref={menu}
          class="add-menu"
          role="menu"
          style={{ top: `${at.top}px`, left: `${at.left}px` }}
          onKeyDown={onKeyDown}
        >
          {NEW_CELL_LANGUAGES.map(({ language, label }) => (
            <button
              key={language}
              type="button"
              role="menuitem"
              class={`add-${language}`}
              title={language === 'prose' && !proseAllowed ? PROSE_CONTINUES : undefined}
              onClick={() => {
                setAt(null);
                onAdd(language);
              }}
            >
              {label}
            </button>
          ))}
        </div>
      ) : null}
    </>
  );
}
