import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Newest modification time under a directory. */
function newest(dir: string): number {
  return Math.max(
    ...readdirSync(dir, { withFileTypes: true }).map((entry) =>
      entry.isDirectory() ? newest(join(dir, entry.name)) : statSync(join(dir, entry.name)).mtimeMs,
    ),
  );
}

/** The browser tests run against the console as built; build it when its sources are newer than the build. */
export default function setup(): void {
  const built = join('dist', 'console', 'index.html');
  if (existsSync(built) && statSync(built).mtimeMs >= newest('console')) return;
  execFileSync(process.execPath, [join('node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'console/vite.config.ts'], {
    stdio: 'inherit',
  });
}
