/**
 * One CodeMirror 6 editor. Created lazily: until the element scrolls near the viewport it is a
 * plain <pre> with the same text, so a 300-cell notebook builds 300 cheap nodes and only the
 * editors on screen. The source lives in CodeMirror once created; changes go out by `onChange`.
 * `errorLine` (1-based, cell-relative) marks the line an error output points at. `completion`
 * adds a source (notebook names) beside the language's own; it is read through a ref, so a new
 * function never rebuilds the editor.
 */
import { completionStatus, type CompletionSource } from '@codemirror/autocomplete';
import { searchPanelOpen } from '@codemirror/search';
import { basicSetup } from 'codemirror';
import { javascript } from '@codemirror/lang-javascript';
import { sql } from '@codemirror/lang-sql';
import { Compartment, EditorState, Prec, StateEffect, StateField, type Extension } from '@codemirror/state';
import { Decoration, EditorView, keymap, type DecorationSet } from '@codemirror/view';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { EditorMode } from '../../protocol/index.js';

/** A syntax mode of the language table (src/protocol/languages.ts). */
export type EditorLanguage = EditorMode;

function languageOf(language: EditorLanguage): Extension {
  switch (language) {
    case 'ts':
      return javascript({ typescript: true });
    case 'js':
      return javascript();
    case 'sql':
      return sql();
    case 'markdown':
      // Only the raw mode uses it, and it pulls in the HTML and CSS modes: loaded on demand.
      return [];
  }
}

async function lateLanguage(language: EditorLanguage): Promise<Extension | null> {
  if (language !== 'markdown') return null;
  const { markdown } = await import('@codemirror/lang-markdown');
  return markdown();
}

const setErrorLine = StateEffect.define<number | null>();

const errorLineField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(decorations, tr) {
    let next = decorations.map(tr.changes);
    for (const effect of tr.effects) {
      if (!effect.is(setErrorLine)) continue;
      const line = effect.value;
      next =
        line === null || line < 1 || line > tr.state.doc.lines
          ? Decoration.none
          : Decoration.set([Decoration.line({ class: 'cm-error-line' }).range(tr.state.doc.line(line).from)]);
    }
    return next;
  },
  provide: (field) => EditorView.decorations.from(field),
});

export interface CodeEditorProps {
  source: string;
  language: EditorLanguage;
  onChange: (source: string) => void;
  errorLine?: number | null;
  /** create the editor at once instead of when scrolled into view */
  eager?: boolean;
  /** accessible label, e.g. the cell's name */
  label: string;
  /** Shift-Enter (`next`) or Ctrl/Cmd-Enter (`inPlace`) was pressed: run the cell */
  onRun?: (mode: 'next' | 'inPlace', source: string) => void;
  /** Esc with nothing else to close (no completion list, no search panel) */
  onEscape?: (source: string) => void;
  /** F2: rename the cell */
  onRename?: () => void;
  /** more completions, e.g. the notebook's names */
  completion?: CompletionSource;
  /** create the editor and focus it (a cell just added); a new value focuses it again */
  autoFocus?: boolean | number;
  /** with `autoFocus`: select this range of the text (a placeholder to type over) */
  select?: [number, number];
  /** wrap long lines (prose) instead of scrolling sideways */
  wrap?: boolean;
}

/** Typed texts remembered to tell an echo of the editor's own edit from another client's. */
const MAX_TYPED = 200;

/** Editors created so far, for the open-time measurement and tests. */
export const editorStats = { created: 0 };

/** Focus with the whole text selected (a placeholder to type over) or the cursor at its end. */
function focusView(view: EditorView, select: [number, number] | undefined) {
  const end = view.state.doc.length;
  const inside = select && select[1] <= end ? select : undefined;
  view.dispatch({ selection: inside ? { anchor: inside[0], head: inside[1] } : { anchor: end } });
  view.focus();
  view.dom.scrollIntoView({ block: 'nearest' });
}

