import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentWithTab, isolateHistory } from '@codemirror/commands';
import {
  bracketMatching,
  defaultHighlightStyle,
  foldGutter,
  foldKeymap,
  indentOnInput,
  syntaxHighlighting,
} from '@codemirror/language';
import { highlightSelectionMatches, searchKeymap } from '@codemirror/search';
import {
  type ChangeSpec,
  Compartment,
  EditorState,
  type Extension,
  StateEffect,
  StateField,
  Text,
} from '@codemirror/state';
import { oneDarkHighlightStyle } from '@codemirror/theme-one-dark';
import {
  EditorView,
  crosshairCursor,
  drawSelection,
  dropCursor,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
  rectangularSelection,
} from '@codemirror/view';
import { useEffect, useLayoutEffect, useRef } from 'react';
import { nameOf } from './files-api';
import { languageOf } from './languages';
import { type Tab, setDirty, setReader, tabsStore } from './tabs-store';
import { useDark } from './use-dark';

/** The text on disk that the editor's text is counted against, and which of the tab's `base` updates it is. */
interface Base {
  text: Text;
  seq: number;
}
const rebase = StateEffect.define<Base>();
const baseField = StateField.define<Base>({
  create: (state) => ({ text: state.doc, seq: 0 }),
  update: (value, tr) => tr.effects.reduce((v, e) => (e.is(rebase) ? e.value : v), value),
});

const themeSlot = new Compartment();
const languageSlot = new Compartment();
const labelSlot = new Compartment();

/** Colours from the dashboard's palette (the --editor-* properties of styles.css), the same rules in both themes. */
const palette = EditorView.theme({
  '&': { backgroundColor: 'var(--editor-bg)', color: 'var(--editor-fg)' },
  '.cm-content': { caretColor: 'var(--editor-cursor)' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--editor-cursor)', borderLeftWidth: '2px' },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection':
    { backgroundColor: 'var(--editor-selection)' },
  '.cm-selectionMatch': { backgroundColor: 'var(--editor-match)' },
  '.cm-gutters': {
    backgroundColor: 'var(--editor-bg)',
    color: 'var(--editor-muted)',
    borderRight: '1px solid var(--editor-border)',
  },
  '.cm-activeLine': { backgroundColor: 'var(--editor-active-line)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--editor-active-gutter)', color: 'var(--editor-fg)' },
  '.cm-foldPlaceholder': {
    backgroundColor: 'var(--editor-raised)',
    color: 'var(--editor-muted)',
    border: '1px solid var(--editor-border)',
  },
  '.cm-panels': { backgroundColor: 'var(--editor-raised)', color: 'var(--editor-fg)' },
  '.cm-panels.cm-panels-top': { borderBottom: '1px solid var(--editor-border)' },
  '.cm-panels.cm-panels-bottom': { borderTop: '1px solid var(--editor-border)' },
  '.cm-textfield': {
    backgroundColor: 'var(--editor-bg)',
    color: 'var(--editor-fg)',
    border: '1px solid var(--editor-border)',
  },
  '.cm-tooltip': {
    backgroundColor: 'var(--editor-raised)',
    color: 'var(--editor-fg)',
    border: '1px solid var(--editor-border)',
  },
  '.cm-tooltip-autocomplete > ul > li[aria-selected]': {
    backgroundColor: 'var(--editor-selection)',
    color: 'var(--editor-fg)',
  },
});
/** What differs between the themes: CodeMirror's own dark defaults, and token colours readable on each background. */
const themeFor = (dark: boolean): Extension => [
  EditorView.darkTheme.of(dark),
  syntaxHighlighting(dark ? oneDarkHighlightStyle : defaultHighlightStyle, { fallback: true }),
];

const layout = EditorView.theme({
  '&': { height: '100%', fontSize: '13px' },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': {
    fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace",
    lineHeight: '1.6',
  },
});

/** The file's own line break, kept: otherwise every line ending would be saved as \n. */
const lineBreakOf = (text: string) => (text.includes('\r\n') ? '\r\n' : '\n');

function createState(tab: Tab, dark: boolean, language: Extension = []): EditorState {
  const { id, base } = tab;
  return EditorState.create({
    doc: base.text,
    extensions: [
      EditorState.lineSeparator.of(lineBreakOf(base.text)),
      baseField.init((state) => ({ text: state.doc, seq: base.seq })),
      lineNumbers(),
      foldGutter(),
      highlightActiveLineGutter(),
      highlightSpecialChars(),
      history(),
      drawSelection(),
      dropCursor(),
      EditorState.allowMultipleSelections.of(true),
      indentOnInput(),
      bracketMatching(),
      closeBrackets(),
      autocompletion(),
      rectangularSelection(),
      crosshairCursor(),
      highlightActiveLine(),
      highlightSelectionMatches(),
      // Tab indents; Escape then Tab still leaves the editor (CodeMirror's own escape hatch).
      keymap.of([
        ...closeBracketsKeymap,
        ...defaultKeymap,
        ...searchKeymap,
        ...historyKeymap,
        ...foldKeymap,
        ...completionKeymap,
        indentWithTab,
      ]),
      layout,
      palette,
      themeSlot.of(themeFor(dark)),
      languageSlot.of(language),
      labelSlot.of([]),
      EditorView.updateListener.of((update) => {
        if (update.docChanged || update.transactions.some((tr) => tr.effects.some((e) => e.is(rebase)))) {
          setDirty(id, !update.state.doc.eq(update.state.field(baseField).text));
        }
      }),
    ],
  });
}

