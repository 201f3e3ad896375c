import type { LanguageSupport } from '@codemirror/language';
import { extensionOf } from './file-icon';

interface Language {
  label: string;
  /** A dynamic import: each language's parser is its own chunk, fetched the first time a file needs it. */
  load: () => Promise<LanguageSupport>;
}

const javascript = (label: string, options: { typescript?: boolean; jsx?: boolean }): Language => ({
  label,
  load: () => import('@codemirror/lang-javascript').then((m) => m.javascript(options)),
});

const LANGUAGES: Record<string, Language> = {
  ts: javascript('TypeScript', { typescript: true }),
  mts: javascript('TypeScript', { typescript: true }),
  cts: javascript('TypeScript', { typescript: true }),
  tsx: javascript('TSX', { typescript: true, jsx: true }),
  js: javascript('JavaScript', {}),
  mjs: javascript('JavaScript', {}),
  cjs: javascript('JavaScript', {}),
  jsx: javascript('JSX', { jsx: true }),
  json: { label: 'JSON', load: () => import('@codemirror/lang-json').then((m) => m.json()) },
  md: { label: 'Markdown', load: () => import('@codemirror/lang-markdown').then((m) => m.markdown()) },
  markdown: { label: 'Markdown', load: () => import('@codemirror/lang-markdown').then((m) => m.markdown()) },
  py: { label: 'Python', load: () => import('@codemirror/lang-python').then((m) => m.python()) },
  html: { label: 'HTML', load: () => import('@codemirror/lang-html').then((m) => m.html()) },
  htm: { label: 'HTML', load: () => import('@codemirror/lang-html').then((m) => m.html()) },
  css: { label: 'CSS', load: () => import('@codemirror/lang-css').then((m) => m.css()) },
  yaml: { label: 'YAML', load: () => import('@codemirror/lang-yaml').then((m) => m.yaml()) },
  yml: { label: 'YAML', load: () => import('@codemirror/lang-yaml').then((m) => m.yaml()) },
  rs: { label: 'Rust', load: () => import('@codemirror/lang-rust').then((m) => m.rust()) },
  go: { label: 'Go', load: () => import('@codemirror/lang-go').then((m) => m.go()) },
};

/** The language of a file by its extension; null: plain text. */
export function languageOf(path: string): Language | null {
  return LANGUAGES[extensionOf(path)] ?? null;
}
