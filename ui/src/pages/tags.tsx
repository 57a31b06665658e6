import { useState } from 'preact/hooks';
import { api } from '../api';
import { CopyButton } from '../components/copy-button';
import { ErrorBox, Loading, PageHeader } from '../components/status';
import { absoluteTime, humanBytes, relativeTime, shortDigest, shortMediaType, shownCount } from '../format';
import { takeNotice } from '../notice';
import { href, Link } from '../router';
import type { TagPage, TagSummary } from '../types';
import { usePagedList } from '../use-paged-list';
import { useSearchBox } from '../use-search';

const PAGE = 100;

/** A repository's tags as a table: one /ui/api/tags call per page, summaries stored at push time. */
export function TagsPage({ repository, q }: { repository: string; q: string }) {
  const [notice] = useState(takeNotice);
  const filter = useSearchBox(q, (term) => href('repository', { name: repository, q: term || undefined }));

  const { rows, next, loading, error, loadMore } = usePagedList(
    async (last, signal) => {
      const page = await api<TagPage>('GET', 'tags', { repository, q: filter.term, n: PAGE, last }, undefined, signal);
      return { items: page.tags, next: page.next };
    },
    [repository, filter.term],
  );

  return (
    <section>
      <nav class="crumbs" aria-label="Breadcrumb"><Link href={href('')}>Repositories</Link> <span aria-hidden="true">/</span></nav>
      <PageHeader title={repository} />
      <div class="toolbar">
        <label class="search">
          <span class="visually-hidden">Filter tags</span>
          <input type="search" data-search placeholder="Filter tags  ( / )" value={filter.text} onInput={(e) => filter.onInput(e.currentTarget.value)} />
        </label>
        <span class="muted" aria-live="polite">{loading && rows.length === 0 ? '' : shownCount(rows.length, next !== null, filter.term)}</span>
      </div>
      {notice && <p class="notice" role="status">{notice}</p>}
      {error && <ErrorBox error={error} />}
      {rows.length > 0 && (
        <div class="table-wrap">
          <table class="table tags">
            <thead>
              <tr><th>Tag</th><th>Digest</th><th>Type</th><th>Platforms</th><th class="num">Size</th><th>Pushed</th><th>Last pulled</th></tr>
            </thead>
            <tbody>{rows.map((t) => <TagRow key={t.tag} repository={repository} row={t} />)}</tbody>
          </table>
        </div>
      )}
      {!loading && !error && rows.length === 0 && <p class="empty">{filter.term ? `No tag matches “${filter.term}”.` : 'This repository has no tags.'}</p>}
      {loading && <Loading what="Loading tags" />}
      {next && !loading && <button type="button" class="more" onClick={() => loadMore(next)}>Load more tags</button>}
    </section>
  );
}

function TagRow({ repository, row }: { repository: string; row: TagSummary }) {
  return (
    <tr>
      <td><Link href={href('manifest', { repository, reference: row.tag })} class="strong">{row.tag}</Link></td>
      <td class="digest-cell">
        <Link href={href('manifest', { repository, reference: row.digest })} class="mono">{shortDigest(row.digest)}</Link>
        <CopyButton text={row.digest} />
      </td>
      <td class="muted small">{shortMediaType(row.mediaType)}</td>
      <td>{row.platforms.length > 0 ? row.platforms.map((p) => <span key={p} class="chip">{p}</span>) : <span class="muted">—</span>}</td>
      <td class="num">{humanBytes(row.size)}</td>
      <td title={absoluteTime(row.pushedAt)}>{relativeTime(row.pushedAt)}</td>
      <td title={absoluteTime(row.lastPulledAt)}>{relativeTime(row.lastPulledAt)}</td>
    </tr>
  );
}
