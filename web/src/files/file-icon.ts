import type { FileEntry } from '@contract/files';
import { File, FileCode, FileImage, FileJson, FileText, Folder, FolderOpen, type LucideIcon } from 'lucide-react';

const BY_EXTENSION: Record<string, LucideIcon> = {
  json: FileJson,
  md: FileText,
  markdown: FileText,
  txt: FileText,
  log: FileText,
  csv: FileText,
};
for (const ext of ['png', 'jpg', 'jpeg', 'gif', 'webp', 'avif', 'bmp', 'ico', 'svg']) BY_EXTENSION[ext] = FileImage;
for (const ext of [
  'ts',
  'tsx',
  'js',
  'jsx',
  'mjs',
  'cjs',
  'py',
  'rs',
  'go',
  'html',
  'htm',
  'css',
  'yaml',
  'yml',
  'toml',
  'sh',
  'wat',
])
  BY_EXTENSION[ext] = FileCode;

export const extensionOf = (name: string) =>
  name.lastIndexOf('.') > 0 ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : '';

export function iconFor(entry: Pick<FileEntry, 'name' | 'type'>, open = false): LucideIcon {
  if (entry.type === 'dir') return open ? FolderOpen : Folder;
  return BY_EXTENSION[extensionOf(entry.name)] ?? File;
}
