/**
 * One CodeMirror 6 editor. Created lazily: until the element scrolls near the viewport it is a
 * plain <pre> with the same text, so a 300-cell notebook builds 300 cheap nodes and only the
 * editors on screen. The source lives in CodeMirror once created; changes go out by `onChange`.
 * `errorLine` (1-based, cell-relative) marks the line an error output points at.
 */
import { basicSetup } from 'codemirror';
import { javascript } from '@codemirror/lang-javascript';
import { sql } from '@codemirror/lang-sql';
import { Compartment, EditorState, Prec, StateEffect, StateField, type Extension } from '@codemirror/state';
import { Decoration, EditorView, keymap, type DecorationSet } from '@codemirror/view';
import { useEffect, useRef, useState } from 'preact/hooks';

export type EditorLanguage = 'ts' | 'js' | 'sql' | 'markdown';

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
}

/** Editors created so far, for the open-time measurement and tests. */
export const editorStats = { created: 0 };

export function CodeEditor(props: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const [languageSlot] = useState(() => new Compartment());
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;
  const onRun = useRef(props.onRun);
  onRun.current = props.onRun;
  const [visible, setVisible] = useState(Boolean(props.eager));

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

  const run = (v: EditorView, mode: 'next' | 'inPlace'): boolean => {
    if (!onRun.current) return false;
    onRun.current(mode, v.state.doc.toString());
    return true;
  };

  useEffect(() => {
    if (!visible || !host.current) return;
    const created = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: props.source,
        extensions: [
          Prec.highest(
            keymap.of([
              { key: 'Shift-Enter', run: (v) => run(v, 'next') },
              { key: 'Mod-Enter', run: (v) => run(v, 'inPlace') },
            ]),
          ),
          basicSetup,
          languageSlot.of(languageOf(props.language)),
          errorLineField,
          EditorView.contentAttributes.of({ 'aria-label': props.label }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) onChange.current(update.state.doc.toString());
          }),
        ],
      }),
    });
    editorStats.created++;
    view.current = created;
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

  // The server's source changed (another tab, a reload from disk): show it. While the user types,
  // the prop stays at the server's last source, so this does not fight the typing.
  useEffect(() => {
    const current = view.current;
    if (!current || current.state.doc.toString() === props.source) return;
    current.dispatch({ changes: { from: 0, to: current.state.doc.length, insert: props.source } });
  }, [props.source]);

  useEffect(() => {
    view.current?.dispatch({ effects: setErrorLine.of(props.errorLine ?? null) });
  }, [props.errorLine, visible]);

  return (
    <div class="code-editor" ref={host} data-lazy={visible ? undefined : 'pending'}>
      {visible ? null : <pre class="code-placeholder">{props.source || ' '}</pre>}
    </div>
  );
}
