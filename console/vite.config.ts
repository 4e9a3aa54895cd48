import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The web audit console: Preact, built into dist/console and served by `metaledger serve` at `/`.
// Every asset is bundled (no CDN, no web fonts), so the console works offline.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    assetsInlineLimit: 0,
    sourcemap: false,
  },
});
