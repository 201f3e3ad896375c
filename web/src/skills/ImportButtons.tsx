import { FolderUp, Upload } from 'lucide-react';
import { useEffect, useRef } from 'react';
import { Button } from '../components/ui';
import { zipFolder } from './skills-api';

/**
 * Import a skill from a `.zip` (one skill folder, or SKILL.md at its top) or from a folder on disk, which the browser
 * zips first: both reach the server as a `.zip` and are checked the same way.
 */
export function ImportButtons({ busy, onImport }: { busy: boolean; onImport: (zip: () => Promise<Blob>) => void }) {
  const zipInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  useEffect(() => {
    // Not in React's attribute types: lets the picker choose a whole folder.
    if (folderInput.current) folderInput.current.webkitdirectory = true;
  }, []);
  return (
    <>
      <Button disabled={busy} onClick={() => zipInput.current?.click()}>
        <Upload size={15} aria-hidden /> Import .zip
      </Button>
      <Button disabled={busy} onClick={() => folderInput.current?.click()}>
        <FolderUp size={15} aria-hidden /> Import folder
      </Button>
      <input
        ref={zipInput}
        type="file"
        accept=".zip,application/zip"
        className="hidden"
        aria-label="Skill .zip to import"
        data-testid="import-zip"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) onImport(() => Promise.resolve(file));
        }}
      />
      <input
        ref={folderInput}
        type="file"
        className="hidden"
        aria-label="Skill folder to import"
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          e.target.value = '';
          if (files.length > 0) onImport(() => zipFolder(files));
        }}
      />
    </>
  );
}
