/**
 * The single-table item layout (partition key `pk`, sort key `sk`):
 *
 *   pk                 sk                            holds
 *   BLOB#<digest>      BLOB                          digest, size, objectKey, GC marks one per distinct blob
 *   BLOB#<digest>      LINK#<name>                   repository                       back-link: one per repository linking it
 *   REPO#<name>        BLOB#<digest>                 digest, size, objectKey, GC marks blob linked to a repository
 *   REPO#<name>        MANIFEST#<digest>             mediaType, size, body | bodyKey, subject, artifactType, annotations (JSON),
 *                                                   blobs, children, pushedAt, lastPulledAt, summary, GC marks
 *   REPO#<name>        TAG#<tag>                     tag, digest, manifest (copy, when small: one read per pull by tag), writeId,
 *                                                   summary {mediaType, size, platforms}, pushedAt (a UI page: no manifest read)
 *   REPO#<name>        REFERRER#<subject>#<digest>   descriptor of a manifest whose subject is <subject>
 *   CATALOG            REPO#<name>                   name                             one per repository
 *   UPLOAD#<id>        UPLOAD                        the upload session, expiresAt,   TTL attribute: expiresAt
 *                                                   uploadShard                      indexed by UploadsByExpiry
 *                                                   nextPart                         S3 part numbers taken (reserveParts)
 *   AUTH#USERS         USER#<name>                   User (passwordHash, grants, catalog, admin, disabled)
 *   AUTH#ROBOTS        ROBOT#<id>                    RobotToken (secretHash, grants, createdAt, tokenExpiresAt, revoked)
 *   AUTH               ANONYMOUS                     grants                           what requests without credentials get
 *   LOGIN#<account>    FAILURES#<client address>     count, lockedUntil, expiresAt    TTL attribute: expiresAt
 *   GC#RUNS            RUN#<startedAt, 13 digits>#<id>  GcRunRecord (status, counts, bytes)  one per collector run
 *   MIRROR             RULE#<prefix>                 upstream, credentialsRef, tagTtlSeconds, anonymousPull, createdAt  a mirror rule
 *   REPO#<name>        MIRROR                        prefix, since                    the repository was filled from upstream
 *   REPO#<name>        MIRRORTAG#<tag>               digest, checkedAt                when a mirrored tag was last resolved upstream
 *   LEASE#<key>        LEASE                         holder, leaseUntil (ms), expiresAt  one host fetching a cold manifest or
 *                                                                                    blob; TTL attribute: expiresAt
 *
 * Items name S3 objects by key (objectKey, bodyKey); the bucket's key layout is in core/storage-layout.ts.
 *
 * GC marks (ports/gc-store.ts): `touchedAt` (ms; absent = 0), and `gcState` ('condemned' | 'deleting')
 * with `gcRun` while the collector holds the item. A link and its back-link are written and deleted in
 * one transaction, so the collector reads who links a blob in the blob's own partition. A manifest's
 * `blobs` and `children` are the digests its put checked (absent on items stored before: parse the body).
 *
 * Index UploadsByExpiry (sparse, keys only): partition `uploadShard` = UPLOADS#<first hex digit of the
 * session id> (16 shards, so the index takes a session write per chunk at 16x one partition's rate),
 * sort `expiresAt`. Only upload sessions carry `uploadShard`, so the index holds nothing else. The
 * sweeper finds expired sessions with one Query per shard (`expiresAt < now`), reading only what it
 * removes, instead of scanning the table: DynamoDB's TTL deletes items but cannot abort their S3
 * multipart uploads or delete their leftovers.
 *
 * Index TagsByName (sparse, keys only): partition `pk`, sort `tag`. Tag items carry `tag`, so a
 * repository's tag names are one index partition of tiny items: a Query page (1 MB) holds about 10,000
 * of them, where the table's TAG# items (inline manifest copy and summary, up to about 5 KB) fill a page
 * with about 200. Index reads are eventually consistent; `tag` is left to tag items in REPO# partitions
 * (readers still filter on the TAG# sort key, so another item carrying `tag` is never listed).
 *
 * A repository's items share a partition, so tags, referrers and link checks are single Queries or
 * BatchGets; sort keys sort tags and names lexically as the spec asks.
 *
 * Users and robots each live in one listing partition, so a login is one GetItem and `stratus user list`
 * one Query (a registry has tens to thousands of accounts, far below a partition's limits). A robot's
 * expiry is stored as `tokenExpiresAt`, not `expiresAt`, so TTL never deletes it: an expired robot stays
 * listed (and refused) until revoked or removed. Login failures are counted per account and client
 * address (an account's addresses share its partition); they expire by TTL an hour after the last
 * attempt, and reads ignore expired ones, as with upload sessions.
 */
