import type { ButtonHTMLAttributes, KeyboardEvent, ReactNode, Ref } from 'react';

export function cx(...classes: (string | false | null | undefined)[]): string {
  return classes.filter(Boolean).join(' ');
}

type Variant = 'primary' | 'secondary' | 'danger' | 'ghost' | 'danger-ghost';

/**
 * Hover colours apply to enabled buttons only, and a disabled button of any variant turns grey: its text stays
 * readable (at least 4.5:1 against its own background in either theme) while no longer looking like an action.
 */
const VARIANTS: Record<Variant, string> = {
  primary:
    'bg-teal-700 text-white enabled:hover:bg-teal-800 disabled:bg-zinc-200 disabled:text-zinc-600 dark:disabled:bg-zinc-800 dark:disabled:text-zinc-400',
  secondary:
    'border border-zinc-300 bg-white text-zinc-800 enabled:hover:bg-zinc-50 disabled:border-zinc-200 disabled:bg-zinc-100 disabled:text-zinc-600 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:enabled:hover:bg-zinc-800 dark:disabled:border-zinc-800 dark:disabled:bg-zinc-950 dark:disabled:text-zinc-400',
  danger:
    'bg-red-600 text-white enabled:hover:bg-red-700 disabled:bg-zinc-200 disabled:text-zinc-600 dark:disabled:bg-zinc-800 dark:disabled:text-zinc-400',
  ghost:
    'text-zinc-700 enabled:hover:bg-zinc-100 disabled:text-zinc-500 dark:text-zinc-300 dark:enabled:hover:bg-zinc-800 dark:disabled:text-zinc-400',
  /** A destructive action that should not shout, e.g. one that asks for confirmation next. */
  'danger-ghost':
    'text-red-700 enabled:hover:bg-red-50 disabled:text-zinc-500 dark:text-red-400 dark:enabled:hover:bg-red-950/60 dark:disabled:text-zinc-400',
};

export function Button({
  variant = 'secondary',
  className,
  ref,
  ...props
}: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant; ref?: Ref<HTMLButtonElement> }) {
  return (
    <button
      ref={ref}
      type="button"
      className={cx(
        'inline-flex items-center justify-center gap-1.5 rounded-md px-3 py-1.5 text-sm font-medium transition-colors disabled:cursor-not-allowed',
        VARIANTS[variant],
        className,
      )}
      {...props}
    />
  );
}

export function PageHeader({
  title,
  description,
  actions,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <header className="mb-6 flex flex-wrap items-start justify-between gap-3">
      <div className="min-w-0">
        <h1 className="text-xl font-semibold tracking-tight">{title}</h1>
        {description && <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{description}</p>}
      </div>
      {actions && <div className="flex gap-2">{actions}</div>}
    </header>
  );
}

export function Card({
  title,
  description,
  children,
}: {
  title?: string;
  description?: ReactNode;
  children: ReactNode;
}) {
  return (
    <section className="rounded-lg border border-zinc-200 bg-white p-4 sm:p-5 dark:border-zinc-800 dark:bg-zinc-900">
      {title && <h2 className="text-base font-semibold">{title}</h2>}
      {description && <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{description}</p>}
      <div className={title || description ? 'mt-4' : ''}>{children}</div>
    </section>
  );
}

export function FieldError({ message }: { message?: string | null | undefined }) {
  if (!message) return null;
  return (
    <p role="alert" className="mt-1.5 text-sm text-red-700 dark:text-red-400">
      {message}
    </p>
  );
}

export const inputClass =
  'w-full rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm text-zinc-900 placeholder:text-zinc-400 focus:border-teal-600 focus:outline-none dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100';

/**
 * A choice of one among a few, acting at once: a radio group, so Tab reaches the chosen option and the arrow keys
 * move the choice. `wide` fills the width it is given.
 */
export function Segmented<T extends string>({
  label,
  value,
  options,
  onChange,
  wide = false,
}: {
  label: string;
  value: T;
  options: { value: T; label: string }[];
  onChange: (value: T) => void;
  wide?: boolean;
}) {
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
    if (step === undefined) return;
    event.preventDefault();
    const index = options.findIndex((o) => o.value === value);
    const next = options[(index + step + options.length) % options.length];
    if (!next) return;
    onChange(next.value);
    event.currentTarget.querySelector<HTMLElement>(`[data-value="${CSS.escape(next.value)}"]`)?.focus();
  };
  return (
    <div
      role="radiogroup"
      aria-label={label}
      onKeyDown={onKeyDown}
      className={cx('rounded-md border border-zinc-300 p-0.5 dark:border-zinc-700', wide ? 'flex' : 'inline-flex')}
    >
      {options.map((option) => (
        <button
          key={option.value}
          type="button"
          role="radio"
          data-value={option.value}
          aria-checked={value === option.value}
          // One stop for Tab: the chosen option (the first when none is), as radio groups do.
          tabIndex={
            value === option.value || (!options.some((o) => o.value === value) && option === options[0]) ? 0 : -1
          }
          onClick={() => onChange(option.value)}
          className={cx(
            'rounded px-3 py-1 text-sm',
            wide && 'flex-1',
            value === option.value
              ? 'bg-teal-700 text-white'
              : 'text-zinc-700 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800',
          )}
        >
          {option.label}
        </button>
      ))}
    </div>
  );
}

/** An on/off control that acts at once (unlike a checkbox in a form that waits for Save). */
export function Switch({
  checked,
  onChange,
  label,
  disabled,
}: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  label: string;
  disabled?: boolean | undefined;
}) {
  return (
    <button
      type="button"
      role="switch"
      aria-checked={checked}
      aria-label={label}
      disabled={disabled}
      onClick={() => onChange(!checked)}
      className={cx(
        'relative inline-flex h-5 w-9 shrink-0 items-center rounded-full transition-colors disabled:cursor-not-allowed disabled:opacity-50',
        // Both states keep 3:1 against the page in either theme (WCAG 1.4.11).
        checked ? 'bg-teal-700 dark:bg-teal-600' : 'bg-zinc-500',
      )}
    >
      <span
        className={cx(
          'inline-block h-4 w-4 rounded-full bg-white shadow-sm transition-transform',
          checked ? 'translate-x-4.5' : 'translate-x-0.5',
        )}
      />
    </button>
  );
}

type Tone = 'neutral' | 'teal' | 'green' | 'amber' | 'red';

const TONES: Record<Tone, string> = {
  neutral: 'bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300',
  teal: 'bg-teal-50 text-teal-800 dark:bg-teal-950 dark:text-teal-200',
  green: 'bg-emerald-50 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200',
  amber: 'bg-amber-50 text-amber-800 dark:bg-amber-950 dark:text-amber-200',
  red: 'bg-red-50 text-red-800 dark:bg-red-950 dark:text-red-200',
};

export function Badge({ tone = 'neutral', title, children }: { tone?: Tone; title?: string; children: ReactNode }) {
  return (
    <span
      title={title}
      className={cx(
        'inline-flex items-center gap-1 rounded px-1.5 py-0.5 text-xs font-medium whitespace-nowrap',
        TONES[tone],
      )}
    >
      {children}
    </span>
  );
}
