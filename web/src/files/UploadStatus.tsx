import { LoaderCircle } from 'lucide-react';
import { useStore } from '../lib/store';
import { formatBytes } from '../lib/format';
import { uploadsStore } from './upload';

/** Uploads under way, under the tree, each with how much has been sent. */
export function UploadStatus() {
  const uploads = useStore(uploadsStore, (s) => s.uploads);
  if (uploads.length === 0) return null;
  return (
    <ul aria-label="Uploads" className="space-y-2 border-t border-zinc-200 px-3 py-2 dark:border-zinc-800">
      {uploads.map((upload) => {
        const percent = Math.round(upload.sent * 100);
        return (
          <li key={upload.id} className="text-xs">
            <div className="flex items-center gap-1.5 text-zinc-700 dark:text-zinc-300">
              <LoaderCircle aria-hidden size={13} className="shrink-0 animate-spin text-teal-600" />
              <span className="min-w-0 flex-1 truncate">
                Uploading {upload.label} to {upload.dir || 'the workspace'}…
              </span>
              <span className="shrink-0 tabular-nums text-zinc-500">
                {percent}% of {formatBytes(upload.total)}
              </span>
            </div>
            <div
              role="progressbar"
              aria-label={`Uploading ${upload.label}`}
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={percent}
              className="mt-1 h-1 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800"
            >
              <div className="h-full bg-teal-600 transition-[width]" style={{ width: `${percent}%` }} />
            </div>
          </li>
        );
      })}
    </ul>
  );
}
