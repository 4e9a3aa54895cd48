/** Progress of long work (reading files, writing an export); a total of undefined counts without a bar. */
export interface ProgressReporter {
  start(label: string, total?: number): void;
  tick(count?: number): void;
  done(): void;
}

/** A progress reporter that reports nothing. */
export const silentProgress: ProgressReporter = { start() {}, tick() {}, done() {} };

const width = 30;

/**
 * A one-line bar redrawn in place on a terminal (stderr by default, so stdout stays clean for --json).
 * Anything that is not a terminal gets no output at all.
 */
export function terminalProgress(stream: { isTTY?: boolean; write(text: string): unknown } = process.stderr): ProgressReporter {
  if (!stream.isTTY) return silentProgress;
  let label = '';
  let total: number | undefined;
  let count = 0;
  let drawn = '';
  const draw = () => {
    const line = total
      ? `${label} [${'#'.repeat(Math.round((count / total) * width)).padEnd(width, '-')}] ${Math.floor((count / total) * 100)}% ${count}/${total}`
      : `${label} ${count}`;
    // redraw only when the visible line changes: one write per percent, not one per item
    if (line !== drawn) stream.write(`\r${line}\u001b[K`);
    drawn = line;
  };
  return {
    start(nextLabel, nextTotal) {
      label = nextLabel;
      total = nextTotal;
      count = 0;
      drawn = '';
      draw();
    },
    tick(step = 1) {
      count += step;
      draw();
    },
    done() {
      if (drawn) stream.write('\n');
      drawn = '';
    },
  };
}
