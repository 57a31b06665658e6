import { api } from '../api';
import { ErrorBox, Loading, PageHeader } from '../components/status';
import { href, Link } from '../router';
import { useSession } from '../session';
import type { RepositoryPage } from '../types';
import { usePagedList } from '../use-paged-list';
import { useSearchBox } from '../use-search';

const PAGE = 50;

/** The repositories the caller may pull, searched by substring, 50 at a time. */
export function RepositoriesPage({ q }: { q: string }) {
  const { info } = useSession();
  const anonymous = info.authEnabled && !info.subject;
  const search = useSearchBox(q, (term) => href('', { q: term || undefined }));

  const { rows, next, loading, error, loadMore } = usePagedList(
    async (last, signal) => {
      const page = await api<RepositoryPage>('GET', 'repositories', { q: search.term, n: PAGE, last }, undefined, signal);
      return { items: page.repositories, next: page.next };
    },
    [search.term],
  );

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
      {next && !loading && <button type="button" class="more" onClick={() => loadMore(next)}>Load more</button>}
    </section>
  );
}
