import type { Health } from '@contract/workspace';
import type { Settings } from '@contract/settings';
import { api } from './lib/api';
import { createStore } from './lib/store';
import { setThemePreference } from './lib/theme';

interface AppState {
  health: Health | null;
  settings: Settings | null;
  loadError: string | null;
}

export const appStore = createStore<AppState>({ health: null, settings: null, loadError: null });

export function applySettings(settings: Settings): void {
  appStore.set({ settings });
  setThemePreference(settings.ui.theme);
}

export async function loadApp(): Promise<void> {
  try {
    const [health, settings] = await Promise.all([api<Health>('/api/health'), api<Settings>('/api/settings')]);
    appStore.set({ health, loadError: null });
    applySettings(settings);
  } catch (error) {
    appStore.set({ loadError: (error as Error).message });
  }
}