export const keys = {
  blob: (digest: string) => ({ pk: `BLOB#${digest}`, sk: 'BLOB' }),
  link: (repo: string, digest: string) => ({ pk: repoPk(repo), sk: `BLOB#${digest}` }),
  manifest: (repo: string, digest: string) => ({ pk: repoPk(repo), sk: `MANIFEST#${digest}` }),
  tag: (repo: string, tag: string) => ({ pk: repoPk(repo), sk: `TAG#${tag}` }),
  referrer: (repo: string, subject: string, digest: string) => ({ pk: repoPk(repo), sk: `REFERRER#${subject}#${digest}` }),
  catalog: (repo: string) => ({ pk: CATALOG_PK, sk: `REPO#${repo}` }),
  upload: (id: string) => ({ pk: `UPLOAD#${id}`, sk: 'UPLOAD' }),
  /** The UploadsByExpiry partition of a session. */
  uploadShard: (id: string) => `UPLOADS#${(id[0] ?? '0').toLowerCase()}`,
  user: (name: string) => ({ pk: USERS_PK, sk: `USER#${name}` }),
  robot: (id: string) => ({ pk: ROBOTS_PK, sk: `ROBOT#${id}` }),
  anonymous: () => ({ pk: 'AUTH', sk: 'ANONYMOUS' }),
  loginFailures: (account: string, address: string) => ({ pk: `LOGIN#${account}`, sk: `FAILURES#${address}` }),
  /** A repository's back-link in the blob's partition: who links the blob, read by the collector's verify. */
  backLink: (digest: string, repo: string) => ({ pk: `BLOB#${digest}`, sk: `LINK#${repo}` }),
  /** A garbage collection run's record, newest last in sort order (startedAt as 13 digits). */
  gcRun: (startedAt: number, runId: string) => ({ pk: GC_RUNS_PK, sk: `RUN#${String(startedAt).padStart(13, '0')}#${runId}` }),
  /** A mirror rule, by repository prefix ('' for the root). */
  mirrorRule: (prefix: string) => ({ pk: MIRROR_PK, sk: `RULE#${prefix}` }),
  /** A repository's mark: filled from an upstream, read-only here. */
  mirrorMark: (repo: string) => ({ pk: repoPk(repo), sk: 'MIRROR' }),
  /** When a mirrored tag was last resolved upstream (not TAG#: the collector and tag lists never see it). */
  mirrorTagCheck: (repo: string, tag: string) => ({ pk: repoPk(repo), sk: `MIRRORTAG#${tag}` }),
  /** A lease on a cold manifest or blob being fetched from upstream. */
  lease: (key: string) => ({ pk: `LEASE#${key}`, sk: 'LEASE' }),
};

/** Partition of every garbage collection run record. */
export const GC_RUNS_PK = 'GC#RUNS';

/** Partition of every mirror rule. */
export const MIRROR_PK = 'MIRROR';

/** Partition of every user item. */
export const USERS_PK = 'AUTH#USERS';

/** Partition of every robot token item. */
export const ROBOTS_PK = 'AUTH#ROBOTS';

/** Partition key of a repository's items. */
export function repoPk(repo: string): string {
  return `REPO#${repo}`;
}

/** Partition key of the catalog. */
export const CATALOG_PK = 'CATALOG';

/** Sort-key prefixes for Queries. */
export const prefixes = {
  tag: 'TAG#',
  repo: 'REPO#',
  referrers: (subject: string) => `REFERRER#${subject}#`,
  user: 'USER#',
  robot: 'ROBOT#',
  backLink: 'LINK#',
  gcRun: 'RUN#',
  mirrorRule: 'RULE#',
};

/** The sparse index of upload sessions by expiry, its partitions and key attributes. */
export const UPLOADS_BY_EXPIRY = {
  name: 'UploadsByExpiry',
  partitionKey: 'uploadShard',
  sortKey: 'expiresAt',
  shards: [...'0123456789abcdef'].map((c) => `UPLOADS#${c}`),
} as const;

/** The sparse index of tag names by repository (keys only): what a tags list reads. */
export const TAGS_BY_NAME = {
  name: 'TagsByName',
  partitionKey: 'pk',
  sortKey: 'tag',
} as const;

/** The attribute DynamoDB's TTL deletes items by. */
export const TTL_ATTRIBUTE = 'expiresAt';
