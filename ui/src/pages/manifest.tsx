import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { api } from '../api';
import { ConfirmDialog } from '../components/confirm-dialog';
import { CopyButton, CopyCommand } from '../components/copy-button';
import { ErrorBox, Loading, PageHeader } from '../components/status';
import { absoluteTime, humanBytes, platformName, relativeTime, shortDigest, shortMediaType } from '../format';
import { leaveNotice } from '../notice';
import { href, Link, navigate } from '../router';
import { mayTryDelete, useSession } from '../session';
import type { Descriptor, ImageConfig, ManifestView, Referrer } from '../types';
import { useAsync } from '../use-async';

/** What the delete dialog is about: a tag (the manifest stays) or the manifest itself (every tag on it goes). */
type Deleting = { kind: 'tag'; tag: string } | { kind: 'manifest' } | null;

/** One manifest: what it is, how to pull it, its config and layers, an index's platforms, its referrers. */
export function ManifestPage({ repository, reference, index }: { repository: string; reference: string; index?: string | null }) {
  const { info } = useSession();
  const [state] = useAsync(() => api<ManifestView>('GET', 'manifest', { repository, reference }), [repository, reference]);
  const view = state.status === 'done' ? state.value : null;
  const [imageSize] = useAsync(() => (view ? imageSizeOf(repository, view) : Promise.resolve(null)), [view]);
  const [deleting, setDeleting] = useState<Deleting>(null);
  const [selected, setSelected] = useState<Descriptor | null>(null);

  const crumbs = (
    <nav class="crumbs" aria-label="Breadcrumb">
      <Link href={href('')}>Repositories</Link> <span aria-hidden="true">/</span>{' '}
      <Link href={href('repository', { name: repository })}>{repository}</Link> <span aria-hidden="true">/</span>
      {index && <>{' '}<Link href={href('manifest', { repository, reference: index })} title="The index this platform's image belongs to">index {shortDigest(index)}</Link> <span aria-hidden="true">/</span></>}
    </nav>
  );
  if (state.status === 'loading') return <section>{crumbs}<Loading what="Loading manifest" /></section>;
  if (state.status === 'failed') return <section>{crumbs}<PageHeader title={reference} /><ErrorBox error={state.error} /></section>;
  const m = state.value;
  const host = window.location.host;
  const isTag = !reference.includes(':');
  const canDelete = mayTryDelete(info);

  const remove = async () => {
    if (deleting?.kind === 'tag') {
      await api('DELETE', 'tag', { repository, tag: deleting.tag });
      leaveNotice(`Deleted the tag ${repository}:${deleting.tag}.`);
    } else {
      await api('DELETE', 'manifest', { repository, digest: m.digest });
      leaveNotice(`Deleted the manifest ${shortDigest(m.digest)}${m.tags.length > 0 ? ` and its tag${m.tags.length === 1 ? '' : 's'} ${m.tags.join(', ')}` : ''}.`);
    }
    navigate(href('repository', { name: repository }));
  };

  return (
    <section>
      {crumbs}
      <PageHeader title={<>{isTag ? reference : shortDigest(m.digest)} <span class="badge">{kindOf(m)}</span></>}>
        {canDelete && isTag && <button type="button" class="danger" onClick={() => setDeleting({ kind: 'tag', tag: reference })}>Delete tag</button>}
        {canDelete && <button type="button" class="danger" onClick={() => setDeleting({ kind: 'manifest' })}>Delete manifest</button>}
      </PageHeader>

      <dl class="facts">
        <dt>Digest</dt><dd><span class="mono">{m.digest}</span> <CopyButton text={m.digest} /></dd>
        <dt>Media type</dt><dd class="mono">{m.mediaType}</dd>
        <dt>Manifest size</dt><dd>{humanBytes(m.size)}</dd>
        {m.manifest.manifests || m.manifest.layers ? <>
          <dt>Image size</dt>
          <dd>{imageSize.status === 'done' && imageSize.value !== null
            ? <>{humanBytes(imageSize.value)} <span class="muted small">{m.manifest.manifests ? `(all ${m.platforms.length} platforms' config and layers)` : '(config and layers)'}</span></>
            : imageSize.status === 'failed' ? <span class="muted">—</span> : <span class="muted">…</span>}</dd>
        </> : null}
        <dt>Tags</dt><dd>{m.tags.length > 0
          ? m.tags.map((t) => <Link key={t} class="chip" href={href('manifest', { repository, reference: t })}>{t}</Link>)
          : <span class="muted">untagged</span>}</dd>
        <dt>Pushed</dt><dd title={absoluteTime(m.pushedAt)}>{relativeTime(m.pushedAt)}</dd>
        <dt>Last pulled</dt><dd title={absoluteTime(m.lastPulledAt)}>{relativeTime(m.lastPulledAt)}</dd>
      </dl>

      <h2>Pull</h2>
      {isTag && <CopyCommand command={`docker pull ${host}/${repository}:${reference}`} />}
      <CopyCommand command={`docker pull ${host}/${repository}@${m.digest}`} />

      {index && <p class="muted small">A platform's image of the index <Link href={href('manifest', { repository, reference: index })} class="mono">{shortDigest(index)}</Link>.</p>}
      {m.platforms.length > 0 && <Platforms repository={repository} view={m} />}
      {m.config && <ConfigSection config={m.config} />}
      {(m.manifest.config || m.manifest.layers) && <Descriptors manifest={m.manifest} onSelect={setSelected} selected={selected} />}
      {selected && <DescriptorDetail descriptor={selected} onClose={() => setSelected(null)} />}
      <Referrers repository={repository} referrers={m.referrers} />

      <details class="raw">
        <summary>Manifest JSON</summary>
        <pre class="code">{JSON.stringify(m.manifest, null, 2)}</pre>
      </details>

      {deleting && (
        <ConfirmDialog
          title={deleting.kind === 'tag' ? `Delete tag ${deleting.tag}?` : 'Delete this manifest?'}
          confirmLabel={deleting.kind === 'tag' ? 'Delete tag' : 'Delete manifest'}
          onConfirm={remove}
          onClose={() => setDeleting(null)}
        >
          {deleting.kind === 'tag'
            ? <p>The tag <strong>{repository}:{deleting.tag}</strong> is removed; the manifest {shortDigest(m.digest)} stays, with its other tags.</p>
            : <p>The manifest <span class="mono">{shortDigest(m.digest)}</span> of <strong>{repository}</strong> is deleted{m.tags.length > 0 ? <>, and with it the tags {m.tags.join(', ')}</> : null}. Pulls of it will fail.</p>}
        </ConfirmDialog>
      )}
    </section>
  );
}

/** An image's config and layers; an index: the sum over its platforms' images (as the tags table counts). */
async function imageSizeOf(repository: string, m: ManifestView): Promise<number | null> {
  if (m.manifest.manifests) {
    // A child that cannot be read (or is no image) counts with its manifest's size, as the registry's summary does.
    const sizes = await Promise.all(m.manifest.manifests.map((d) => api<ManifestView>('GET', 'manifest', { repository, reference: d.digest })
      .then((child) => (child.manifest.layers ? partsSize(child) : d.size), () => d.size)));
    return sizes.reduce((sum, size) => sum + size, 0);
  }
  return m.manifest.layers ? partsSize(m) : null;
}

function partsSize(m: ManifestView): number {
  return (m.manifest.config?.size ?? 0) + (m.manifest.layers ?? []).reduce((sum, d) => sum + d.size, 0);
}

function kindOf(m: ManifestView): string {
  if (m.manifest.manifests) return 'index';
  if (m.manifest.artifactType || (m.manifest.config && !m.manifest.config.mediaType.includes('image.config') && !m.manifest.config.mediaType.includes('container.image'))) return 'artifact';
  return 'image';
}

function Platforms({ repository, view }: { repository: string; view: ManifestView }) {
  return (
    <>
      <h2>Platforms</h2>
      <table class="table">
        <thead><tr><th>Platform</th><th>Digest</th><th class="num">Manifest size</th></tr></thead>
        <tbody>
          {view.platforms.map((p) => (
            <tr key={p.digest}>
              <td><Link class="strong" href={href('manifest', { repository, reference: p.digest, index: view.digest })}>{platformName(p.platform)}</Link></td>
              <td class="mono">{shortDigest(p.digest)}</td>
              <td class="num">{humanBytes(p.size)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function ConfigSection({ config }: { config: ImageConfig }) {
  const c = config.config ?? {};
  const command = [...(c.Entrypoint ?? []), ...(c.Cmd ?? [])];
  const labels = Object.entries(c.Labels ?? {});
  return (
    <>
      <h2>Configuration</h2>
      <dl class="facts">
        <dt>Created</dt><dd title={absoluteTime(config.created)}>{config.created ? relativeTime(config.created) : '—'}</dd>
        <dt>Platform</dt><dd>{config.os || config.architecture ? platformName({ os: config.os ?? '?', architecture: config.architecture ?? '?', variant: config.variant }) : '—'}</dd>
        {c.Entrypoint && c.Entrypoint.length > 0 && <><dt>Entrypoint</dt><dd class="mono">{JSON.stringify(c.Entrypoint)}</dd></>}
        {c.Cmd && c.Cmd.length > 0 && <><dt>Cmd</dt><dd class="mono">{JSON.stringify(c.Cmd)}</dd></>}
        {command.length > 0 && <><dt>Runs</dt><dd class="mono">{command.join(' ')}</dd></>}
        {c.WorkingDir && <><dt>Working dir</dt><dd class="mono">{c.WorkingDir}</dd></>}
        {c.User && <><dt>User</dt><dd class="mono">{c.User}</dd></>}
        {c.ExposedPorts && Object.keys(c.ExposedPorts).length > 0 && <><dt>Ports</dt><dd class="mono">{Object.keys(c.ExposedPorts).join(', ')}</dd></>}
        {c.StopSignal && <><dt>Stop signal</dt><dd class="mono">{c.StopSignal}</dd></>}
        {config.author && <><dt>Author</dt><dd>{config.author}</dd></>}
      </dl>
      {(c.Env?.length ?? 0) > 0 && (
        <>
          <h3>Environment</h3>
          <ul class="plain mono">{c.Env!.map((e) => <li key={e}>{e}</li>)}</ul>
        </>
      )}
      {labels.length > 0 && (
        <>
          <h3>Labels</h3>
          <dl class="facts">{labels.map(([k, v]) => <Fragment key={k}><dt class="mono">{k}</dt><dd class="mono">{v}</dd></Fragment>)}</dl>
        </>
      )}
      {(config.history?.length ?? 0) > 0 && (
        <>
          <h3>History</h3>
          <ol class="history">
            {config.history!.map((h, i) => (
              <li key={i} class={h.empty_layer ? 'empty-layer' : ''}>
                <code>{h.created_by ?? h.comment ?? '(no command recorded)'}</code>
                {h.created && <span class="muted small" title={absoluteTime(h.created)}> {relativeTime(h.created)}</span>}
              </li>
            ))}
          </ol>
        </>
      )}
    </>
  );
}

function Descriptors({ manifest, selected, onSelect }: { manifest: ManifestView['manifest']; selected: Descriptor | null; onSelect: (d: Descriptor) => void }) {
  const rows: Array<{ role: string; d: Descriptor }> = [];
  if (manifest.config) rows.push({ role: 'config', d: manifest.config });
  (manifest.layers ?? []).forEach((d, i) => rows.push({ role: `layer ${i + 1}`, d }));
  return (
    <>
      <h2>Config and layers</h2>
      <table class="table">
        <thead><tr><th>Part</th><th>Digest</th><th>Media type</th><th class="num">Size</th></tr></thead>
        <tbody>
          {rows.map(({ role, d }) => (
            <tr key={role} class={selected === d ? 'selected' : ''}>
              <td>{role}</td>
              <td><button type="button" class="link mono" aria-pressed={selected === d} onClick={() => onSelect(d)}>{shortDigest(d.digest)}</button></td>
              <td class="muted small">{shortMediaType(d.mediaType)}</td>
              <td class="num">{humanBytes(d.size)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function DescriptorDetail({ descriptor, onClose }: { descriptor: Descriptor; onClose: () => void }) {
  return (
    <div class="panel" role="region" aria-label="Descriptor">
      <div class="panel-head"><h3>Descriptor</h3><button type="button" onClick={onClose}>Close</button></div>
      <dl class="facts">
        <dt>Digest</dt><dd><span class="mono">{descriptor.digest}</span> <CopyButton text={descriptor.digest} /></dd>
        <dt>Media type</dt><dd class="mono">{descriptor.mediaType}</dd>
        <dt>Size</dt><dd>{humanBytes(descriptor.size)} <span class="muted">({descriptor.size.toLocaleString()} bytes)</span></dd>
        {descriptor.annotations && Object.entries(descriptor.annotations).map(([k, v]) => <Fragment key={k}><dt class="mono">{k}</dt><dd class="mono">{v}</dd></Fragment>)}
      </dl>
    </div>
  );
}

function Referrers({ repository, referrers }: { repository: string; referrers: Referrer[] }) {
  return (
    <>
      <h2>Referrers</h2>
      {referrers.length === 0
        ? <p class="muted">No signatures, SBOMs or attestations refer to this manifest.</p>
        : <ReferrerTree repository={repository} referrers={referrers} />}
    </>
  );
}

function ReferrerTree({ repository, referrers }: { repository: string; referrers: Referrer[] }) {
  return (
    <ul class="tree">
      {referrers.map((r) => (
        <li key={r.digest}>
          <Link href={href('manifest', { repository, reference: r.digest })} class="referrer">
            <span class="badge">{r.artifactType ?? shortMediaType(r.mediaType)}</span> <span class="mono">{shortDigest(r.digest)}</span>
          </Link>
          <span class="muted small"> {humanBytes(r.size)}</span>
          {r.annotations && Object.keys(r.annotations).length > 0 && (
            <ul class="annotations">
              {Object.entries(r.annotations).map(([k, v]) => <li key={k}><span class="mono small">{k}</span>: {v}</li>)}
            </ul>
          )}
          {r.referrers.length > 0 && <ReferrerTree repository={repository} referrers={r.referrers} />}
        </li>
      ))}
    </ul>
  );
}
