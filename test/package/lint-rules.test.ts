import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';

// The lint configuration itself: a rule that follows no import (import-x without a TypeScript parser)
// passes every file, so this checks that the project's eslint.config.js does catch a cycle.
const root = join(import.meta.dirname, '..', '..');
const scratch = mkdtemp(join(import.meta.dirname, 'lint-scratch-'));

afterAll(async () => rm(await scratch, { recursive: true, force: true }));

describe('the lint configuration', () => {
  it('refuses two TypeScript files that import each other, and passes the same files without the cycle', async () => {
    const dir = await scratch;
    await writeFile(join(dir, 'a.ts'), "import { b } from './b.js';\nexport const a = (): number => b() + 1;\n");
    await writeFile(join(dir, 'b.ts'), "import { a } from './a.js';\nexport const b = (): number => a() - 1;\n");
    const files = ['a.ts', 'b.ts'].map((file) => relative(root, join(dir, file)));
    const eslint = new ESLint({ cwd: root });

    const cyclic = await eslint.lintFiles(files);
    expect(cyclic.map((result) => result.messages.map((message) => message.ruleId))).toEqual([
      ['import-x/no-cycle'],
      ['import-x/no-cycle'],
    ]);

    await writeFile(join(dir, 'b.ts'), 'export const b = (): number => 1;\n');
    const acyclic = await eslint.lintFiles(files);
    expect(acyclic.map((result) => result.messages)).toEqual([[], []]);
  }, 60_000);
});
