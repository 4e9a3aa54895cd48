import { join } from 'node:path';
import { inject } from 'vitest';

/**
 * The command line that runs a TypeScript file of this repository (a path from its root, such as
 * `src/cli/bin.ts`) in a new Node.js process: its transpiled copy from test/helpers/scripts-setup.ts.
 */
export function scriptCommand(script: string, args: string[]): { command: string; args: string[] } {
  if (!script.endsWith('.ts')) throw new Error(`not a TypeScript file of the repository: ${script}`);
  return { command: process.execPath, args: [join(inject('scriptsDir'), script.replace(/\.ts$/, '.js')), ...args] };
}
