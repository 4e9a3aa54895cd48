import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, itemPath, type AuditEvent } from './api';
import { BlameView } from './blame-view';
import { DiffView } from './diff-view';
import { ItemAtTime } from './item-at-time';
import { JsonView } from './json-view';
import { RollbackPanel } from './rollback-panel';
import { Timeline } from './timeline';

type Tab = 'timeline' | 'blame' | 'at';

/** One item: its current state, its timeline (diff any two versions, roll back), blame, and the item at a time. */
export function ItemPage({ type, name }: { type: string; name: string }) {
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [current, setCurrent] = useState<unknown>(null);
  const [tab, setTab] = useState<Tab>('timeline');
  const [compare, setCompare] = useState<[number, number] | null>(null);
  const [rollbackTo, setRollbackTo] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [refresh, setRefresh] = useState(0);

  useEffect(() => {
    setError(null);
    api<{ events: AuditEvent[] }>(`${itemPath(type, name)}/history?limit=200`).then(
      (page) => setEvents(page.events),
      (caught: ApiError) => setError(caught.message),
    );
    api<unknown>(`/records/${encodeURIComponent(type)}/${encodeURIComponent(name)}?raw=true`).then(setCurrent, () => setCurrent(null));
  }, [type, name, refresh]);

  const latest = events[0]?.version;
  return (
    <div class="item">
      <h2>
        {type}/{name}
        {latest !== undefined && <span class="version"> version {latest}</span>}
      </h2>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <div role="tablist" class="tabs">
        {(
          [
            ['timeline', 'Timeline'],
            ['blame', 'Blame'],
            ['at', 'At a time'],
          ] as [Tab, string][]
        ).map(([id, label]) => (
          <button key={id} type="button" role="tab" aria-selected={tab === id} onClick={() => setTab(id)}>
            {label}
          </button>
        ))}
      </div>
      {tab === 'timeline' && (
        <div class={compare || rollbackTo !== null ? '' : 'columns'}>
          <div>
            <Timeline
              events={events}
              onCompare={(from, to) => {
                setRollbackTo(null);
                setCompare([from, to]);
              }}
              onRollback={(version) => {
                setCompare(null);
                setRollbackTo(version);
              }}
            />
            {rollbackTo !== null && (
              <RollbackPanel
                type={type}
                name={name}
                toVersion={rollbackTo}
                onDone={() => {
                  setRefresh((n) => n + 1);
                }}
                onCancel={() => setRollbackTo(null)}
              />
            )}
            {compare && <DiffView type={type} name={name} from={compare[0]} to={compare[1]} />}
          </div>
          {!compare && rollbackTo === null && (
            <div>
              <h3>Current state</h3>
              <JsonView value={current} label="Current state" />
            </div>
          )}
        </div>
      )}
      {tab === 'blame' && <BlameView type={type} name={name} />}
      {tab === 'at' && <ItemAtTime type={type} name={name} />}
    </div>
  );
}
