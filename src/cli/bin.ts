// The process entry: bin/metaledger.js runs this module built, the subprocess tests run it from source.
import { main } from './main.js';

/** Resolves once everything written so far has been handed to the OS. */
const flushed = (stream: NodeJS.WriteStream) => new Promise<void>((resolve) => stream.write('', () => resolve()));

const code = await main(process.argv.slice(2));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
// The work is done and every store is closed: end here rather than wait on a handle some library left
// behind (the command's outcome must not depend on it).
process.exit(code);
