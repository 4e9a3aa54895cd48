import { useState } from 'preact/hooks';
import { api, ApiError, formatTime, itemPath } from './api';
import { JsonView } from './json-view';

interface ItemAt {
  status: 'exists' | 'deleted' | 'not_yet_created';
  version: number;
  recordedAt?: string;
  document: unknown;
}

/** The item exactly as it was at a chosen time. */
export function ItemAtTime({ type, name }: { type: string; name: string }) {
  const [moment, setMoment] = useState('');
  const [state, setState] = useState<ItemAt | null>(null);
  const [error, setError] = useState<string | null>(null);
  const show = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      setState(await api<ItemAt>(`${itemPath(type, name)}/at?asOf=${encodeURIComponent(new Date(moment).toISOString())}`));
    } catch (caught) {
      setError((caught as ApiError).message);
    }
  };
  return (
    <section aria-label="Item at a time">
      <form class="inline" onSubmit={show}>
        <label>
          As it was at
          <input
            type="datetime-local"
            step="1"
            value={moment}
            onInput={(event) => setMoment((event.target as HTMLInputElement).value)}
            required
          />
        </label>
        <button type="submit">Show</button>
      </form>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {state && (
        <>
          <p>
            {state.status === 'exists' && `Version ${state.version}, recorded ${formatTime(state.recordedAt!)}`}
            {state.status === 'deleted' && `Deleted (version ${state.version})`}
            {state.status === 'not_yet_created' && 'Not yet created at that time'}
          </p>
          <JsonView value={state.document} label="Item at that time" />
        </>
      )}
    </section>
  );
}
