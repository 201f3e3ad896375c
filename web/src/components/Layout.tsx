import { type ReactNode, useCallback, useState } from 'react';
import { Drawer } from './Drawer';
import { MenuButton, OpenNavigation } from './MenuButton';
import { onLinkClick } from '../lib/router';
import { useStore } from '../lib/store';
import { NAV } from '../nav';
import { appStore } from '../state';
import { cx } from './ui';

function Logo() {
  return (
    <div className="flex items-center gap-2">
      <img src="/favicon.svg" alt="" className="h-7 w-7" />
      <span className="text-base font-semibold tracking-tight">boxagnts</span>
    </div>
  );
}

function Count({ use, label }: { use: () => number; label: string }) {
  const count = use();
  if (count === 0) return null;
  return (
    <span
      className="ml-auto rounded-full bg-amber-500 px-1.5 text-xs font-semibold text-white"
      aria-label={`${count} waiting`}
      data-testid={`${label.toLowerCase()}-count`}
    >
      {count}
    </span>
  );
}

function NavLinks({ path, onNavigate }: { path: string; onNavigate?: () => void }) {
  return (
    <nav aria-label="Main" className="flex-1 space-y-5 overflow-y-auto px-3 py-4">
      {NAV.map((group) => (
        <div key={group.label}>
          <h2 className="px-2 pb-1 text-xs font-medium uppercase tracking-wide text-zinc-500 dark:text-zinc-500">
            {group.label}
          </h2>
          <ul className="space-y-0.5">
            {group.items.map((item) => {
              const active = path === item.path || path.startsWith(`${item.path}/`);
              return (
                <li key={item.path}>
                  <a
                    href={item.path}
                    onClick={onLinkClick(item.path, onNavigate)}
                    aria-current={active ? 'page' : undefined}
                    className={cx(
                      'flex items-center gap-2.5 rounded-md px-2 py-1.5 text-sm',
                      active
                        ? 'bg-teal-50 font-medium text-teal-800 dark:bg-teal-950 dark:text-teal-200'
                        : 'text-zinc-700 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800',
                    )}
                  >
                    <item.icon aria-hidden size={16} className="shrink-0" />
                    {item.label}
                    {item.useCount && <Count use={item.useCount} label={item.label} />}
                  </a>
                </li>
              );
            })}
          </ul>
        </div>
      ))}
    </nav>
  );
}

/** Which folder the agent works in: the whole path, since `npm start` serves its own repository unless told otherwise. */
function WorkspaceFooter() {
  const health = useStore(appStore, (s) => s.health);
  if (!health) return null;
  return (
    <section
      aria-label="Workspace"
      className="space-y-0.5 border-t border-zinc-200 px-5 py-3 text-xs text-zinc-600 dark:border-zinc-800 dark:text-zinc-400"
    >
      <h2 className="font-medium uppercase tracking-wide">Workspace</h2>
      <p className="truncate text-sm font-semibold text-zinc-900 dark:text-zinc-100" title={health.workspaceDir}>
        {health.workspace}
      </p>
      {/* One line, cut at its start when long: the end of a path says more than its beginning. */}
      <p
        className="truncate font-mono [direction:rtl] [text-align:left]"
        title={health.workspaceDir}
        data-testid="workspace-dir"
      >
        <bdi>{health.workspaceDir}</bdi>
      </p>
      <p>
        Another folder: start with <code className="whitespace-nowrap font-mono">--workspace-dir DIR</code>
      </p>
      <p>v{health.version}</p>
    </section>
  );
}

/** On phones the sidebar is folded away: the header still says which workspace this is. */
function WorkspaceName() {
  const health = useStore(appStore, (s) => s.health);
  if (!health) return null;
  return (
    <span className="ml-auto min-w-0 truncate text-xs text-zinc-600 dark:text-zinc-400" title={health.workspaceDir}>
      {health.workspace}
    </span>
  );
}

export function Layout({
  path,
  fullBleed,
  ownsPhoneBar,
  children,
}: {
  path: string;
  fullBleed: boolean;
  ownsPhoneBar: boolean;
  children: ReactNode;
}) {
  const [drawerOpen, setDrawerOpen] = useState(false);
  const closeDrawer = useCallback(() => setDrawerOpen(false), []);
  const openDrawer = useCallback(() => setDrawerOpen(true), []);
  const loadError = useStore(appStore, (s) => s.loadError);

  return (
    <div className="flex h-full">
      <aside className="hidden w-60 shrink-0 flex-col border-r border-zinc-200 bg-zinc-50 md:flex dark:border-zinc-800 dark:bg-zinc-900/60">
        <div className="px-5 pt-4">
          <Logo />
        </div>
        <NavLinks path={path} />
        <WorkspaceFooter />
      </aside>

      {drawerOpen && (
        <Drawer label="Navigation" hiddenFrom="md" header={<Logo />} onClose={closeDrawer}>
          <NavLinks path={path} onNavigate={closeDrawer} />
          <WorkspaceFooter />
        </Drawer>
      )}

      <div className="flex min-w-0 flex-1 flex-col">
        {!ownsPhoneBar && (
          <header className="flex items-center gap-3 border-b border-zinc-200 px-4 py-2.5 md:hidden dark:border-zinc-800">
            <MenuButton onClick={openDrawer} />
            <Logo />
            <WorkspaceName />
          </header>
        )}
        {loadError && (
          <div
            role="alert"
            className="border-b border-red-200 bg-red-50 px-4 py-2 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200"
          >
            {loadError}
          </div>
        )}
        <OpenNavigation.Provider value={ownsPhoneBar ? openDrawer : null}>
          {fullBleed ? (
            <main className="min-h-0 flex-1">{children}</main>
          ) : (
            <main className="min-h-0 flex-1 overflow-y-auto">
              <div className="mx-auto max-w-5xl px-4 py-6 sm:px-8">{children}</div>
            </main>
          )}
        </OpenNavigation.Provider>
      </div>
    </div>
  );
}
