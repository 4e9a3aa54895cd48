import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, formatTime, itemPath } from './api';

interface BlameLine {
  pointer: string;
  value: unknown;
  version: number;
  actor: string | null;
  reason: string | null;
  recordedAt: string;
}

/** Who last set each value of the current state, and why. */
export function BlameView({ type, name }: { type: string; name: string }) {
  const [lines, setLines] = useState<BlameLine[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<{ lines: BlameLine[] }>(`${itemPath(type, name)}/blame`).then(
      (found) => setLines(found.lines),
      (caught: ApiError) => setError(caught.message),
    );
  }, [type, name]);
  if (error)
    return (
      <p role="alert" class="error">
        {error}
      </p>
    );
  return (
    <table class="blame" aria-label="Blame">
      <thead>
        <tr>
          <th>Path</th>
          <th>Value</th>
          <th>Version</th>
          <th>Actor</th>
          <th>Reason</th>
          <th>Time</th>
        </tr>
      </thead>
      <tbody>
        {(lines ?? []).map((line) => (
          <tr key={line.pointer}>
            <td>
              <code>{line.pointer}</code>
            </td>
            <td>
              <code>{JSON.stringify(line.value)}</code>
            </td>
            <td>v{line.version}</td>
            <td>{line.actor ?? '—'}</td>
            <td>{line.reason ?? ''}</td>
            <td>{formatTime(line.recordedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
