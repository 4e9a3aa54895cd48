import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// Every relative link in the README, the guides and the examples' README leads somewhere: the file
// exists and, with a #fragment into a Markdown file, that file has the heading (GitHub's anchors).
const root = join(import.meta.dirname, '..', '..');
const pages = [
  'README.md',
  'CONTRIBUTING.md',
  'examples/README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => `docs/${file}`),
];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, heading] of withoutCode(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = heading
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** Fenced code blocks hold example text, not links or headings. */
const withoutCode = (markdown: string) => markdown.replace(/^```[\s\S]*?^```/gm, '');

function relativeLinks(markdown: string): string[] {
  const text = withoutCode(markdown).replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((match) => match[1])
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

function brokenLinks(page: string): string[] {
  const broken: string[] = [];
  const markdown = readFileSync(join(root, page), 'utf8');
  for (const link of relativeLinks(markdown)) {
    const [path, fragment] = link.split('#') as [string, string | undefined];
    const target = path === '' ? join(root, page) : join(root, dirname(page), decodeURIComponent(path));
    if (!existsSync(target)) {
      broken.push(`${page}: ${link} (no ${relative(root, target)})`);
      continue;
    }
    if (fragment && target.endsWith('.md') && !anchorsOf(readFileSync(target, 'utf8')).has(fragment.toLowerCase())) {
      broken.push(`${page}: ${link} (no heading #${fragment} in ${relative(root, target)})`);
    }
  }
  return broken;
}

describe('links in the documentation', () => {
  it('computes GitHub anchors the way GitHub does', () => {
    expect([...anchorsOf('# Keys: one spelling per item\n## `verify` and anchors\n## Keys: one spelling per item\n')]).toEqual([
      'keys-one-spelling-per-item',
      'verify-and-anchors',
      'keys-one-spelling-per-item-1',
    ]);
  });

  it('takes relative links only: not URLs, not code', () => {
    expect(relativeLinks('see [a](docs/a.md#x), [b](https://example.com) and `[c](d.md)`')).toEqual(['docs/a.md#x']);
  });

  it.each(pages)('%s: every relative link resolves', (page) => {
    expect(brokenLinks(page)).toEqual([]);
  });
});
