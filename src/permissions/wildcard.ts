/**
 * Wildcard patterns for permission rules: `*` matches any run of characters (slashes and spaces included, so
 * `src/*` covers everything under src/ and `git status*` any `git status …` command), `?` one character.
 * Everything else is literal. Matching is case-sensitive and covers the whole text.
 */
export function wildcardToRegExp(pattern: string): RegExp {
  let source = '';
  for (const char of pattern) {
    if (char === '*') source += source.endsWith('.*') ? '' : '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[\\^$.+()|[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

export function matchesWildcard(pattern: string, text: string): boolean {
  return wildcardToRegExp(pattern).test(text);
}
