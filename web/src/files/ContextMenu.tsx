import type { LucideIcon } from 'lucide-react';
import { Fragment, type KeyboardEvent, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { cx } from '../components/ui';

export interface MenuItem {
  label: string;
  icon: LucideIcon;
  onSelect: () => void;
  disabled?: boolean;
  danger?: boolean;
  /** Draws a line above the item, to group what belongs together. */
  separated?: boolean;
}

/**
 * A menu of commands at a point on screen (where the pointer was, or under the row it is for), kept inside the
 * window. Arrow keys, Home and End move; Enter picks; Escape, Tab or a click elsewhere closes it and focus goes
 * back where it was.
 */
export function ContextMenu({
  label,
  x,
  y,
  items,
  onClose,
}: {
  label: string;
  x: number;
  y: number;
  items: MenuItem[];
  onClose: () => void;
}) {
  const menu = useRef<HTMLDivElement>(null);
  const close = useRef(onClose);
  useEffect(() => {
    close.current = onClose;
  }, [onClose]);
  const [position, setPosition] = useState({ left: x, top: y });

  useLayoutEffect(() => {
    const el = menu.current;
    if (!el) return;
    const margin = 8;
    setPosition({
      left: Math.max(margin, Math.min(x, window.innerWidth - el.offsetWidth - margin)),
      top: Math.max(margin, Math.min(y, window.innerHeight - el.offsetHeight - margin)),
    });
  }, [x, y]);

  useEffect(() => {
    const returnTo = document.activeElement as HTMLElement | null;
    menu.current?.querySelector<HTMLElement>('[role="menuitem"]:not([disabled])')?.focus();
    const onPointerDown = (event: PointerEvent) => {
      if (!menu.current?.contains(event.target as Node)) close.current();
    };
    document.addEventListener('pointerdown', onPointerDown, true);
    return () => {
      document.removeEventListener('pointerdown', onPointerDown, true);
      // Unless what the item opened (a dialog) has taken the focus already.
      if (returnTo?.isConnected && document.activeElement === document.body) returnTo.focus();
    };
  }, []);

  const onKeyDown = (event: KeyboardEvent) => {
    const enabled = [...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]:not([disabled])') ?? [])];
    const index = enabled.indexOf(document.activeElement as HTMLElement);
    const focusAt = (i: number) => enabled[(i + enabled.length) % enabled.length]?.focus();
    if (event.key === 'ArrowDown') focusAt(index + 1);
    else if (event.key === 'ArrowUp') focusAt(index - 1);
    else if (event.key === 'Home') focusAt(0);
    else if (event.key === 'End') focusAt(enabled.length - 1);
    else if (event.key === 'Escape' || event.key === 'Tab') onClose();
    else return;
    event.preventDefault();
    event.stopPropagation();
  };

  return (
    <div
      ref={menu}
      role="menu"
      aria-label={label}
      onKeyDown={onKeyDown}
      onContextMenu={(e) => e.preventDefault()}
      style={position}
      className="fixed z-50 min-w-48 max-w-[calc(100vw-1rem)] rounded-lg border border-zinc-200 bg-white py-1 shadow-lg dark:border-zinc-700 dark:bg-zinc-900"
    >
      {items.map((item) => (
        <Fragment key={item.label}>
          {item.separated && <div role="separator" className="my-1 border-t border-zinc-200 dark:border-zinc-800" />}
          <button
            type="button"
            role="menuitem"
            tabIndex={-1}
            disabled={item.disabled}
            onClick={() => {
              onClose();
              item.onSelect();
            }}
            className={cx(
              // A disabled item is grey rather than faded, so its name stays readable (4.5:1) in either theme.
              'flex w-full items-center gap-2.5 px-3 py-1.5 text-left text-sm focus:outline-none disabled:cursor-not-allowed disabled:text-zinc-500 dark:disabled:text-zinc-400',
              item.danger
                ? 'text-red-700 enabled:hover:bg-red-50 focus:bg-red-50 dark:text-red-400 dark:enabled:hover:bg-red-950/60 dark:focus:bg-red-950/60'
                : 'text-zinc-800 enabled:hover:bg-zinc-100 focus:bg-zinc-100 dark:text-zinc-200 dark:enabled:hover:bg-zinc-800 dark:focus:bg-zinc-800',
            )}
          >
            <item.icon aria-hidden size={15} className="shrink-0 opacity-80" />
            {item.label}
          </button>
        </Fragment>
      ))}
    </div>
  );
}
