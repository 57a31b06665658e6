import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { ErrorBox, Loading, PageHeader } from '../components/status';
import { href, Link, navigate } from '../router';
import { useSession } from '../session';
import type { RepositoryPage, RepositorySummary } from '../types';

const PAGE = 50;

/** The repositories the caller may pull, searched by substring, 50 at a time. */
export function RepositoriesPage({ q }: { q: string }) {
  const { info } = useSession();
  const anonymous = info.authEnabled && !info.subject;
  const [rows, setRows] = useState<RepositorySummary[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState(true);
  const [search, setSearch] = useState(q);

  // Typing asks again per keystroke: only the latest request's answer is shown.
  const latest = useRef(0);
  const load = (last: string | null) => {
    const ticket = ++latest.current;
    setLoading(true);
    setError(null);
    api<RepositoryPage>('GET', 'repositories', { q, n: PAGE, last }).then((page) => {
      if (ticket !== latest.current) return;
      setRows((before) => (last ? [...before, ...page.repositories] : page.repositories));
      setNext(page.next);
      setLoading(false);
    }, (err: Error) => {
      if (ticket !== latest.current) return;
      setError(err);
      setLoading(false);
    });
  };
  useEffect(() => {
    setSearch(q);
    setRows([]);
    load(null);
  }, [q]);

  // The URL carries the search, so it survives a reload and can be shared; typing replaces, not pushes.
  const onInput = (value: string) => {
    setSearch(value);
    navigate(href('', { q: value.trim() || undefined }), true);
  };

  return (
    <section>
      <PageHeader title="Repositories" />
      <div class="toolbar">
        <label class="search">
          <span class="visually-hidden">Search repositories</span>
          <input type="search" data-search placeholder="Search repositories  ( / )" value={search}
            onInput={(e) => onInput(e.currentTarget.value)} />
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
          {q ? `No repository you may pull matches “${q}”.` : 'No repositories yet (or none you may pull). Push an image to see it here.'}
          {anonymous && <> <Link href={href('login')}>Log in</Link> to see the repositories your account may pull.</>}
        </p>
      )}
      {loading && <Loading what="Loading repositories" />}
      {next && !loading && <button type="button" class="more" onClick={() => load(next)}>Load more</button>}
    </section>
  );
}
