import { useEffect, useState } from 'preact/hooks';

/** The state of one request a screen depends on. */
export type Async<T> = { status: 'loading' } | { status: 'done'; value: T } | { status: 'failed'; error: Error };

/** Runs `load` whenever `deps` change; the answer of a superseded run is dropped. `reload` runs it again. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): [Async<T>, () => void] {
  const [state, setState] = useState<Async<T>>({ status: 'loading' });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    setState({ status: 'loading' });
    load().then(
      (value) => current && setState({ status: 'done', value }),
      (error: Error) => current && setState({ status: 'failed', error }),
    );
    return () => { current = false; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, round]);
  return [state, () => setRound((r) => r + 1)];
}
