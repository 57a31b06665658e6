/** Jest globalTeardown of the integration project: stops what global-setup.ts started, deletes its data. */
import { rm } from 'node:fs/promises';
import { BACKENDS_KEY, type IntegrationBackends } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as Record<string, unknown>)[BACKENDS_KEY] as IntegrationBackends | undefined;
  if (!state) return;
  delete (globalThis as Record<string, unknown>)[BACKENDS_KEY];
  const results = await Promise.allSettled(state.stops.map((stop) => stop()));
  await rm(state.tempDir, { recursive: true, force: true });
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
}
