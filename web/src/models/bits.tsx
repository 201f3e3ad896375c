import type { ModelInfo, ProviderView } from '@contract/models';
import {
  Brain,
  CircleAlert,
  CircleCheck,
  Eye,
  KeyRound,
  LoaderCircle,
  type LucideIcon,
  TriangleAlert,
  Wrench,
  X,
} from 'lucide-react';
import { type ReactNode } from 'react';
import { Badge, FieldError, cx } from '../components/ui';
import { SOURCES, compact, exact, usd } from './types';

export function Spin() {
  return <LoaderCircle aria-hidden size={15} className="animate-spin" />;
}

export function BusyIcon({ busy, icon: Icon }: { busy: boolean; icon: LucideIcon }) {
  return busy ? <Spin /> : <Icon aria-hidden size={15} />;
}

export function FormField({
  id,
  label,
  hint,
  error,
  children,
}: {
  id: string;
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  children: ReactNode;
}) {
  return (
    <div className="min-w-0">
      <label htmlFor={id} className="mb-1 block text-sm font-medium">
        {label}
      </label>
      {children}
      {error ? (
        <FieldError message={error} />
      ) : (
        hint && <div className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">{hint}</div>
      )}
    </div>
  );
}

/** What a page could not load, the error, and a way to try again. */
export function LoadFailed({ title, error, onRetry }: { title: string; error: string; onRetry: () => void }) {
  return (
    <Notice tone="error" title={title}>
      {error}{' '}
      <button type="button" className="font-medium underline underline-offset-2" onClick={onRetry}>
        Try again
      </button>
    </Notice>
  );
}

/** A result or a problem; line breaks are kept because providers' error messages can have them. */
export function Notice({
  tone,
  title,
  children,
  onClose,
}: {
  tone: 'ok' | 'error' | 'warn';
  title?: ReactNode;
  children?: ReactNode;
  onClose?: () => void;
}) {
  const Icon = tone === 'ok' ? CircleCheck : tone === 'error' ? CircleAlert : TriangleAlert;
  return (
    <div
      role={tone === 'ok' ? 'status' : 'alert'}
      className={cx(
        'flex items-start gap-2 rounded-md border px-3 py-2 text-sm',
        tone === 'ok' &&
          'border-emerald-200 bg-emerald-50 text-emerald-900 dark:border-emerald-900 dark:bg-emerald-950/60 dark:text-emerald-100',
        tone === 'error' &&
          'border-red-200 bg-red-50 text-red-900 dark:border-red-900 dark:bg-red-950/60 dark:text-red-100',
        tone === 'warn' &&
          'border-amber-200 bg-amber-50 text-amber-900 dark:border-amber-900 dark:bg-amber-950/60 dark:text-amber-100',
      )}
    >
      <Icon aria-hidden size={16} className="mt-0.5 shrink-0" />
      <div className="min-w-0 flex-1">
        {title && <div className="font-medium">{title}</div>}
        {children && <div className="break-words whitespace-pre-wrap">{children}</div>}
      </div>
      {onClose && (
        <button
          type="button"
          aria-label="Dismiss"
          onClick={onClose}
          className="-m-1 rounded p-1 opacity-70 hover:opacity-100"
        >
          <X aria-hidden size={15} />
        </button>
      )}
    </div>
  );
}

// ---- Default model ----

export function KeyStatus({ provider, local }: { provider: ProviderView; local: boolean }) {
  if (provider.keySource === 'secrets')
    return (
      <Badge tone="green" title="Stored in .boxagnts/secrets.json">
        <KeyRound aria-hidden size={12} /> Key stored
      </Badge>
    );
  if (provider.keySource === 'env')
    return (
      <Badge tone="teal" title="Read from the server's environment">
        <KeyRound aria-hidden size={12} /> Key from ${provider.keyEnv}
      </Badge>
    );
  return (
    <Badge
      tone={local || !provider.keyEnv ? 'neutral' : 'amber'}
      title={
        provider.keyEnv
          ? `Enter a key with Edit, or set ${provider.keyEnv} where the server runs`
          : 'Enter a key with Edit if the server asks for one'
      }
    >
      <KeyRound aria-hidden size={12} /> No key
    </Badge>
  );
}

export function Facts({ info }: { info: ModelInfo }) {
  const source = SOURCES[info.source];
  return (
    <div className="mt-1 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-zinc-600 dark:text-zinc-400">
      <span title={`${exact.format(info.contextWindow)} tokens`}>{compact.format(info.contextWindow)} context</span>
      <span title={`${exact.format(info.maxOutput)} tokens`}>{compact.format(info.maxOutput)} output</span>
      <span title="USD per million tokens, input / output">
        {info.pricing
          ? `${usd.format(info.pricing.input)} in · ${usd.format(info.pricing.output)} out per 1M`
          : 'Price unknown'}
      </span>
      <span className="flex flex-wrap gap-1">
        {info.tools ? (
          <Badge>
            <Wrench aria-hidden size={11} /> Tools
          </Badge>
        ) : (
          <span title="The model takes no tool calls natively: its tools are described in its prompt and its calls read from its answers.">
            Tools through the prompt
          </span>
        )}
        {info.vision && (
          <Badge>
            <Eye aria-hidden size={11} /> Vision
          </Badge>
        )}
        {info.reasoning && (
          <Badge>
            <Brain aria-hidden size={11} /> Reasoning
          </Badge>
        )}
      </span>
      <span title={source.title} className={cx(info.source === 'default' && 'text-amber-700 dark:text-amber-400')}>
        Source: {source.text}
      </span>
    </div>
  );
}
