/**
 * The load option `patterns`: globs matched against an item's file name in its type folder, e.g.
 * `*.yaml` or `lead_*`. `*` matches any run of characters, `?` one character; everything else is
 * literal. A name matches when any pattern matches it.
 */
export function matchesPatterns(fileName: string, patterns: string[] | undefined): boolean {
  if (patterns === undefined) return true;
  return patterns.some((pattern) => globToRegExp(pattern).test(fileName));
}

function globToRegExp(pattern: string): RegExp {
  const source = [...pattern]
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's');
}
