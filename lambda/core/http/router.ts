import type { Requirement } from '../../auth/authorizer';
import { OciError } from '../../oci/errors';
import type { RegistryRequest } from '../../shared/http-types';

/** Path parameters captured by a route's named groups: name, reference, digest or upload id. */
export type RouteParams = Record<string, string>;

/** One row of the route table: a method on a path, what it needs from its caller, and its handler. */
export interface RouteDescriptor<H> {
  /** The path's name (rows of one path share it); named in 405 answers. */
  name: string;
  method: string;
  /** The whole path, anchored; named groups become the params. */
  path: RegExp;
  /** What the caller needs when auth is on. */
  needs: Requirement;
  handler: H;
  /** Only served with auth on (the token endpoint); without auth the path is unknown. */
  onlyWithAuth?: boolean;
}

/** A request's route: the row it selected and the params its path captured. */
export interface RouteMatch<H> {
  route: RouteDescriptor<H>;
  params: RouteParams;
}

interface PathRows<H> {
  name: string;
  path: RegExp;
  byMethod: Map<string, RouteDescriptor<H>>;
}

/**
 * Matches requests against a route table. Paths are tried in the table's order (the first row of a path
 * places it), so a path listed earlier wins over a later one that also matches (uploads before blobs).
 */
export class Router<H> {
  private readonly paths: PathRows<H>[] = [];

  constructor(rows: readonly RouteDescriptor<H>[]) {
    for (const row of rows) {
      let entry = this.paths.find((p) => p.name === row.name);
      if (!entry) this.paths.push((entry = { name: row.name, path: row.path, byMethod: new Map() }));
      if (entry.path !== row.path) throw new Error(`route ${row.name} is declared with two paths`);
      if (entry.byMethod.has(row.method)) throw new Error(`route ${row.name} declares ${row.method} twice`);
      entry.byMethod.set(row.method, row);
    }
  }

  /**
   * The row for a request: HEAD falls back to GET where a path has no HEAD of its own. A path no row matches
   * is NOT_FOUND; a known path with another method is UNSUPPORTED (405) with Allow.
   */
  match(req: RegistryRequest): RouteMatch<H> {
    for (const entry of this.paths) {
      const m = entry.path.exec(req.path);
      if (!m) continue;
      const params: RouteParams = { ...m.groups };
      const route = entry.byMethod.get(req.method) ?? (req.method === 'HEAD' ? entry.byMethod.get('GET') : undefined);
      if (!route) {
        throw new OciError('UNSUPPORTED', `${req.method} is not supported on ${entry.name}`, {
          headers: { allow: [...entry.byMethod.keys()].join(', ') },
        });
      }
      return { route, params };
    }
    throw new OciError('NOT_FOUND', `no route for ${req.path.slice(0, 200)}`);
  }
}
