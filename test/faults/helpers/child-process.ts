import { spawn, type ChildProcess } from 'node:child_process';
import { scriptCommand } from '../../helpers/script-command.js';

/** A script of test/faults/processes/ running in a process of its own, read line by line. */
export interface ScriptProcess {
  readonly child: ChildProcess;
  /** Every stdout line so far. */
  readonly lines: string[];
  /** Resolves with the first line (already seen or coming) that `match` accepts. */
  waitForLine(match: (line: string) => boolean, what: string, deadlineMs?: number): Promise<string>;
  /** Resolves with the exit code (or signal) and how long after this call the process ended. */
  exited(deadlineMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: number }>;
  /** kill -9 */
  kill(): void;
  stderr(): string;
}

export function runScript(name: string, args: string[]): ScriptProcess {
  const { command, args: commandArgs } = scriptCommand(`test/faults/processes/${name}`, args);
  const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  let buffered = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    lines.push(...parts);
    for (const wake of waiters) wake();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    lines,
    waitForLine(match, what, deadlineMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = lines.find(match);
          if (line === undefined) return;
          cleanup();
          resolve(line);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${what}; stderr: ${stderr.slice(-2000)}`));
        }, deadlineMs);
        const onExit = () => {
          check();
          cleanup();
          reject(new Error(`process exited before ${what}; stderr: ${stderr.slice(-2000)}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
          child.off('close', onExit);
        };
        waiters.add(check);
        child.once('close', onExit);
        check();
      });
    },
    async exited(deadlineMs = 60_000) {
      const started = Date.now();
      let timer: NodeJS.Timeout | undefined;
      const result = await Promise.race([
        exit,
        new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), deadlineMs);
        }),
      ]);
      clearTimeout(timer);
      if (!result) {
        child.kill('SIGKILL');
        throw new Error(`process still running ${deadlineMs} ms later; stderr: ${stderr.slice(-2000)}`);
      }
      return { ...result, afterMs: Date.now() - started };
    },
    kill() {
      child.kill('SIGKILL');
    },
    stderr: () => stderr,
  };
}
