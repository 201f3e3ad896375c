import { Download, FileWarning } from 'lucide-react';
import { useState } from 'react';
import { EmptyState } from '../components/EmptyState';
import { Button } from '../components/ui';
import { download } from './file-actions';
import { downloadUrl, nameOf } from './files-api';
import { formatBytes } from '../lib/format';
import type { Tab } from './tabs-store';

function ImagePreview({ tab }: { tab: Tab }) {
  const [size, setSize] = useState<string | null>(null);
  return (
    <div className="flex h-full min-h-0 flex-col items-center justify-center gap-3 overflow-auto bg-zinc-100 p-4 dark:bg-zinc-900">
      {/* The version in the address makes the browser fetch the image again when it changes on disk. */}
      <img
        src={`${downloadUrl(tab.path, true)}&v=${encodeURIComponent(tab.version ?? '')}`}
        alt={nameOf(tab.path)}
        onLoad={(e) => setSize(`${e.currentTarget.naturalWidth} × ${e.currentTarget.naturalHeight}`)}
        className="max-h-[calc(100%-3rem)] max-w-full rounded border border-zinc-200 bg-white object-contain shadow-sm dark:border-zinc-700"
      />
      <p className="text-xs text-zinc-500">
        {[size, tab.mediaType, formatBytes(tab.size)].filter(Boolean).join(' · ')}
      </p>
    </div>
  );
}

/** A file the editor does not open: an image is shown, anything else says why and offers the download. */
export function FilePreview({ tab }: { tab: Tab }) {
  if (tab.kind === 'binary' && tab.mediaType.startsWith('image/')) return <ImagePreview tab={tab} />;
  const name = nameOf(tab.path);
  const reason =
    tab.kind === 'too_large'
      ? `${name} is ${formatBytes(tab.size)}; files over ${formatBytes(tab.limit ?? 0)} are not opened in the editor.`
      : `${name} is not a text file (${tab.mediaType}, ${formatBytes(tab.size)}), so it cannot be edited here.`;
  return (
    <div className="h-full overflow-y-auto px-4">
      <EmptyState icon={FileWarning} title={tab.kind === 'too_large' ? 'Too large to edit' : 'Not a text file'}>
        <p className="break-words">{reason}</p>
        <Button className="mt-4" onClick={() => download(tab.path)}>
          <Download size={15} aria-hidden /> Download
        </Button>
      </EmptyState>
    </div>
  );
}
