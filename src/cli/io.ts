/** A stream the CLI writes to; `isTTY` decides whether progress bars are drawn. */
export interface CliOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * Everything a CLI run touches outside itself. `main(argv, io)` uses nothing else, so tests run it
 * in-process with their own streams, environment and working directory.
 */
export interface CliIo {
  stdout: CliOutput;
  stderr: CliOutput;
  stdin: NodeJS.ReadableStream;
  /** Environment variables: DATABASE_URL, METALEDGER_DATA_DIR, METALEDGER_SCHEMA, METALEDGER_ACTOR. */
  env: Record<string, string | undefined>;
  /** The working directory: relative paths, the config file and the default data directory are taken from it. */
  cwd: string;
}

/** The real process's streams, environment and working directory. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
}
