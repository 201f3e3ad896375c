import { type UploadResult, UploadResultSchema } from '@contract/files';
import { ApiError, errorFromAnswer, errorMessage, readAnswer } from '../lib/api';
import { createStore } from '../lib/store';
import { formatBytes } from '../lib/format';
import { nameOf } from './files-api';
import { notify, notifyError } from './notice';
import * as tree from './tree-store';

export interface Upload {
  id: number;
  dir: string;
  label: string;
  /** Bytes of all its files together. */
  total: number;
  /** How much of the request has been sent, 0 to 1. */
  sent: number;
}

/** Uploads under way, for the progress shown under the tree. */
export const uploadsStore = createStore<{ uploads: Upload[] }>({ uploads: [] });

/** XMLHttpRequest rather than fetch: only it reports how much of a request body has been sent. */
function send(dir: string, files: File[], onProgress: (sent: number) => void): Promise<UploadResult['uploaded']> {
  const form = new FormData();
  for (const file of files) form.append('file', file, file.name);
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', `/api/files/upload?path=${encodeURIComponent(dir)}`);
    request.responseType = 'json';
    request.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total);
    request.onload = () => {
      // With responseType 'json' the browser has parsed the body already (null when it was not JSON).
      const body: unknown = request.response;
      try {
        if (request.status !== 201)
          throw errorFromAnswer(request.status, body, `The upload failed (${request.status}).`);
        resolve(readAnswer(UploadResultSchema, body, `POST /api/files/upload`, request.status).uploaded);
      } catch (error) {
        reject(error);
      }
    };
    // The server may answer a too large upload before it has all of it and close the connection under the browser.
    request.onerror = () =>
      reject(
        new ApiError(
          0,
          'network_error',
          'The upload was cut off. The server may have stopped it for its size (settings: files.maxUploadBytes), or it is no longer running.',
        ),
      );
    request.send(form);
  });
}

let nextId = 0;

/**
 * Uploads files into a folder (a taken name gets " (1)"), then shows them in the tree. `foldersLeftOut`: folders
 * that were dropped with them, named in the message.
 */
export async function uploadFiles(dir: string, files: File[], foldersLeftOut: string[] = []): Promise<void> {
  const leftOut = foldersLeftOut.length > 0 ? ` Folders are not uploaded: ${foldersLeftOut.join(', ')}.` : '';
  if (files.length === 0) {
    if (leftOut) notifyError(new Error(`Nothing was uploaded.${leftOut} Drop the files inside them instead.`));
    return;
  }
  const total = files.reduce((sum, f) => sum + f.size, 0);
  const upload: Upload = {
    id: ++nextId,
    dir,
    label: files.length === 1 ? files[0]!.name : `${files.length} files`,
    total,
    sent: 0,
  };
  uploadsStore.set((s) => ({ uploads: [...s.uploads, upload] }));
  const progress = (sent: number) =>
    uploadsStore.set((s) => ({ uploads: s.uploads.map((u) => (u.id === upload.id ? { ...u, sent } : u)) }));
  try {
    const uploaded = await send(dir, files, progress);
    await tree.loadFolder(dir);
    const [first] = uploaded;
    if (first) await tree.reveal(first.path);
    const names = uploaded.length === 1 && first ? first.name : `${uploaded.length} files`;
    notify(`Uploaded ${names} (${formatBytes(total)}) to ${dir ? nameOf(dir) : 'the workspace'}.${leftOut}`);
  } catch (error) {
    notifyError(new Error(`${upload.label} was not uploaded: ${errorMessage(error)}`));
  } finally {
    uploadsStore.set((s) => ({ uploads: s.uploads.filter((u) => u.id !== upload.id) }));
  }
}

/** Files dropped from the computer. A dropped folder cannot be sent as a file, so it is left out and named. */
export function uploadDropped(dir: string, data: DataTransfer): void {
  const files: File[] = [];
  const folders: string[] = [];
  for (const item of data.items) {
    const file = item.kind === 'file' ? item.getAsFile() : null;
    if (!file) continue;
    if (item.webkitGetAsEntry()?.isDirectory) folders.push(file.name);
    else files.push(file);
  }
  void uploadFiles(dir, files, folders);
}
