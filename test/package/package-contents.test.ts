import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

// What `npm publish` would ship, as npm itself lists it: the built library, the CLI, the migrations and
// the console must be there, and nothing in it may point at a file that is not (a source map naming
// src/*.ts the package does not ship). Needs a build (`npm ci` and `npm run build` make one).
const root = join(import.meta.dirname, '..', '..');

interface PackedFile {
  path: string;
}

let packed: Set<string>;

beforeAll(async () => {
  const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  });
  const [pack] = JSON.parse(stdout) as { files: PackedFile[] }[];
  packed = new Set(pack.files.map((file) => file.path));
}, 60_000);

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  main: string;
  types: string;
  bin: Record<string, string>;
  exports: Record<string, Record<string, string>>;
};
const inPackage = (path: string) => posix.normalize(path.replace(/^\.\//, ''));

describe('the npm package', () => {
  it('holds every entry point package.json names: main, types, exports and bin', () => {
    const entries = [
      manifest.main,
      manifest.types,
      ...Object.values(manifest.bin),
      ...Object.values(manifest.exports).flatMap(Object.values),
    ];
    const missing = entries.map(inPackage).filter((entry) => !packed.has(entry));
    expect(missing, 'not in the package (is dist/ built? npm run build)').toEqual([]);
  });

  it('holds the CLI entry the binary imports, every migration, the console and the PGlite seed', () => {
    const bin = readFileSync(join(root, 'bin', 'metaledger.js'), 'utf8');
    const imported = [...bin.matchAll(/import '\.\.\/([^']+)'/g)].map((match) => match[1]);
    expect(imported.length).toBeGreaterThan(0);
    const migrations = readdirSync(join(root, 'sql')).map((file) => `sql/${file}`);
    expect(migrations.length).toBeGreaterThan(0);
    const missing = [...imported, ...migrations, 'dist/console/index.html'].filter((path) => !packed.has(path));
    expect(missing).toEqual([]);
    expect([...packed].some((path) => /^dist\/pglite-seed\/.+\.tar\.gz$/.test(path))).toBe(true);
  });

  it('ships no source, tests or local data', () => {
    const unexpected = [...packed].filter((path) => /^(src|test|examples|scripts|console|\.metaledger)\//.test(path));
    expect(unexpected).toEqual([]);
  });

  it('has no source map and no sourceMappingURL pointing at a file it does not ship', () => {
    const dangling: string[] = [];
    for (const path of packed) {
      if (path.endsWith('.map')) {
        const map = JSON.parse(readFileSync(join(root, path), 'utf8')) as { sources?: string[]; sourceRoot?: string };
        for (const source of map.sources ?? []) {
          const target = posix.normalize(posix.join(posix.dirname(path), map.sourceRoot ?? '', source));
          if (!packed.has(target)) dangling.push(`${path} -> ${target}`);
        }
      } else if (/\.(js|mjs|cjs|css)$/.test(path)) {
        const text = readFileSync(join(root, path), 'utf8');
        for (const [, url] of text.matchAll(/[#@] sourceMappingURL=(\S+)/g)) {
          if (url.startsWith('data:')) continue;
          const target = posix.normalize(posix.join(posix.dirname(path), url));
          if (!packed.has(target)) dangling.push(`${path} -> ${target}`);
        }
      }
    }
    expect(dangling).toEqual([]);
  });
});
