/**
 * The registry mirror's state (DynamoDB in production): upstream rules, which repositories were filled
 * from an upstream, when a mirrored tag was last resolved upstream, and leases that make one host fetch
 * a cold manifest or blob while the others wait. Times are ms since the epoch, passed in by the caller.
 * Methods throw only on backend faults.
 */

/** Default seconds a tag resolved upstream is served without asking the upstream again. */
export const DEFAULT_TAG_TTL_SECONDS = 300;

/** Docker Hub's registry: what `registry-mirrors` mirrors, and the upstream of the default rule. */
export const DOCKER_HUB_UPSTREAM = 'https://registry-1.docker.io';

/** Repositories under `prefix` are filled from `upstream` when pulled and not held locally. */
export interface MirrorRule {
  /**
   * The repository-name prefix the rule covers: '' (the root: every name, as `registry-mirrors` needs for
   * `library/busybox`) or a path ending in '/' (e.g. `ghcr/`). The prefix is removed to name the upstream
   * repository (`ghcr/org/app` -> `org/app`). The longest matching prefix wins.
   */
  prefix: string;
  /** Base URL of the upstream registry (scheme, host, optional port), e.g. https://registry-1.docker.io; '' for a local-only rule. */
  upstream: string;
  /**
   * A local-only rule: names under the prefix are the team's own and never filled from an upstream, whatever
   * a shorter rule covers (`team/` under the root rule for Docker Hub). Without one, an outsider could publish
   * `team/app` upstream and pull it through the mirror before the team first pushes it, making the name a
   * read-only mirror here. A name already filled that a local-only rule covers becomes local.
   */
  localOnly?: boolean;
  /**
   * Where the upstream's username and password are kept: a Secrets Manager ARN (AWS) or the name of a file
   * in the local data directory (`mirror-credentials/<name>.json`). Absent: the upstream is asked anonymously.
   */
  credentialsRef?: string;
  /** Seconds a tag resolved upstream is trusted before it is resolved again. */
  tagTtlSeconds: number;
  /**
   * With auth on, callers without credentials may pull the mirrored repositories of this rule (Docker's
   * daemon sends no credentials to a mirror). Defaults to true without upstream credentials, false with.
   */
  anonymousPull: boolean;
  createdAt: number;
}

/** The mark a repository gets when it is first filled from an upstream: it is then read-only here. */
export interface MirroredRepository {
  repository: string;
  /** The prefix of the rule that filled it. */
  prefix: string;
  since: number;
}

/** When a tag of a mirrored repository was last resolved upstream, and to what. */
export interface TagCheck {
  repository: string;
  tag: string;
  digest: string;
  checkedAt: number;
}

export interface MirrorStore {
  /** Adds or replaces the rule of `rule.prefix`. */
  putRule(rule: MirrorRule): Promise<void>;
  /** False when there was none. */
  deleteRule(prefix: string): Promise<boolean>;
  listRules(): Promise<MirrorRule[]>;

  /** The repository's mirror mark, or null (a local repository, or none yet). */
  getMirrored(repository: string): Promise<MirroredRepository | null>;
  /** Marks a repository as filled from upstream (kept when already marked). */
  markMirrored(mark: MirroredRepository): Promise<void>;

  getTagCheck(repository: string, tag: string): Promise<TagCheck | null>;
  putTagCheck(check: TagCheck): Promise<void>;

  /**
   * Takes (or renews, for the same holder) the lease `key` until now + ttlMs, unless another holder's lease
   * is unexpired: true when this holder has it. One conditional write.
   */
  acquireLease(key: string, holder: string, now: number, ttlMs: number): Promise<boolean>;
  /** Gives a lease up, if this holder still has it. */
  releaseLease(key: string, holder: string): Promise<void>;
}

/** An upstream's username and password (or token as password). */
export interface UpstreamCredentials {
  username: string;
  password: string;
}

/** Reads upstream credentials by a rule's credentialsRef (Secrets Manager in AWS, a data-directory file locally). */
export interface UpstreamCredentialSource {
  /** The credentials, or null when the reference names nothing. Throws on backend faults. */
  get(ref: string): Promise<UpstreamCredentials | null>;
}