export function CodeEditor(props: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const [languageSlot] = useState(() => new Compartment());
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;
  const onRun = useRef(props.onRun);
  onRun.current = props.onRun;
  const onEscape = useRef(props.onEscape);
  onEscape.current = props.onEscape;
  const onRename = useRef(props.onRename);
  onRename.current = props.onRename;
  const completion = useRef(props.completion);
  completion.current = props.completion;
  /** texts this editor's doc had since it last matched `source` (oldest first, capped) */
  const typed = useRef(new Set<string>());
  const [visible, setVisible] = useState(Boolean(props.eager || props.autoFocus));
  useEffect(() => {
    if (props.autoFocus) setVisible(true);
  }, [props.autoFocus]);

  useEffect(() => {
    if (visible || !host.current) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          setVisible(true);
          observer.disconnect();
        }
      },
      { rootMargin: '400px 0px' },
    );
    observer.observe(host.current);
    return () => observer.disconnect();
  }, [visible]);

  // Esc closes a shown completion list or the search panel first. Not basicSetup's own Esc
  // order: its completion binding also swallows Esc while a query is merely pending (just after a
  // keystroke), which would make a quick Esc after typing do nothing.
  const escape = (v: EditorView): boolean => {
    if (!onEscape.current || completionStatus(v.state) === 'active' || searchPanelOpen(v.state)) return false;
    onEscape.current(v.state.doc.toString());
    return true;
  };

  const run = (v: EditorView, mode: 'next' | 'inPlace'): boolean => {
    if (!onRun.current) return false;
    onRun.current(mode, v.state.doc.toString());
    return true;
  };

  useEffect(() => {
    if (!visible || !host.current) return;
    const notebookSource: CompletionSource = (context) => completion.current?.(context) ?? null;
    const notebookData = [{ autocomplete: notebookSource }];
    const created = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: props.source,
        extensions: [
          Prec.highest(
            keymap.of([
              { key: 'Shift-Enter', run: (v) => run(v, 'next') },
              { key: 'Mod-Enter', run: (v) => run(v, 'inPlace') },
              { key: 'F2', run: () => (onRename.current ? (onRename.current(), true) : false) },
              { key: 'Escape', run: escape },
            ]),
          ),
          basicSetup,
          // One source object for the editor's life: completion tracks its sources by identity.
          EditorState.languageData.of(() => notebookData),
          props.wrap ? EditorView.lineWrapping : [],
          languageSlot.of(languageOf(props.language)),
          errorLineField,
          EditorView.contentAttributes.of({ 'aria-label': props.label }),
          EditorView.updateListener.of((update) => {
            if (!update.docChanged) return;
            const text = update.state.doc.toString();
            typed.current.add(text);
            if (typed.current.size > MAX_TYPED)
              typed.current.delete(typed.current.values().next().value as string);
            onChange.current(text);
          }),
        ],
      }),
    });
    editorStats.created++;
    view.current = created;
    if (props.autoFocus) focusView(created, props.select);
    let live = true;
    void lateLanguage(props.language).then((extension) => {
      if (live && extension) created.dispatch({ effects: languageSlot.reconfigure(extension) });
    });
    return () => {
      live = false;
      created.destroy();
      view.current = null;
    };
    // The editor owns its text once created; a new `source` (from the server) is pushed in below.
  }, [visible]);

  // The server's source changed (another tab, a reload from disk): show it. A source this editor
  // typed itself is not news: the page sends typed text a little later (and marks it as the
  // server's at once), so by the time that source arrives here the editor may hold newer text.
  useEffect(() => {
    const current = view.current;
    if (!current) return;
    if (current.state.doc.toString() === props.source) {
      typed.current.clear();
      return;
    }
    if (typed.current.has(props.source)) return;
    current.dispatch({ changes: { from: 0, to: current.state.doc.length, insert: props.source } });
  }, [props.source]);

  useEffect(() => {
    view.current?.dispatch({ effects: setErrorLine.of(props.errorLine ?? null) });
  }, [props.errorLine, visible]);

  // A cell added while its editor already existed (the snapshot came before the focus request).
  useEffect(() => {
    if (props.autoFocus && view.current && !view.current.hasFocus) focusView(view.current, props.select);
  }, [props.autoFocus]);

  return (
    <div class="code-editor" ref={host} data-lazy={visible ? undefined : 'pending'}>
      {visible ? null : <pre class="code-placeholder">{props.source || ' '}</pre>}
    </div>
  );
}
