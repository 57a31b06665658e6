import { useEffect, useRef, useState } from 'preact/hooks';
import { api, isAbort } from '../api';
import { ErrorBox, Loading, PageHeader } from '../components/status';
import { href, Link } from '../router';
import { useSession } from '../session';
import type { RepositoryPage, RepositorySummary } from '../types';
import { useSearchBox } from '../use-search';

const PAGE = 50;

/** The repositories the caller may pull, searched by substring, 50 at a time. */
export function RepositoriesPage({ q }: { q: string }) {
  const { info } = useSession();
  const anonymous = info.authEnabled && !info.subject;
  const [rows, setRows] = useState<RepositorySummary[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState(true);
  const search = useSearchBox(q, (term) => href('', { q: term || undefined }));

  // One request at a time: a newer search (or page) aborts the one in flight, so an old answer can never
  // replace a newer one.
  const inFlight = useRef<AbortController | null>(null);
  const load = (last: string | null) => {
    inFlight.current?.abort();
    const controller = new AbortController();
    inFlight.current = controller;
    setLoading(true);
    setError(null);
    api<RepositoryPage>('GET', 'repositories', { q: search.term, n: PAGE, last }, undefined, controller.signal).then((page) => {
      if (controller.signal.aborted) return;
      setRows((before) => (last ? [...before, ...page.repositories] : page.repositories));
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
  }, [search.term]);
  useEffect(() => () => inFlight.current?.abort(), []);

  return (
    <section>
      <PageHeader title="Repositories" />
      <div class="toolbar">
        <label class="search">
          <span class="visually-hidden">Search repositories</span>
          <input type="search" data-search placeholder="Search repositories  ( / )" value={search.text}
            onInput={(e) => search.onInput(e.currentTarget.value)} />
        </label>
      </div>
      {error && <ErrorBox error={error} />}
      {rows.length > 0 && (
        <table class="table">
          <thead><tr><th>Repository</th><th class="num">Tags</th></tr></thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.name}>
                <td><Link href={href('repository', { name: r.name })} class="strong">{r.name}</Link></td>
                <td class="num">{r.tagCount}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {!loading && !error && rows.length === 0 && (
        <p class="empty">
          {search.term ? `No repository you may pull matches “${search.term}”.` : 'No repositories yet (or none you may pull). Push an image to see it here.'}
          {anonymous && <> <Link href={href('login')}>Log in</Link> to see the repositories your account may pull.</>}
        </p>
      )}
      {loading && <Loading what="Loading repositories" />}
      {next && !loading && <button type="button" class="more" onClick={() => load(next)}>Load more</button>}
    </section>
  );
}
