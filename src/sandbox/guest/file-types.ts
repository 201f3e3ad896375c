/** grep's `type` filter: a language or format name → the extensions of its files (like ripgrep's --type). */
const FILE_TYPES: Readonly<Record<string, readonly string[]>> = {
  c: ['c', 'h'],
  cpp: ['cpp', 'cc', 'cxx', 'c++', 'hpp', 'hh', 'hxx', 'h++', 'h', 'inl'],
  csharp: ['cs'],
  css: ['css', 'scss', 'sass', 'less'],
  go: ['go'],
  html: ['html', 'htm', 'xhtml'],
  java: ['java'],
  js: ['js', 'mjs', 'cjs', 'jsx'],
  json: ['json', 'jsonc', 'json5', 'jsonl'],
  kotlin: ['kt', 'kts'],
  md: ['md', 'markdown', 'mdx'],
  php: ['php'],
  py: ['py', 'pyi'],
  ruby: ['rb'],
  rust: ['rs'],
  sh: ['sh', 'bash', 'zsh', 'ksh'],
  sql: ['sql'],
  swift: ['swift'],
  toml: ['toml'],
  ts: ['ts', 'tsx', 'mts', 'cts'],
  txt: ['txt'],
  xml: ['xml', 'xsd', 'xsl', 'svg'],
  yaml: ['yaml', 'yml'],
};

/** Other names models use for the same types. */
const ALIASES: Readonly<Record<string, string>> = {
  bash: 'sh',
  javascript: 'js',
  jsx: 'js',
  markdown: 'md',
  python: 'py',
  rb: 'ruby',
  rs: 'rust',
  shell: 'sh',
  text: 'txt',
  tsx: 'ts',
  typescript: 'ts',
  yml: 'yaml',
};

/** The extensions of a type, or undefined for a name this table does not know. */
export function extensionsOfType(type: string): ReadonlySet<string> | undefined {
  const name = type.trim().toLowerCase();
  const extensions = FILE_TYPES[ALIASES[name] ?? name];
  return extensions && new Set(extensions);
}

export const KNOWN_TYPES: readonly string[] = Object.keys(FILE_TYPES);
