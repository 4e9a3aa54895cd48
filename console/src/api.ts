// The console's one door to the server: every call carries the signed-in credentials, and every
// error arrives as the server's problem document (code, detail, issues).

export interface Problem {
  status: number;
  code: string;
  detail: string;
  issues?: { path: string; message: string }[];
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
}

export interface Principal {
  id: string;
  roles: string[];
  authenticated: boolean;
}

export interface AuditEvent {
  position: number;
  type: string;
  name: string;
  version: number;
  kind: string;
  namespace: string | null;
  actor: string | null;
  reason: string | null;
  source: string;
  changesetId: string;
  recordedAt: string;
  summary: string;
  cursor: string;
  patch: { op: string; path: string; value?: unknown }[];
}

const tokenKey = 'metaledger.token';

export const session = {
  get token(): string | null {
    return sessionStorage.getItem(tokenKey);
  },
  set token(value: string | null) {
    if (value === null) sessionStorage.removeItem(tokenKey);
    else sessionStorage.setItem(tokenKey, value);
  },
};

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const token = session.token;
  return { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra };
}

async function problemOf(response: Response): Promise<Problem> {
  try {
    return (await response.json()) as Problem;
  } catch {
    return { status: response.status, code: 'INTERNAL', detail: `the server answered ${response.status}` };
  }
}

/** GET (or POST with a JSON body) under /api/v1. */
export async function api<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(`api/v1${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new ApiError(await problemOf(response));
  return (await response.json()) as T;
}

export const q = (parts: Record<string, string | number | undefined>) => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(parts)) if (value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
};

export const itemPath = (type: string, name: string) => `/items/${encodeURIComponent(type)}/${encodeURIComponent(name)}`;

/**
 * The live change feed: Server-Sent Events read with fetch (EventSource cannot send the Authorization
 * header), reconnecting with Last-Event-ID so nothing is missed or repeated.
 */
export function followChanges(query: string, onEvent: (event: AuditEvent) => void, onError: (problem: Problem) => void): () => void {
  const controller = new AbortController();
  let lastId: string | undefined;
  const run = async () => {
    while (!controller.signal.aborted) {
      try {
        const response = await fetch(`api/v1/changes/stream${query}`, {
          headers: headers(lastId ? { 'last-event-id': lastId, accept: 'text/event-stream' } : { accept: 'text/event-stream' }),
          signal: controller.signal,
        });
        if (!response.ok) return onError(await problemOf(response));
        const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const fields: Record<string, string> = {};
            for (const line of block.split('\n')) {
              const colon = line.indexOf(':');
              if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1).trimStart();
            }
            if (fields.event === 'change') {
              lastId = fields.id;
              onEvent(JSON.parse(fields.data) as AuditEvent);
            } else if (fields.event === 'error') onError(JSON.parse(fields.data) as Problem);
          }
        }
      } catch (error) {
        if (controller.signal.aborted) return;
        onError({
          status: 0,
          code: 'DATASOURCE_UNAVAILABLE',
          detail: `the live feed was interrupted (${(error as Error).message}); reconnecting`,
        });
      }
      // the server closed the stream: reconnect from the last event seen
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  };
  void run();
  return () => controller.abort();
}

export const formatTime = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
