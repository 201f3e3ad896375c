import { useRef, useState } from 'react';

/**
 * The draft of a field that adds an entry to a saved list. One save at a time: a second one would start from the
 * list as it was before the first and drop its entry. After a save the field is emptied only if it still holds what
 * was saved, so what the user typed meanwhile is kept.
 */
export function useDraft<T>(empty: T) {
  const [draft, setDraft] = useState<T>(empty);
  const [busy, setBusy] = useState(false);
  const saving = useRef(false);
  const submit = async (save: (value: T) => Promise<boolean>): Promise<void> => {
    if (saving.current) return;
    saving.current = true;
    setBusy(true);
    const submitted = draft;
    try {
      if (await save(submitted)) setDraft((current) => (current === submitted ? empty : current));
    } finally {
      saving.current = false;
      setBusy(false);
    }
  };
  return { draft, setDraft, busy, submit };
}
