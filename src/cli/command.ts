import type { ParseArgsConfig } from 'node:util';
import type { BackendDescription, ResolvedSettings } from '../config.js';
import type { ProgressReporter } from '../loaders/progress.js';
import type { MetadataStore, WriteContext } from '../store/metadata-store.js';

export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** What parseArgs gave a command: its positionals (after the command name) and option values. */
export interface CommandArgs {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

/** Where the store is, as resolved for this run, in words and with where each setting came from. */
export interface StoreTarget {
  settings: ResolvedSettings;
  backend: BackendDescription;
}

/**
 * What a command may use; the store opens on first use and main closes it. Commands check their
 * arguments before asking for the store, so a mistyped option never opens (or creates) a database.
 */
export interface CliContext {
  store(): Promise<MetadataStore>;
  /** Where `store()` opens (or opened) the data, resolved from options, environment and config file. */
  target(): StoreTarget;
  /** actor, reason and source 'cli' for every write. */
  writeContext: WriteContext;
  /** Prints `data` as JSON with --json, else the human text. */
  report(data: unknown, human: () => string): void;
  readStdin(): Promise<string>;
  /** A path from the command line, taken from the working directory of this run. */
  path(given: string): string;
  /** A progress bar on stderr when it is a terminal. */
  progress(): ProgressReporter;
  /** This run's environment variables. */
  env: Record<string, string | undefined>;
}

/** One CLI command; add a command by adding one file to commands/ and listing it in commands/index.ts. */
export interface Command {
  name: string;
  summary: string;
  /** Arguments and options after the command name, e.g. `<type> <name> [--limit n]`. */
  usage: string;
  /** What `--help` adds: each argument and option explained, an example or two. */
  details?: string;
  options?: OptionsConfig;
  run(context: CliContext, args: CommandArgs): Promise<void>;
}

/** A mistake in how the CLI was called (exit code 2, with the usage text). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
