import { useState } from 'preact/hooks';
import { formatTime, type AuditEvent } from './api';

/** Each change with version, kind, actor, reason, time and changeset; pick two versions to compare, or one to roll back to. */
export function Timeline({
  events,
  onCompare,
  onRollback,
}: {
  events: AuditEvent[];
  onCompare: (from: number, to: number) => void;
  onRollback: (version: number) => void;
}) {
  const [picked, setPicked] = useState<number[]>([]);
  const toggle = (version: number) =>
    setPicked((current) => (current.includes(version) ? current.filter((v) => v !== version) : [...current, version].slice(-2)));
  const [a, b] = [...picked].sort((x, y) => x - y);
  return (
    <section aria-label="Timeline">
      <h3>Timeline</h3>
      <table class="timeline">
        <thead>
          <tr>
            <th>Compare</th>
            <th>Version</th>
            <th>Kind</th>
            <th>Actor</th>
            <th>Reason</th>
            <th>Time</th>
            <th>Changeset</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {events.map((event, i) => (
            <tr key={event.version}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Compare version ${event.version}`}
                  checked={picked.includes(event.version)}
                  onChange={() => toggle(event.version)}
                />
              </td>
              <td>v{event.version}</td>
              <td>
                <span class={`kind ${event.kind}`}>{event.kind}</span>
              </td>
              <td>{event.actor ?? '—'}</td>
              <td>{event.reason ?? ''}</td>
              <td>{formatTime(event.recordedAt)}</td>
              <td>
                <code title={event.changesetId}>{event.changesetId.slice(0, 8)}</code>
              </td>
              <td>
                {i > 0 && (
                  <button type="button" class="small" onClick={() => onRollback(event.version)}>
                    Roll back to v{event.version}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="actions">
        <button type="button" disabled={b === undefined} onClick={() => onCompare(a, b)}>
          {b === undefined ? 'Pick two versions to compare' : `Compare v${a} with v${b}`}
        </button>
        {events.length > 1 && (
          <button type="button" class="secondary" onClick={() => onCompare(events[1].version, events[0].version)}>
            Show last change
          </button>
        )}
      </div>
    </section>
  );
}
