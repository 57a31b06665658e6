import { startTestRegistry, TestRegistry, TestRegistryOptions } from '../harness';
import { RegistryClient } from './client';

/**
 * A client for a registry of this test file's own: started before its tests (beforeAll) and stopped
 * after them (afterAll). Call at the top level of a test file.
 */
export function registryClientForThisFile(opts: TestRegistryOptions = {}): RegistryClient {
  const client = new RegistryClient('http://registry-not-started-yet');
  let registry: TestRegistry | undefined;
  beforeAll(async () => {
    registry = await startTestRegistry(opts);
    client.base = registry.url;
  });
  afterAll(async () => {
    await registry?.stop();
  });
  return client;
}
