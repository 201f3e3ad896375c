import type { Settings } from '@contract/settings';

export type ThemePreference = Settings['ui']['theme'];

const query = window.matchMedia('(prefers-color-scheme: dark)');
let preference: ThemePreference = 'system';

function apply(): void {
  const dark = preference === 'dark' || (preference === 'system' && query.matches);
  document.documentElement.classList.toggle('dark', dark);
  document.documentElement.style.colorScheme = dark ? 'dark' : 'light';
}

query.addEventListener('change', apply);
apply();

/** Follows the system setting unless the workspace settings pin light or dark. */
export function setThemePreference(next: ThemePreference): void {
  preference = next;
  apply();
}
