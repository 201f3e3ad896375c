import { Menu } from 'lucide-react';
import { createContext, useContext } from 'react';
import { interactionsStore } from '../approvals/store';
import { useStore } from '../lib/store';

/** On phones the navigation is folded away, so the menu button itself shows that something waits. */
export function MenuButton({ onClick }: { onClick: () => void }) {
  const waiting = useStore(interactionsStore, (s) => s.pending.length);
  return (
    <button
      type="button"
      aria-label={waiting ? `Open navigation (${waiting} waiting for you)` : 'Open navigation'}
      className="relative rounded p-1.5 hover:bg-zinc-100 dark:hover:bg-zinc-800"
      onClick={onClick}
    >
      <Menu size={20} />
      {waiting > 0 && (
        <span
          aria-hidden
          className="absolute right-0.5 top-0.5 h-2.5 w-2.5 rounded-full bg-amber-500 ring-2 ring-white dark:ring-zinc-950"
        />
      )}
    </button>
  );
}

/** Opens the navigation drawer, for a page that owns the phone's top bar; null on every other page. */
export const OpenNavigation = createContext<(() => void) | null>(null);

/**
 * The navigation's button in the header of a page that owns the phone's top bar (the chat): one bar of 56 px at most
 * instead of two stacked ones. Shown on phones only; the sidebar has the navigation from the medium width up.
 */
export function PhoneMenuButton() {
  const open = useContext(OpenNavigation);
  if (!open) return null;
  return (
    <div className="shrink-0 md:hidden">
      <MenuButton onClick={open} />
    </div>
  );
}
