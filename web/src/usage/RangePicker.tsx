import { useId } from 'react';
import { FieldError, Segmented, cx, inputClass } from '../components/ui';
import { type DayRange, type RangePreset, dayKey } from './range';

const PRESETS: { value: RangePreset; label: string }[] = [
  { value: '7d', label: '7 days' },
  { value: '30d', label: '30 days' },
  { value: 'month', label: 'This month' },
  { value: 'custom', label: 'Custom' },
];

/** The preset buttons, and for a custom range two dates (both days included). */
export function RangePicker({
  preset,
  custom,
  onPreset,
  onCustom,
}: {
  preset: RangePreset;
  custom: DayRange;
  onPreset: (preset: RangePreset) => void;
  onCustom: (range: DayRange) => void;
}) {
  const id = useId();
  const today = dayKey(new Date());
  const backwards = custom.from > custom.to;
  return (
    <div className="flex flex-wrap items-end gap-3">
      <Segmented label="Date range" value={preset} options={PRESETS} onChange={onPreset} />
      {preset === 'custom' && (
        <div className="flex flex-wrap items-end gap-2">
          {(['from', 'to'] as const).map((end) => (
            <label key={end} htmlFor={`${id}-${end}`} className="text-xs text-zinc-600 dark:text-zinc-400">
              {end === 'from' ? 'From' : 'To'}
              <input
                id={`${id}-${end}`}
                type="date"
                value={custom[end]}
                max={today}
                required
                aria-invalid={backwards}
                onChange={(e) => e.target.value && onCustom({ ...custom, [end]: e.target.value })}
                className={cx(inputClass, 'mt-0.5 block w-40 dark:[color-scheme:dark]')}
              />
            </label>
          ))}
        </div>
      )}
      {preset === 'custom' && backwards && <FieldError message="The range must start on or before its last day." />}
    </div>
  );
}
