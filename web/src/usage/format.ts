import type { UsageTotals } from '@contract/usage';

const usd = new Intl.NumberFormat('en', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
const smallUsd = new Intl.NumberFormat('en', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 4,
});
export const exact = new Intl.NumberFormat('en');
export const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 1 });

/** Dollars, with cents to the hundredth of a cent below a dollar (a model call often costs less than one cent). */
export const dollars = (value: number) => (value < 1 ? smallUsd : usd).format(value);

/**
 * What a set of calls cost, honestly: "unknown" when no call's model had a price, "≥ $X" when some had none (what is
 * known is a lower bound), "$X" when every call was priced. Never $0 for calls of unknown price.
 */
export function costText(totals: Pick<UsageTotals, 'calls' | 'costUsd' | 'unpricedCalls'>): string {
  if (totals.unpricedCalls === 0) return dollars(totals.costUsd);
  if (totals.unpricedCalls === totals.calls) return 'unknown';
  return `≥ ${dollars(totals.costUsd)}`;
}

/** Why a cost reads as it does, for a tooltip; undefined when every call was priced. */
export function costNote(totals: Pick<UsageTotals, 'calls' | 'unpricedCalls'>): string | undefined {
  if (totals.unpricedCalls === 0) return undefined;
  const calls = `${exact.format(totals.unpricedCalls)} of ${exact.format(totals.calls)} call${totals.calls === 1 ? '' : 's'}`;
  return `${calls} used a model without a known price: their cost is unknown.`;
}

export const hitRate = (rate: number | null) => (rate === null ? '—' : percent.format(rate));
