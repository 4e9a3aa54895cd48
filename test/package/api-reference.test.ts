import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// The API reference is generated from the TSDoc of src/index.ts's exports: this fails when an export, a
// public member of an exported class or an option lacks TSDoc, or when docs/api.md was not regenerated.
const root = join(import.meta.dirname, '..', '..');

describe('the API reference', () => {
  it('documents every export, public member and option, and docs/api.md is current', async () => {
    const run = await promisify(execFile)('node', ['scripts/api-reference.mjs', '--check'], { cwd: root }).then(
      ({ stdout }) => ({ ok: true, output: stdout }),
      (error: { stderr?: string }) => ({ ok: false, output: error.stderr ?? String(error) }),
    );
    expect(run.output).toMatch(/every one documented/);
    expect(run.ok).toBe(true);
  }, 120_000);
});
