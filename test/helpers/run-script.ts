import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { scriptCommand } from './script-command.js';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
  /** From the last output to the exit of the process: what a process that stalls after its work adds. */
  exitDelayMs: number;
}

/**
 * Runs a TypeScript file (a path from the repository root) in a real Node.js process (see scriptCommand);
 * killed after `timeoutMs`.
 */
export function runScript(
  script: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; stdin?: string; timeoutMs?: number } = {},
): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    let lastOutput = Date.now();
    const command = scriptCommand(script, args);
    const child = execFile(
      command.command,
      command.args,
      { cwd: options.cwd ?? repositoryRoot, env: options.env ?? process.env, timeout: options.timeoutMs ?? 60_000 },
      (error, stdout, stderr) => {
        const exitDelayMs = Date.now() - lastOutput;
        // killed (the timeout), not an exit code
        if (error && typeof error.code !== 'number') return reject(Object.assign(error, { stdout, stderr }));
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr, exitDelayMs });
      },
    );
    const touched = () => {
      lastOutput = Date.now();
    };
    child.stdout?.on('data', touched);
    child.stderr?.on('data', touched);
    child.stdin?.end(options.stdin ?? '');
  });
}
