import { useEffect, useState } from 'preact/hooks';
import { followChanges, formatTime, q, type AuditEvent } from './api';

/** The store-wide change feed, live: filtered by actor, type and time; newest first. */
export function FeedPage() {
  const [actor, setActor] = useState('');
  const [type, setType] = useState('');
  const [since, setSince] = useState('');
  const [applied, setApplied] = useState({ actor: '', type: '', since: '' });
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [status, setStatus] = useState<string>('connecting');

  useEffect(() => {
    setEvents([]);
    setStatus('live');
    const query = q({
      actor: applied.actor,
      types: applied.type,
      since: applied.since ? new Date(applied.since).toISOString() : undefined,
      // with a start time, replay from the beginning of the log (the server filters by time)
      from: applied.since ? 'start' : 'end',
    });
    return followChanges(
      query,
      (event) => setEvents((current) => [event, ...current].slice(0, 500)),
      (problem) => setStatus(problem.detail),
    );
  }, [applied]);

  const apply = (event: Event) => {
    event.preventDefault();
    setApplied({ actor: actor.trim(), type: type.trim(), since });
  };
  return (
    <div class="feed">
      <form class="filters" onSubmit={apply} aria-label="Feed filters">
        <label>
          Actor
          <input value={actor} onInput={(event) => setActor((event.target as HTMLInputElement).value)} />
        </label>
        <label>
          Type
          <input value={type} onInput={(event) => setType((event.target as HTMLInputElement).value)} />
        </label>
        <label>
          Since
          <input type="datetime-local" step="1" value={since} onInput={(event) => setSince((event.target as HTMLInputElement).value)} />
        </label>
        <button type="submit">Apply</button>
      </form>
      <p class="muted" role="status">
        {status === 'live' ? 'Live: new changes appear at the top.' : status}
      </p>
      <table aria-label="Live feed">
        <thead>
          <tr>
            <th>Time</th>
            <th>Actor</th>
            <th>Change</th>
            <th>Item</th>
            <th>Reason</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            <tr key={event.cursor}>
              <td>{formatTime(event.recordedAt)}</td>
              <td>{event.actor ?? '—'}</td>
              <td>
                <span class={`kind ${event.kind}`}>{event.kind}</span> {event.summary}
              </td>
              <td>
                <a href={`#/item/${encodeURIComponent(event.type)}/${encodeURIComponent(event.name)}`}>
                  {event.type}/{event.name}
                </a>{' '}
                v{event.version}
              </td>
              <td>{event.reason ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
