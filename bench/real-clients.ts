/**
 * Push and pull of the synthetic image with real clients: skopeo (from an OCI layout, back to a `dir:`)
 * and the Docker engine (a private dockerd from the e2e tests; `docker push`, then `docker pull` after
 * `docker rmi`). Both clients remember where they have seen a blob and would mount it from another
 * repository of the same registry instead of uploading it, so every run starts without that memory:
 * skopeo runs in a private mount namespace with an empty blob-info cache, and dockerd's distribution
 * metadata is removed before each push and pull.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Dockerd, startDockerd } from '../test/e2e/dockerd';
import { run } from '../test/e2e/exec';

const SKOPEO_CACHE = '/var/lib/containers/cache';

/** skopeo with an empty, private blob-info cache (a tmpfs over its cache directory, this process only). */
export async function skopeo(args: string[]): Promise<void> {
  await run('unshare', ['-m', 'sh', '-c', `mkdir -p ${SKOPEO_CACHE} && mount -t tmpfs none ${SKOPEO_CACHE} && exec skopeo --insecure-policy "$@"`, 'skopeo', ...args], { timeoutMs: 600_000 });
}

/** Times a skopeo push of the OCI layout to `repo` and a pull back into a fresh `dir:`; seconds each. */
export async function skopeoPushPull(layout: string, host: string, repo: string, scratch: string): Promise<{ push: number; pull: number }> {
  let t0 = performance.now();
  await skopeo(['copy', '--quiet', '--dest-tls-verify=false', `oci:${layout}:latest`, `docker://${host}/${repo}:latest`]);
  const push = (performance.now() - t0) / 1000;
  const dest = mkdtempSync(join(scratch, 'skopeo-pull-'));
  t0 = performance.now();
  await skopeo(['copy', '--quiet', '--src-tls-verify=false', `docker://${host}/${repo}:latest`, `dir:${dest}`]);
  const pull = (performance.now() - t0) / 1000;
  rmSync(dest, { recursive: true, force: true });
  return { push, pull };
}

/** A private Docker engine holding the synthetic image as `bench/synthetic:latest`. */
export interface Engine { dockerd: Dockerd; loadSeconds: number }

export const LOCAL_TAG = 'bench/synthetic:latest';

/** Starts the engine and loads the image into it from the OCI layout (skopeo to docker-daemon:). */
export async function startEngine(layout: string): Promise<Engine> {
  const dockerd = await startDockerd();
  const t0 = performance.now();
  const sock = dockerd.env.DOCKER_HOST!;
  await skopeo(['copy', '--quiet', `--dest-daemon-host=${sock}`, `oci:${layout}:latest`, `docker-daemon:${LOCAL_TAG}`]);
  return { dockerd, loadSeconds: (performance.now() - t0) / 1000 };
}

/** Forgets which registries and repositories hold each layer (so the next push uploads, not mounts). */
function forgetBlobLocations(engine: Engine): void {
  rmSync(join(engine.dockerd.dir, 'data', 'image', 'vfs', 'distribution'), { recursive: true, force: true });
}

/**
 * Times `docker push` of the image to `host/repo`, then `docker pull` of it with no layer of it left in
 * the engine (`docker rmi -f` of the image first); the pulled image is tagged back as LOCAL_TAG. `around`
 * wraps each timed command (to count backend calls); its own waits are not timed.
 */
export async function dockerPushPull(
  engine: Engine, host: string, repo: string,
  around: (phase: 'push' | 'pull', work: () => Promise<void>) => Promise<void> = (_phase, work) => work(),
): Promise<{ push: number; pull: number }> {
  const { docker } = engine.dockerd;
  const ref = `${host}/${repo}:latest`;
  await docker(['tag', LOCAL_TAG, ref]);
  forgetBlobLocations(engine);
  // Timed inside `around`, which may wait before and after the command (for log lines to land).
  const timed = async (args: string[]) => { const t0 = performance.now(); await docker(args, { timeoutMs: 900_000 }); return (performance.now() - t0) / 1000; };
  let push = 0;
  await around('push', async () => { push = await timed(['push', '--quiet', ref]); });
  const id = (await docker(['image', 'inspect', '--format', '{{.Id}}', ref])).stdout.trim();
  await docker(['rmi', '-f', id]);
  forgetBlobLocations(engine);
  let pull = 0;
  await around('pull', async () => { pull = await timed(['pull', '--quiet', ref]); });
  await docker(['tag', ref, LOCAL_TAG]);
  await docker(['rmi', ref]);
  return { push, pull };
}
