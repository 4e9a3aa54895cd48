// Empties dist/ before a build: tsc never removes what an earlier build (or an older tsconfig, such as
// one that wrote source maps) left there, and everything in dist/ ships in the npm package.
import { rm } from 'node:fs/promises';
import { fileURLToPath, URL } from 'node:url';

await rm(fileURLToPath(new URL('../dist', import.meta.url)), { recursive: true, force: true });
