import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { CopyButton } from '../components/copy-button';
import { ErrorBox, Loading, PageHeader } from '../components/status';
import { absoluteTime, humanBytes, relativeTime, shortDigest, shortMediaType } from '../format';
import { href, Link, navigate } from '../router';
import type { TagPage, TagSummary } from '../types';

const PAGE = 100;

/** A repository's tags as a table: one /ui/api/tags call per page, summaries stored at push time. */
export function TagsPage({ repository, q }: { repository: string; q: string }) {
  const [rows, setRows] = useState<TagSummary[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState(true);
  const [filter, setFilter] = useState(q);

  // Typing asks again per keystroke: only the latest request's answer is shown.
  const latest = useRef(0);
  const load = (last: string | null) => {
    const ticket = ++latest.current;
    setLoading(true);
    setError(null);
    api<TagPage>('GET', 'tags', { repository, q, n: PAGE, last }).then((page) => {
      if (ticket !== latest.current) return;
      setRows((before) => (last ? [...before, ...page.tags] : page.tags));
      setNext(page.next);
      setLoading(false);
    }, (err: Error) => {
      if (ticket !== latest.current) return;
      setError(err);
      setLoading(false);
    });
  };
  useEffect(() => {
    setFilter(q);
    setRows([]);
    load(null);
  }, [repository, q]);

  const onInput = (value: string) => {
    setFilter(value);
    navigate(href('repository', { name: repository, q: value.trim() || undefined }), true);
  };

  return (
    <section>
      <nav class="crumbs" aria-label="Breadcrumb"><Link href={href('')}>Repositories</Link> <span aria-hidden="true">/</span></nav>
      <PageHeader title={repository} />
      <div class="toolbar">
        <label class="search">
          <span class="visually-hidden">Filter tags</span>
          <input type="search" data-search placeholder="Filter tags  ( / )" value={filter} onInput={(e) => onInput(e.currentTarget.value)} />
        </label>
        <span class="muted" aria-live="polite">{rows.length} tag{rows.length === 1 ? '' : 's'} shown{next ? ', more below' : ''}</span>
      </div>
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
      {!loading && !error && rows.length === 0 && <p class="empty">{q ? `No tag matches “${q}”.` : 'This repository has no tags.'}</p>}
      {loading && <Loading what="Loading tags" />}
      {next && !loading && <button type="button" class="more" onClick={() => load(next)}>Load more tags</button>}
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
