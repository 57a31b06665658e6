import { OciError } from './errors';
import { parseDigest } from './digest';
import { MediaType, ManifestKind, bareMediaType, isNonDistributable, manifestKind } from './media-types';

/** A content descriptor as it appears in manifests and indexes. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  urls?: string[];
  platform?: Record<string, unknown>;
}

/** What the registry needs to know about a manifest body to store and validate it. */
export interface ParsedManifest {
  mediaType: string;
  kind: ManifestKind;
  /** Blobs the repository must hold: config and distributable layers. */
  requiredBlobs: string[];
  /** Manifests the repository must hold: an index's children. */
  requiredManifests: string[];
  subject?: Descriptor;
  /** artifactType as the referrers API reports it (falls back to the config media type). */
  artifactType?: string;
  annotations?: Record<string, string>;
}

const GENERIC_TYPES = new Set(['', 'application/json', 'application/octet-stream']);

/** Parses and validates a manifest or index body against the Content-Type it was pushed with. */
export function parseManifest(body: Uint8Array, contentType: string | undefined): ParsedManifest {
  const doc = parseJsonObject(body);
  if (doc.schemaVersion === 1) throw invalid('Docker schema 1 manifests are not supported; push with a current client');
  if (doc.schemaVersion !== 2) throw invalid('schemaVersion must be 2');
  const mediaType = resolveMediaType(doc, bareMediaType(contentType));
  const kind = manifestKind(mediaType);
  if (!kind) throw invalid(`unsupported manifest media type: ${mediaType}`);
  const subject = doc.subject === undefined ? undefined : descriptor(doc.subject, 'subject');
  const annotations = stringMap(doc.annotations, 'annotations');
  const artifactType = optionalString(doc.artifactType, 'artifactType');
  if (kind === 'index') {
    const children = descriptorList(doc.manifests, 'manifests');
    return { mediaType, kind, requiredBlobs: [], requiredManifests: children.map((d) => d.digest), subject, artifactType, annotations };
  }
  const config = descriptor(doc.config, 'config');
  const layers = descriptorList(doc.layers, 'layers');
  const distributable = layers.filter((l) => !isNonDistributable(l.mediaType) && !(l.urls && l.urls.length > 0));
  return {
    mediaType,
    kind,
    requiredBlobs: [config.digest, ...distributable.map((l) => l.digest)],
    requiredManifests: [],
    subject,
    artifactType: artifactType ?? config.mediaType,
    annotations,
  };
}

function resolveMediaType(doc: Record<string, unknown>, contentType: string): string {
  const field = optionalString(doc.mediaType, 'mediaType');
  if (field && !GENERIC_TYPES.has(contentType) && field !== contentType) {
    throw invalid(`mediaType ${field} does not match Content-Type ${contentType}`);
  }
  if (!GENERIC_TYPES.has(contentType)) return contentType;
  if (field) return field;
  // Neither says: OCI allows omitting mediaType, so infer from the shape.
  return Array.isArray(doc.manifests) ? MediaType.OCI_INDEX : MediaType.OCI_MANIFEST;
}

function parseJsonObject(body: Uint8Array): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw invalid('manifest is not valid JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalid('manifest must be a JSON object');
  return doc as Record<string, unknown>;
}

function descriptorList(v: unknown, field: string): Descriptor[] {
  if (!Array.isArray(v)) throw invalid(`${field} must be an array`);
  return v.map((d, i) => descriptor(d, `${field}[${i}]`));
}

function descriptor(v: unknown, field: string): Descriptor {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalid(`${field} must be a descriptor object`);
  const d = v as Record<string, unknown>;
  if (typeof d.mediaType !== 'string' || d.mediaType === '') throw invalid(`${field}.mediaType is required`);
  if (typeof d.digest !== 'string') throw invalid(`${field}.digest is required`);
  try {
    parseDigest(d.digest);
  } catch {
    throw invalid(`${field}.digest is not a valid digest: ${d.digest.slice(0, 80)}`);
  }
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) {
    throw invalid(`${field}.size must be a non-negative integer`);
  }
  if (d.urls !== undefined && !(Array.isArray(d.urls) && d.urls.every((u) => typeof u === 'string'))) {
    throw invalid(`${field}.urls must be an array of strings`);
  }
  return {
    mediaType: d.mediaType,
    digest: d.digest,
    size: d.size,
    artifactType: optionalString(d.artifactType, `${field}.artifactType`),
    annotations: stringMap(d.annotations, `${field}.annotations`),
    urls: d.urls as string[] | undefined,
  };
}

function optionalString(v: unknown, field: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw invalid(`${field} must be a string`);
  return v;
}

function stringMap(v: unknown, field: string): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.values(v).every((x) => typeof x === 'string')) {
    throw invalid(`${field} must be a map of strings`);
  }
  return v as Record<string, string>;
}

function invalid(message: string): OciError {
  return new OciError('MANIFEST_INVALID', message);
}
