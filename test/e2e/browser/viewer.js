// A registry browser on another origin, doing what Joxit's docker-registry-ui does: the catalog and tags,
// a manifest with the UI's long Accept header, the config blob through the registry's 307, the
// Docker-Content-Digest header, and a delete by digest. `?secured=1` sends credentials (the UI's
// REGISTRY_SECURED): the token endpoint's 401 Basic makes the browser ask for a login.
'use strict';

const params = new URLSearchParams(location.search);
const REGISTRY = params.get('registry');
const SECURED = params.get('secured') === '1';
const MANIFEST_ACCEPT = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');
const tokens = new Map(); // scope -> bearer token

/** A registry request; on a Bearer challenge, gets a token from its realm (as the UI does) and tries once more. */
async function registry(method, path, headers = {}) {
  const send = (extra) => fetch(REGISTRY + path, { method, headers: { ...headers, ...extra }, credentials: SECURED ? 'include' : 'same-origin' });
  let res = await send({});
  const challenge = parseBearer(res.headers.get('www-authenticate'));
  if (res.status === 401 && challenge) {
    const token = await tokenFor(challenge);
    res = await send({ authorization: `Bearer ${token}` });
  }
  return res;
}

function parseBearer(header) {
  if (!header || !/^Bearer /i.test(header)) return undefined;
  const out = {};
  for (const m of header.matchAll(/(\w+)="([^"]*)"/g)) out[m[1]] = m[2];
  return out;
}

async function tokenFor({ realm, service, scope }) {
  if (tokens.has(scope)) return tokens.get(scope);
  const url = `${realm}?service=${encodeURIComponent(service)}${scope ? `&scope=${encodeURIComponent(scope)}` : ''}`;
  const res = await fetch(url, { credentials: SECURED ? 'include' : 'same-origin' });
  if (res.status !== 200) throw new Error(`token endpoint answered ${res.status} ${res.headers.get('www-authenticate') || ''}`);
  const { token } = await res.json();
  tokens.set(scope, token);
  return token;
}

async function expectStatus(res, status, what) {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return res;
}

async function sha256(buffer) {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', buffer));
  return 'sha256:' + [...hash].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const show = (html) => (document.getElementById('out').insertAdjacentHTML('beforeend', html));
const status = (html) => (document.getElementById('status').innerHTML = html);

/** Steps the test drives one by one (and screenshots between). Each returns what the test asserts. */
window.viewer = {
  async catalog() {
    const res = await expectStatus(await registry('GET', '/v2/_catalog'), 200, 'catalog');
    const { repositories } = await res.json();
    const tags = {};
    for (const repo of repositories) {
      const list = await expectStatus(await registry('GET', `/v2/${repo}/tags/list`), 200, `tags of ${repo}`);
      tags[repo] = (await list.json()).tags || [];
    }
    show(`<h2>Repositories</h2><table><tr><th>repository</th><th>tags</th></tr>${repositories
      .map((r) => `<tr><td>${esc(r)}</td><td>${esc(tags[r].join(', '))}</td></tr>`).join('')}</table>`);
    status('<span class="ok">catalog listed</span>');
    // whose tokens the page holds: the `sub` of each (the user the browser logged in as)
    const tokenSubjects = [...tokens.values()].map((t) => JSON.parse(atob(t.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))).sub);
    return { repositories, tags, tokenSubjects };
  },

  async image(repo, tag) {
    const res = await expectStatus(await registry('GET', `/v2/${repo}/manifests/${tag}`, { accept: MANIFEST_ACCEPT }), 200, 'manifest');
    const digest = res.headers.get('docker-content-digest');
    const manifestBytes = await res.arrayBuffer();
    const manifest = JSON.parse(new TextDecoder().decode(manifestBytes));
    const blob = await expectStatus(await registry('GET', `/v2/${repo}/blobs/${manifest.config.digest}`), 200, 'config blob');
    const configBytes = await blob.arrayBuffer();
    const config = JSON.parse(new TextDecoder().decode(configBytes));
    const result = {
      digest, manifestDigest: await sha256(manifestBytes), mediaType: res.headers.get('content-type'),
      configDigest: manifest.config.digest, configBytesDigest: await sha256(configBytes), configUrl: blob.url,
      architecture: config.architecture, os: config.os, created: config.created,
    };
    show(`<h2>${esc(repo)}:${esc(tag)}</h2><table>
      <tr><th>Docker-Content-Digest</th><td><code>${esc(digest)}</code></td></tr>
      <tr><th>media type</th><td>${esc(result.mediaType)}</td></tr>
      <tr><th>config (via the redirect)</th><td><code>${esc(result.configBytesDigest)}</code></td></tr>
      <tr><th>created</th><td>${esc(config.created)}</td></tr>
      <tr><th>platform</th><td>${esc(config.os)}/${esc(config.architecture)}</td></tr>
      <tr><th>layers</th><td>${manifest.layers.length}</td></tr></table>`);
    status(`<span class="ok">read ${esc(repo)}:${esc(tag)}</span>`);
    return result;
  },

  async remove(repo, digest) {
    const res = await expectStatus(await registry('DELETE', `/v2/${repo}/manifests/${digest}`), 202, 'delete');
    const after = await expectStatus(await registry('GET', `/v2/${repo}/tags/list`), 200, 'tags after delete');
    const tags = (await after.json()).tags || [];
    show(`<h2>Deleted ${esc(repo)}@<code>${esc(digest)}</code></h2><p>${res.status}; tags now: ${esc(tags.join(', '))}</p>`);
    status('<span class="ok">deleted</span>');
    return { status: res.status, tags };
  },
};

document.getElementById('registry').textContent = `${REGISTRY}${SECURED ? ' (credentials)' : ''}`;
status('ready');
window.addEventListener('unhandledrejection', (e) => status(`<span class="error">${esc(e.reason)}</span>`));
