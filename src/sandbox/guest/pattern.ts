/**
 * How grep compiles a pattern, in the guest and on the host alike (sandbox/file-scan.ts): with the `u` flag first, so
 * that `\p{…}` classes and astral characters work, then without it, which accepts the looser syntax (`\-`, a lone
 * `{`) models often write. Only a pattern both reject is invalid; the error thrown is the one without `u`.
 */
export function compilePattern(pattern: string, flags: string): RegExp {
  try {
    return new RegExp(pattern, `${flags}u`);
  } catch {
    // Retried below without the u flag; its error is the one to report.
  }
  return new RegExp(pattern, flags);
}
