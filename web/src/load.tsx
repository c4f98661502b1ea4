// Loading data for a page, with its error shown the GOV.UK way.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from './api';

export interface Loaded<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
}

export function useLoad<T>(fn: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: ApiError | null; loading: boolean }>({ data: null, error: null, loading: true });
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    fn().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (e) => live && setState({ data: null, error: e instanceof ApiError ? e : new ApiError({ status: 0, title: 'Error', detail: String(e) }), loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, n]);
  return { ...state, reload: () => setN((x) => x + 1) };
}

export function Loading() {
  return (
    <p class="govuk-body" role="status">
      Loading…
    </p>
  );
}

export function LoadError({ error, children }: { error: ApiError; children?: ComponentChildren }) {
  return (
    <div class="govuk-error-summary" role="alert" tabIndex={-1}>
      <h2 class="govuk-error-summary__title">{error.status === 403 ? 'You cannot see this' : 'Something went wrong'}</h2>
      <div class="govuk-error-summary__body">
        <p class="govuk-body">{error.problem.detail}</p>
        {children}
      </div>
    </div>
  );
}
