// The UI's one way to the server: fetch against /api with the token the person gave (kept in
// this browser's localStorage), JSON in and out, errors as ApiError with the server's message.
// useApi loads one URL for a component, with loading and error states and a reload.
import { useCallback, useEffect, useState } from 'react';

const TOKEN_KEY = 'orrery.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The answer's parsed JSON (null when it was not JSON): read through a typed guard. */
    readonly body: unknown = null,
  ) {
    super(message);
  }
}

export function token(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(value: string | null): void {
  if (value) localStorage.setItem(TOKEN_KEY, value);
  else localStorage.removeItem(TOKEN_KEY);
  window.dispatchEvent(new Event('orrery-token'));
}

export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const t = token();
  if (t) headers.authorization = `Bearer ${t}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: init.signal,
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON: a proxy's error page, say. The status tells.
  }
  if (!res.ok) {
    const message = (json as { message?: string } | null)?.message ?? `${res.status} ${res.statusText}`;
    if (res.status === 401) window.dispatchEvent(new Event('orrery-unauthorized'));
    throw new ApiError(res.status, message, json);
  }
  return json as T;
}

export interface Loaded<T> {
  data: T | null;
  error: ApiError | Error | null;
  loading: boolean;
  reload: () => void;
}

/** GETs `path` (null: nothing yet) and re-GETs when it changes or on reload(). */
export function useApi<T>(path: string | null): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: Error | null; loading: boolean }>({
    data: null,
    error: null,
    loading: path !== null,
  });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  useEffect(() => {
    const again = () => setTick((n) => n + 1);
    window.addEventListener('orrery-token', again);
    return () => window.removeEventListener('orrery-token', again);
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: tick forces a reload
  useEffect(() => {
    if (path === null) {
      setState({ data: null, error: null, loading: false });
      return;
    }
    const ctrl = new AbortController();
    setState((s) => ({ ...s, loading: true, error: null }));
    api<T>(path, { signal: ctrl.signal }).then(
      (data) => setState({ data, error: null, loading: false }),
      (error: Error) => {
        if (!ctrl.signal.aborted) setState({ data: null, error, loading: false });
      },
    );
    return () => ctrl.abort();
  }, [path, tick]);
  return { ...state, reload };
}

/** A query string from the defined values. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}
