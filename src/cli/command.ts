import type { ParseArgsConfig } from 'node:util';
import type { MetadataStore, WriteContext } from '../store/metadata-store.js';

export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** What parseArgs gave a command: its positionals (after the command name) and option values. */
export interface CommandArgs {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

/** What a command may use; the store opens on first use and main closes it. */
export interface CliContext {
  store(): Promise<MetadataStore>;
  /** actor, reason and source 'cli' for every write. */
  writeContext: WriteContext;
  /** Prints `data` as JSON with --json, else the human text. */
  report(data: unknown, human: () => string): void;
  readStdin(): Promise<string>;
}

/** One CLI command; add a command by adding one file to commands/ and listing it in commands/index.ts. */
export interface Command {
  name: string;
  summary: string;
  /** Arguments and options after the command name, e.g. `<type> <name> [--limit n]`. */
  usage: string;
  options?: OptionsConfig;
  /** Longer help `metaledger <command> --help` prints: what each option does. */
  help?: string;
  run(context: CliContext, args: CommandArgs): Promise<void>;
}

/** A mistake in how the CLI was called (exit code 2, with the usage text). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
