import { createTwoFilesPatch } from 'diff';

/** Past this much text (before and after together) no patch is worked out: it would cost the call too much. */
const MAX_INPUT_CHARS = 1024 * 1024;
/** Past this many changed lines the diff gives up: the change is a rewrite, better read than diffed. */
const MAX_EDIT_LENGTH = 5000;
/** The patch is kept with the session; a larger one is left out. */
const MAX_PATCH_CHARS = 200_000;

/**
 * The change a write or edit made, as a unified diff for the chat to show (it goes into the result's metadata, which
 * the model does not see), or why there is none.
 */
export function changeOf(path: string, before: string, after: string): { patch: string } | { patchOmitted: string } {
  if (before.length + after.length > MAX_INPUT_CHARS) return { patchOmitted: 'the file is too large to diff' };
  const name = path.replace(/^\/+/, '');
  const patch = createTwoFilesPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, {
    context: 3,
    maxEditLength: MAX_EDIT_LENGTH,
  });
  if (patch === undefined) return { patchOmitted: 'the change is too large to diff' };
  // The library starts with a line of "=" (a separator for several files in one patch): one file needs none.
  const trimmed = patch.replace(/^=+\n/, '');
  if (trimmed.length > MAX_PATCH_CHARS) return { patchOmitted: 'the diff is too large to keep' };
  return { patch: trimmed };
}
