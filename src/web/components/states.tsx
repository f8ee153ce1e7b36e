// Loading, empty and error states, so every page says what it is doing or why it shows nothing.
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { ApiError, type Loaded } from '../api';

export function Loading({ what }: { what: string }) {
  return (
    <p className="state" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state empty">{children}</p>;
}

export function ErrorBox({ error, retry }: { error: Error; retry?: () => void }) {
  const auth = error instanceof ApiError && error.status === 401;
  return (
    <div className="state error" role="alert">
      <strong>{auth ? 'This server needs a token.' : 'Could not load this.'}</strong>{' '}
      {auth ? 'Set one with the Token button at the top.' : error.message}
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** Renders `children(data)` once loaded; the loading and error states before. */
export function Load<T>({
  state,
  what,
  children,
}: {
  state: Loaded<T>;
  what: string;
  children: (data: T) => ReactNode;
}) {
  if (state.error) return <ErrorBox error={state.error} retry={state.reload} />;
  if (state.data === null) return <Loading what={what} />;
  return <>{children(state.data)}</>;
}

/** A page that threw while rendering says so (with the message), instead of going blank. */
export class PageBoundary extends Component<
  { children: ReactNode; resetKey: string },
  { error: Error | null; key: string }
> {
  state = { error: null as Error | null, key: this.props.resetKey };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  static getDerivedStateFromProps(props: { resetKey: string }, state: { error: Error | null; key: string }) {
    return props.resetKey !== state.key ? { error: null, key: props.resetKey } : null;
  }
  componentDidCatch(error: Error, info: ErrorInfo) {
    console.error('page failed', error, info.componentStack);
  }
  render() {
    if (this.state.error)
      return <ErrorBox error={new Error(`this page failed to draw: ${this.state.error.message}`)} />;
    return this.props.children;
  }
}
