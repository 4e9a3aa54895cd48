import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Command } from '../../src/cli/command.js';
import { loadAllCommands } from '../../src/cli/commands/index.js';
import { exitCodeByErrorCode, exitCodes } from '../../src/cli/exit-codes.js';
import { createCliTarget, type CliTarget } from '../helpers/cli.js';

const commands = await loadAllCommands();

// Any command line: main(argv, io) answers with a documented exit code and a readable error, never a
// crash or a stack trace, and under --json the error is JSON carrying the same code. Commands that write
// files or wait (export, import, serve) are left out: they would write outside the test's directory or
// never return.

const documented = new Set<number>([...Object.values(exitCodes), ...Object.values(exitCodeByErrorCode)]);
const excluded = new Set(['export', 'import', 'serve']);

let target: CliTarget;

beforeAll(async () => {
  target = await createCliTarget('cli_fuzz');
  await target.withStore((store) => store.save('object', { name: 'account', metadata: { label: 'Account' } }));
});

afterAll(() => target?.dispose());

const fuzzed = commands.filter((command) => !excluded.has(command.name));
const value = fc.oneof(
  fc.constantFrom('object', 'account', 'crm', '1', '0', '2', '-1', 'abc', '2024-05-01T00:00:00Z', 'notadate', '-', 'a,b', ''),
  fc.string({ maxLength: 12 }).filter((text) => !text.startsWith('/') && !text.includes('..')),
);
/** An option of the command (or a global one), with a value when it takes one; sometimes one it does not know. */
const optionOf = (command: Command): fc.Arbitrary<string[]> => {
  const known = Object.entries({
    ...command.options,
    json: { type: 'boolean' },
    verbose: { type: 'boolean' },
    actor: { type: 'string' },
    reason: { type: 'string' },
  });
  const knownOption = fc
    .constantFrom(...known)
    .chain(([name, config]): fc.Arbitrary<string[]> =>
      config.type === 'boolean' ? fc.constant([`--${name}`]) : value.map((given) => [`--${name}`, given]),
    );
  const unknownOption = fc.constantFrom<string[]>(['--bogus'], ['--limit'], ['--'], ['-x']);
  return fc.oneof({ weight: 6, arbitrary: knownOption }, { weight: 1, arbitrary: unknownOption });
};
/** How many positionals the usage names before its options: `<type> <name>` is 2. */
const arity = (command: Command) => (command.usage.split(/\s-|\[/)[0].match(/<[^>]+>/g) ?? []).length;
/** Mostly the right number of positionals, sometimes any; a few options. */
const argv = fc.constantFrom(...fuzzed).chain((command) => {
  const exact = fc.array(value, { minLength: arity(command), maxLength: arity(command) });
  const positionals = fc.oneof({ weight: 4, arbitrary: exact }, { weight: 1, arbitrary: fc.array(value, { maxLength: 5 }) });
  return fc
    .tuple(positionals, fc.array(optionOf(command), { maxLength: 4 }))
    .map(([given, options]): string[] => [command.name, ...given, ...options.flat()]);
});

describe('metaledger on any command line', () => {
  it('exits with a documented code and a readable error, JSON under --json', async () => {
    await fc.assert(
      fc.asyncProperty(argv, async (args) => {
        const run = await target.cli(args);
        expect(documented.has(run.code)).toBe(true);
        expect(run.code).not.toBe(exitCodes.unexpected);
        expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
        if (run.code === 0) return;
        // --verbose lines come first; the error follows them
        const error = run.stderr.replace(/^(metaledger: .*\n)*/, '');
        const jsonAsked = args.slice(0, args.includes('--') ? args.indexOf('--') : undefined).includes('--json');
        if (jsonAsked) expect(JSON.parse(error).error.exitCode).toBe(run.code);
        else expect(error).toMatch(/^error( \[[A-Z_]+\])?: /);
      }),
      { numRuns: 400 },
    );
  });
});
