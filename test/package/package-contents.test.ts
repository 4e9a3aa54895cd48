import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
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
  dependencies: Record<string, string>;
  main: string;
  types: string;
  bin: Record<string, string>;
  exports: Record<string, Record<string, string>>;
};
/** The package TypeScript takes a bare import's types from, as a consumer's compiler resolves it: the package or its @types/…. */
function typesPackage(specifier: string, name: string, from: string): string | undefined {
  const options = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext };
  const resolved = ts.resolveModuleName(specifier, join(root, from), options, ts.sys).resolvedModule;
  if (!resolved || !/\.d\.[cm]?ts$/.test(resolved.resolvedFileName)) return undefined;
  const typesName = `@types/${name.replace(/^@(.+)\//, '$1__')}`;
  return resolved.resolvedFileName.includes(`/node_modules/${typesName}/`) ? typesName : name;
}

/** What a module imports: `import … from '…'`, `export … from '…'`, `import '…'` and `import('…')`. */
function importedSpecifiers(text: string): string[] {
  const statement =
    /^\s*(?:import|export)\b[^;]*?\bfrom\s*['"]([^'"\s]+)['"]|^\s*import\s*['"]([^'"\s]+)['"]|\bimport\(\s*['"]([^'"\s]+)['"]\s*\)/gm;
  return [...text.matchAll(statement)].map((match) => match[1] ?? match[2] ?? match[3]);
}

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

  it('declares every package its built code imports, and the types its declarations import (a hoisted dependency of a dependency may be absent)', () => {
    const declared = (name: string) => Object.hasOwn(manifest.dependencies, name);
    const undeclared = new Set<string>();
    for (const path of packed) {
      if (!/^dist\/(src|projections)\/.+\.(js|d\.ts)$/.test(path)) continue;
      const text = readFileSync(join(root, path), 'utf8');
      for (const specifier of importedSpecifiers(text)) {
        if (specifier.startsWith('.') || isBuiltin(specifier)) continue;
        const name = specifier
          .split('/')
          .slice(0, specifier.startsWith('@') ? 2 : 1)
          .join('/');
        const needed = path.endsWith('.d.ts') ? (typesPackage(specifier, name, path) ?? `types of ${name}`) : name;
        if (!declared(needed)) undeclared.add(`${needed} (${path})`);
      }
    }
    expect([...undeclared]).toEqual([]);
  });

  it('ships its CHANGELOG, which says what each release changes in the database', () => {
    expect(packed.has('CHANGELOG.md')).toBe(true);
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
