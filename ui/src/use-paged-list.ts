import { useEffect, useRef, useState } from 'preact/hooks';
import { isAbort } from './api';

/** One page of a list the API pages with `last`/`next`. */
export interface ListPage<T> {
  items: T[];
  next: string | null;
}

/** A paged list's rows so far, and how to ask for more. */
export interface PagedList<T> {
  rows: T[];
  next: string | null;
  loading: boolean;
  error: Error | null;
  /** Appends the page after `last`. */
  loadMore: (last: string) => void;
}

/**
 * Rows fetched page by page, starting again whenever `deps` change (a new search, another repository). One
 * request at a time: a newer one aborts the one in flight, so an old answer can never replace a newer one.
 */
export function usePagedList<T>(fetchPage: (last: string | null, signal: AbortSignal) => Promise<ListPage<T>>, deps: unknown[]): PagedList<T> {
  const [rows, setRows] = useState<T[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState(true);
  const inFlight = useRef<AbortController | null>(null);
  const load = (last: string | null) => {
    inFlight.current?.abort();
    const controller = new AbortController();
    inFlight.current = controller;
    setLoading(true);
    setError(null);
    fetchPage(last, controller.signal).then((page) => {
      if (controller.signal.aborted) return;
      setRows((before) => (last ? [...before, ...page.items] : page.items));
      setNext(page.next);
      setLoading(false);
    }, (err: Error) => {
      if (controller.signal.aborted || isAbort(err)) return;
      setError(err);
      setLoading(false);
    });
  };
  useEffect(() => {
    setRows([]);
    load(null);
  }, deps);
  useEffect(() => () => inFlight.current?.abort(), []);
  return { rows, next, loading, error, loadMore: load };
}
