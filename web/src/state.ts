import { type Health, HealthSchema } from '@contract/workspace';
import { type Settings, SettingsSchema } from '@contract/settings';
import { api, errorMessage } from './lib/api';
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
    const [health, settings] = await Promise.all([
      api('/api/health', HealthSchema),
      api('/api/settings', SettingsSchema),
    ]);
    appStore.set({ health, loadError: null });
    applySettings(settings);
  } catch (error) {
    appStore.set({ loadError: errorMessage(error) });
  }
}
