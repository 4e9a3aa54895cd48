// A process that wants a data directory: `node --import tsx test/helpers/lock-contender.ts <dir>`.
// Prints one JSON line — { outcome: 'locked' } or { outcome: 'refused', holder } — and, if it took the
// lock, holds it until its stdin ends.
import { text } from 'node:stream/consumers';
import { DataDirectoryLockedError, lockDataDirectory } from '../../src/datasource/pglite-lock.js';

const [dir] = process.argv.slice(2);
try {
  const lock = await lockDataDirectory(dir);
  process.stdout.write(`${JSON.stringify({ outcome: 'locked', pid: process.pid })}\n`);
  await text(process.stdin);
  await lock.release();
} catch (error) {
  if (!(error instanceof DataDirectoryLockedError)) throw error;
  process.stdout.write(`${JSON.stringify({ outcome: 'refused', pid: process.pid, holder: error.holder.pid })}\n`);
}
