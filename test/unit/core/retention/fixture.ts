import { DAY_MS } from '../../../../lambda/core/retention/policy';
import type { ManifestFacts, RepositorySnapshot } from '../../../../lambda/ports/gc-store';

/** The fixed "now" of the golden files. */
export const NOW = Date.UTC(2026, 5, 1, 12, 0);
const IMAGE = 'application/vnd.oci.image.manifest.v1+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';
const HOUR_MS = 3_600_000;

/** A readable fake digest: the name, padded to 64 hex-like characters. */
export const digest = (name: string) => `sha256:${Buffer.from(name).toString('hex').padEnd(64, '0')}`;

function manifest(name: string, pushedDaysAgo: number, extra: Partial<ManifestFacts> & { pulledDaysAgo?: number } = {}): ManifestFacts {
  const { pulledDaysAgo, ...rest } = extra;
  return {
    digest: digest(name), mediaType: IMAGE, size: 1000, children: [],
    pushedAt: NOW - pushedDaysAgo * DAY_MS - 3 * HOUR_MS,
    ...(pulledDaysAgo !== undefined ? { lastPulledAt: NOW - pulledDaysAgo * DAY_MS - HOUR_MS } : {}),
    ...rest,
  };
}

function repository(name: string, manifests: ManifestFacts[], tags: Array<[string, string]>): RepositorySnapshot {
  return { repository: name, manifests, links: [], tags: tags.map(([tag, m]) => ({ tag, digest: digest(m) })) };
}

/**
 * Three repositories as a registry a few months old holds them:
 * - team/app: releases (v1.0.0 immutable under the immutability rule of the tests), 14 CI builds pulled now and
 *   then, two untagged leftovers, a multi-arch index with its two children, and a signature of the latest release;
 * - team/web: a few releases and a CI build;
 * - tools/lint: one old image and one recent one.
 */
export function registryState(): RepositorySnapshot[] {
  const ci = Array.from({ length: 14 }, (_, i) => manifest(`ci-${i + 1}`, 28 - 2 * i, i % 5 === 0 ? { pulledDaysAgo: 1 + i } : {}));
  return [
    repository('team/app', [
      manifest('rel-120', 2, { pulledDaysAgo: 0 }),
      manifest('rel-110', 40, { pulledDaysAgo: 3 }),
      manifest('rel-100', 90),
      ...ci,
      manifest('old-1', 20),
      manifest('old-2', 3),
      manifest('multi', 10, { mediaType: INDEX, children: [digest('multi-amd64'), digest('multi-arm64')] }),
      manifest('multi-amd64', 10),
      manifest('multi-arm64', 10),
      manifest('sig', 2, { subject: digest('rel-120') }),
    ], [
      ['latest', 'rel-120'], ['v1.2.0', 'rel-120'], ['v1.1.0', 'rel-110'], ['v1.0.0', 'rel-100'],
      ...ci.map((_, i): [string, string] => [`ci-${i + 1}`, `ci-${i + 1}`]),
      ['multi', 'multi'],
    ]),
    repository('team/web', [
      manifest('web-3', 1), manifest('web-2', 35, { pulledDaysAgo: 5 }), manifest('web-1', 70), manifest('web-ci', 50),
    ], [['v3', 'web-3'], ['v2', 'web-2'], ['v1', 'web-1'], ['ci-9', 'web-ci']]),
    repository('tools/lint', [manifest('lint-old', 400), manifest('lint-new', 8)], [['stable', 'lint-new']]),
  ];
}