/** The one change that turns `from` into `to`: the part between what they start and end with in common. */
function smallestChange(from: Text, to: Text): ChangeSpec | null {
  const a = from.toString();
  const b = to.toString();
  if (a === b) return null;
  let start = 0;
  while (start < a.length && start < b.length && a.charCodeAt(start) === b.charCodeAt(start)) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a.charCodeAt(endA - 1) === b.charCodeAt(endB - 1)) {
    endA--;
    endB--;
  }
  return { from: start, to: endA, insert: to.slice(start, endB) };
}

/**
 * Follows the tab's `base`. After a save only what counts as unsaved moves. After a load the text is replaced by
 * the smallest change that makes it the new one, so the cursor and scroll stay about where they were, and the
 * replacement is one step of undo history of its own.
 */
function follow(view: EditorView, tab: Tab, dark: boolean): void {
  const { state } = view;
  const { base } = tab;
  if (state.field(baseField).seq === base.seq) return;
  if (base.origin === 'save') {
    view.dispatch({ effects: rebase.of({ text: state.toText(base.text), seq: base.seq }) });
    return;
  }
  // Other line endings than before cannot be mapped onto the old text: start afresh.
  if (lineBreakOf(base.text) !== state.lineBreak) return view.setState(createState(tab, dark, languageSlot.get(state)));
  const next = state.toText(base.text);
  const change = smallestChange(state.doc, next);
  view.dispatch({
    ...(change ? { changes: change } : {}),
    effects: rebase.of({ text: next, seq: base.seq }),
    annotations: isolateHistory.of('full'),
  });
}

interface Parked {
  state: EditorState;
  scroll: ReturnType<EditorView['scrollSnapshot']>;
  /** The path the language was chosen for. */
  path: string;
}

/** The editors of tabs not on screen, so switching tabs or pages keeps edits, undo history, cursor and scroll. */
const parked = new Map<number, Parked>();
tabsStore.subscribe(() => {
  const open = new Set(tabsStore.get().tabs.map((t) => t.id));
  for (const id of parked.keys()) if (!open.has(id)) parked.delete(id);
});

/**
 * CodeMirror 6 for one text tab. It lives in a shadow root: CodeMirror styles itself with a <style> element that the
 * dashboard's Content-Security-Policy (no inline styles) would block on the page, while inside a shadow root it uses
 * constructed style sheets, which that policy allows.
 */
export default function CodeEditor({ tab }: { tab: Tab }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const languagePath = useRef<string | null>(null);
  const dark = useDark();
  const { id, path } = tab;

  useLayoutEffect(() => {
    const el = host.current!;
    const root = el.shadowRoot ?? el.attachShadow({ mode: 'open' });
    const kept = parked.get(id);
    parked.delete(id);
    const current = new EditorView({
      state: kept?.state ?? createState(tab, dark),
      parent: root,
      root,
      ...(kept ? { scrollTo: kept.scroll } : {}),
    });
    view.current = current;
    languagePath.current = kept?.path ?? null;
    setReader(id, () => current.state.sliceDoc());
    return () => {
      const state = current.state;
      if (tabsStore.get().tabs.some((t) => t.id === id)) {
        parked.set(id, { state, scroll: current.scrollSnapshot(), path: languagePath.current ?? '' });
        setReader(id, () => state.sliceDoc());
      }
      current.destroy();
      view.current = null;
    };
    // Made once per tab; what changes later (text on disk, theme, name) is followed by the effects below.
  }, [id]);

  useLayoutEffect(() => {
    if (view.current) follow(view.current, tab, dark);
  }, [tab, dark]);

  useLayoutEffect(() => {
    view.current?.dispatch({ effects: themeSlot.reconfigure(themeFor(dark)) });
  }, [id, dark]);

  useEffect(() => {
    view.current?.dispatch({
      effects: labelSlot.reconfigure(EditorView.contentAttributes.of({ 'aria-label': `Contents of ${nameOf(path)}` })),
    });
    if (languagePath.current === path) return;
    let wanted = true;
    const apply = (extension: Extension) => {
      if (!wanted || !view.current) return;
      view.current.dispatch({ effects: languageSlot.reconfigure(extension) });
      languagePath.current = path;
    };
    const language = languageOf(path);
    // A parser that fails to load (the server went away) leaves the file as plain text, still editable: the user
    // loses only the colours, and the next file opened tries again, so the failure is not worth a notice.
    if (language) language.load().then(apply, () => apply([]));
    else apply([]);
    return () => {
      wanted = false;
    };
  }, [id, path]);

  return <div ref={host} className="h-full min-h-0" />;
}
