import { api } from './lib/api';
import { createStore } from './lib/store';
import { type ThemePreference, setThemePreference } from './lib/theme';

export interface Health {
  status: string;
  version: string;
  workspace: string;
  uptimeMs: number;
}

/** Mirrors the server's settings schema (src/workspace/settings.ts). */
export interface Settings {
  ui: { theme: ThemePreference };
  server: { allowedHosts: string[] };
}

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
