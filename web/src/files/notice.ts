import { createStore } from '../lib/store';

export interface Notice {
  id: number;
  tone: 'info' | 'error';
  message: string;
  /** One follow-up, e.g. Undo after moving something to the trash. */
  action?: { label: string; run: () => void };
}

/** The page's one status line: what an action did or why it was refused. A newer notice replaces the older one. */
export const noticeStore = createStore<{ notice: Notice | null }>({ notice: null });

let nextId = 0;

export function notify(message: string, options: { tone?: Notice['tone']; action?: Notice['action'] } = {}): void {
  noticeStore.set({
    notice: {
      id: ++nextId,
      tone: options.tone ?? 'info',
      message,
      ...(options.action ? { action: options.action } : {}),
    },
  });
}

export const notifyError = (error: unknown) =>
  notify(error instanceof Error ? error.message : String(error), { tone: 'error' });

export function dismissNotice(id: number): void {
  if (noticeStore.get().notice?.id === id) noticeStore.set({ notice: null });
}
