/** Manifest and index media types the registry stores and serves. */
export const MediaType = {
  OCI_MANIFEST: 'application/vnd.oci.image.manifest.v1+json',
  OCI_INDEX: 'application/vnd.oci.image.index.v1+json',
  DOCKER_MANIFEST: 'application/vnd.docker.distribution.manifest.v2+json',
  DOCKER_MANIFEST_LIST: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DOCKER_SCHEMA1: 'application/vnd.docker.distribution.manifest.v1+json',
  DOCKER_SCHEMA1_SIGNED: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  OCI_EMPTY: 'application/vnd.oci.empty.v1+json',
} as const;

/** Whether a media type is an image manifest (config + layers) or an index (list of manifests). */
export type ManifestKind = 'image' | 'index';

const KINDS: Record<string, ManifestKind> = {
  [MediaType.OCI_MANIFEST]: 'image',
  [MediaType.DOCKER_MANIFEST]: 'image',
  [MediaType.OCI_INDEX]: 'index',
  [MediaType.DOCKER_MANIFEST_LIST]: 'index',
};

/** The kind of a supported manifest media type, or undefined when unsupported. */
export function manifestKind(mediaType: string): ManifestKind | undefined {
  return KINDS[mediaType];
}

/** Media types of layers that live outside the registry and need not be pushed (Windows base layers). */
export function isNonDistributable(mediaType: string): boolean {
  return mediaType.includes('.foreign.') || mediaType.includes('.nondistributable.');
}

/** The media type without parameters (e.g. "; charset=utf-8"), lower-cased. */
export function bareMediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}
