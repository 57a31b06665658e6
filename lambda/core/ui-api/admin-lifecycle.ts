import { jsonResponse, RegistryResponse } from '../../shared/http-types';
import type { RouteCall } from '../services';
import { adminOf } from './admin-users';

/** Garbage collection runs shown, newest first. */
const GC_RUNS_SHOWN = 20;

/** GET /ui/api/admin/gc-runs: the latest collector runs (`npx stratus gc history`). */
export async function uiGcRuns(call: RouteCall): Promise<RegistryResponse> {
  await adminOf(call);
  const runs = call.deps.gcRuns ? await call.deps.gcRuns.listRuns(GC_RUNS_SHOWN) : [];
  return jsonResponse(200, runs);
}

/** GET /ui/api/admin/policies: retention and tag-immutability policies by repository pattern. */
export async function uiPolicies(call: RouteCall): Promise<RegistryResponse> {
  await adminOf(call);
  const { policies } = call.deps;
  const [retention, immutability] = policies ? await Promise.all([policies.listRetention(), policies.listImmutability()]) : [[], []];
  return jsonResponse(200, {
    retention: retention.map((p) => ({ pattern: p.pattern, policyText: p.policyText, updatedAt: p.updatedAt })),
    immutability: immutability.map((r) => ({ pattern: r.pattern, mode: r.mode, exclusions: r.exclusions ?? [], updatedAt: r.updatedAt })),
  });
}
