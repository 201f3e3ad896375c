/** Characters of output a tool hands the model: enough to be useful, little enough to leave room for the rest. */
export const OUTPUT_CAP = 30_000;

/** Keeps the start and the end of a long text and says how much of the middle was cut. */
export function capOutput(text: string, cap = OUTPUT_CAP): string {
  if (text.length <= cap) return text;
  const half = Math.floor(cap / 2);
  return `${text.slice(0, half)}\n… ${(text.length - 2 * half).toLocaleString('en')} characters cut …\n${text.slice(-half)}`;
}
