/** The UI API's answers (GET /ui/api/...), as the registry sends them. */

export interface SessionInfo {
  authEnabled: boolean;
  service: string | null;
  subject: string | null;
  admin: boolean;
  version: string;
}

export interface RepositorySummary {
  name: string;
  tagCount: number;
}

export interface RepositoryPage {
  repositories: RepositorySummary[];
  next: string | null;
}

export interface TagSummary {
  tag: string;
  digest: string;
  mediaType: string;
  size: number;
  platforms: string[];
  pushedAt: number | null;
  lastPulledAt: number | null;
}

export interface TagPage {
  repository: string;
  tags: TagSummary[];
  next: string | null;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Referrer {
  digest: string;
  mediaType: string;
  artifactType: string | null;
  size: number;
  annotations: Record<string, string> | null;
  referrers: Referrer[];
}

/** A descriptor as manifests hold it (config, layers, an index's manifests). */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface ImageConfig {
  created?: string;
  author?: string;
  architecture?: string;
  os?: string;
  variant?: string;
  config?: {
    Env?: string[];
    Labels?: Record<string, string>;
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    WorkingDir?: string;
    User?: string;
    ExposedPorts?: Record<string, unknown>;
    StopSignal?: string;
  };
  history?: Array<{ created?: string; created_by?: string; comment?: string; empty_layer?: boolean }>;
}

export interface ManifestView {
  repository: string;
  digest: string;
  mediaType: string;
  size: number;
  tags: string[];
  manifest: {
    mediaType?: string;
    artifactType?: string;
    config?: Descriptor;
    layers?: Descriptor[];
    manifests?: Descriptor[];
    subject?: Descriptor;
    annotations?: Record<string, string>;
  };
  config: ImageConfig | null;
  platforms: Array<{ digest: string; mediaType: string; size: number; platform: Platform }>;
  referrers: Referrer[];
  pushedAt: number | null;
  lastPulledAt: number | null;
}

export interface Grant {
  pattern: string;
  actions: string[];
}

export interface UserRecord {
  name: string;
  admin: boolean;
  disabled: boolean;
  grants: Grant[];
}

export interface RobotRecord {
  id: string;
  name: string;
  grants: Grant[];
  createdAt: number;
  expiresAt: number | null;
  revoked: boolean;
}

/** A garbage-collection run's record (GcRunRecord). */
export interface GcRun {
  runId: string;
  startedAt: number;
  finishedAt?: number;
  dryRun: boolean;
  graceMs: number;
  status: 'running' | 'completed' | 'incomplete' | 'failed';
  host: string;
  manifestsDeleted: number;
  linksDeleted: number;
  blobsDeleted: number;
  objectsDeleted: number;
  bytesFreed: number;
  error?: string;
}

export interface Policies {
  retention: Array<{ pattern: string; policyText: string; updatedAt: number | string | null }>;
  immutability: Array<{ pattern: string; mode: string; exclusions: string[]; updatedAt: number | string | null }>;
}
