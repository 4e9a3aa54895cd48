// The process entry: bin/metaledger.js runs this module built, the subprocess tests run it from source.
import { setFlagsFromString } from 'node:v8';
import { commandEntries } from './commands/index.js';
import { main } from './main.js';

/** Resolves once everything written so far has been handed to the OS. */
const flushed = (stream: NodeJS.WriteStream) => new Promise<void>((resolve) => stream.write('', () => resolve()));

// `metaledger serve` in ps, and in the lock of an embedded database, which tells a second process who holds it
const command = process.argv.slice(2).find((arg) => commandEntries.some((known) => known.name === arg));
process.title = command ? `metaledger ${command}` : 'metaledger';

// A command is short: the embedded database's WebAssembly stays on V8's baseline compiler until its code is
// really hot (ten times V8's default budget), before PGlite compiles it. With the default, a command spent
// half a second of CPU optimizing PostgreSQL start-up code it ran once (see docs/operations.md).
setFlagsFromString('--wasm-tiering-budget=20000000');

const code = await main(process.argv.slice(2));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
// The work is done and every store is closed: end here rather than wait on a handle some library left
// behind (the command's outcome must not depend on it).
process.exit(code);
