import {
  type CreateSkillBody,
  SKILL_IMPORT_MAX_FILES,
  SKILL_IMPORT_MAX_UNPACKED_BYTES,
  type SkillDetail,
  SkillDetailSchema,
  SkillFileContentSchema,
  SkillListSchema,
} from '@contract/skills';
import { zipSync } from 'fflate';
import { ApiError, api, apiSend, errorFromAnswer, parseJson, readAnswer } from '../lib/api';

const base = (name: string) => `/api/skills/${encodeURIComponent(name)}`;

export const loadSkills = (signal?: AbortSignal) => api('/api/skills', SkillListSchema, signal ? { signal } : {});
export const loadSkill = (name: string) => api(base(name), SkillDetailSchema);
export const loadSkillFile = (name: string, path: string) =>
  api(`${base(name)}/files?path=${encodeURIComponent(path)}`, SkillFileContentSchema);
export const createSkill = (body: CreateSkillBody) => api('/api/skills', SkillDetailSchema, { method: 'POST', body });
export const saveSkill = (name: string, source: string) =>
  api(base(name), SkillDetailSchema, { method: 'PUT', body: { source } });
export const deleteSkill = (name: string) => apiSend(base(name), { method: 'DELETE' });
export const setSkillEnabled = (name: string, enabled: boolean) =>
  apiSend(`${base(name)}/enabled`, { method: 'PUT', body: { enabled } });
export const setProjectTrust = (trusted: boolean) => apiSend('/api/skills', { method: 'PATCH', body: { trusted } });
export const exportUrl = (name: string) => `${base(name)}/export`;

/** Sends a `.zip` as the body of the import; the server unpacks and checks it. */
export async function importSkillZip(zip: Blob): Promise<SkillDetail> {
  let response: Response;
  try {
    response = await fetch('/api/skills/import', {
      method: 'POST',
      headers: { 'Content-Type': 'application/zip' },
      body: zip,
    });
  } catch {
    throw new ApiError(0, 'network_error', 'Cannot reach the boxagnts server. Is it still running?');
  }
  const data = parseJson(await response.text());
  if (!response.ok) throw errorFromAnswer(response.status, data, `Import failed (${response.status})`);
  return readAnswer(SkillDetailSchema, data, 'POST /api/skills/import', response.status);
}

/**
 * A folder chosen in the browser (`<input webkitdirectory>`), zipped here with the paths the browser gives, so the
 * server's one import path checks it like any `.zip`.
 */
export async function zipFolder(files: readonly File[]): Promise<Blob> {
  if (files.length > SKILL_IMPORT_MAX_FILES)
    throw new Error(`The folder has ${files.length} files; a skill may have at most ${SKILL_IMPORT_MAX_FILES}.`);
  const total = files.reduce((sum, file) => sum + file.size, 0);
  if (total > SKILL_IMPORT_MAX_UNPACKED_BYTES)
    throw new Error(`The folder holds ${total} bytes; a skill may hold at most ${SKILL_IMPORT_MAX_UNPACKED_BYTES}.`);
  const entries: Record<string, Uint8Array> = {};
  for (const file of files) entries[file.webkitRelativePath || file.name] = new Uint8Array(await file.arrayBuffer());
  return new Blob([zipSync(entries)], { type: 'application/zip' });
}
