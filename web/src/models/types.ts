import {
  type ModelInfo,
  type Preset,
  type ProviderBody,
  type ProviderView,
  ProviderViewSchema,
} from '@contract/models';
import { type ModelOverride, type ProviderKind, SettingsSchema } from '@contract/settings';
import { Server } from 'lucide-react';
import { ApiError, api } from '../lib/api';
import { applySettings } from '../state';
import { Facts } from './bits';

export const KIND_LABELS: Record<ProviderKind, string> = {
  openai: 'OpenAI API',
  anthropic: 'Anthropic API',
  google: 'Gemini API',
  'openai-compatible': 'OpenAI-compatible API',
  ollama: 'Ollama API',
};

export const SOURCES: Record<ModelInfo['source'], { text: string; title: string }> = {
  settings: { text: 'Your settings', title: 'Limits set by you in .boxagnts/settings.json, over the catalog' },
  'models.dev': { text: 'models.dev', title: 'Facts from the models.dev catalog' },
  builtin: { text: 'Built-in catalog', title: "Facts from boxagnts' built-in catalog" },
  default: {
    text: 'Not in the catalog',
    title: 'No catalog knows this model: these limits are cautious guesses. Edit them if you know better.',
  },
};

export const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
export const exact = new Intl.NumberFormat('en');
export const usd = new Intl.NumberFormat('en', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 4,
});

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Places a server error next to the form field it names. Server fields can be nested (`models.m1.contextWindow`,
 * `providers.x.baseURL`), so the last known segment wins; the "field: " prefix is dropped since the field is right there.
 */
export function placeError<F extends string>(
  error: unknown,
  fields: readonly F[],
): Partial<Record<F | 'form', string>> {
  const placed: Partial<Record<F | 'form', string>> = {};
  const path = error instanceof ApiError ? error.field : undefined;
  const field = path
    ?.split('.')
    .reverse()
    .find((part): part is F => fields.some((f) => f === part));
  const message = errorText(error);
  if (!path || !field) placed.form = message;
  else placed[field] = message.startsWith(`${path}: `) ? message.slice(path.length + 2) : message;
  return placed;
}

export function overridesOf(provider: ProviderView): Record<string, ModelOverride> {
  return Object.fromEntries(Object.entries(provider.models).map(([id, model]) => [id, model.override]));
}

/** The provider as it is now, ready to send back with a change: a PUT replaces the whole provider. */
export function bodyOf(provider: ProviderView): ProviderBody {
  return {
    kind: provider.kind,
    preset: provider.preset,
    label: provider.label,
    baseURL: provider.baseURL,
    enabled: provider.enabled,
    apiKeyEnv: provider.apiKeyEnv,
    models: overridesOf(provider),
  };
}

export function putProvider(id: string, body: ProviderBody): Promise<ProviderView> {
  return api(`/api/providers/${encodeURIComponent(id)}`, ProviderViewSchema, { method: 'PUT', body });
}

export function providerTitle(provider: ProviderView, preset: Preset | undefined): string {
  return provider.label ?? preset?.label ?? provider.id;
}

export function suggestId(base: string, taken: readonly string[]): string {
  if (!taken.includes(base)) return base;
  for (let n = 2; ; n++) if (!taken.includes(`${base}-${n}`)) return `${base}-${n}`;
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The app store mirrors settings.json, so it must hear about changes made here (deleting a provider can unset the default). */
export async function syncSettings(): Promise<void> {
  applySettings(await api('/api/settings', SettingsSchema));
}
