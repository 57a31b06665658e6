/**
 * Starts a Stratus registry for one integration test file: the Node HTTP host on an ephemeral port,
 * on the real local S3 and DynamoDB servers started by global-setup.ts, with a bucket and table of its own.
 * REGISTRY_URL points the suite at an already running registry instead (e.g. distribution, for comparison).
 */
export interface TestRegistry {
  /** Base URL without trailing slash, e.g. http://127.0.0.1:41234 */
  url: string;
  stop(): Promise<void>;
}

export async function startTestRegistry(): Promise<TestRegistry> {
  const external = process.env.REGISTRY_URL;
  if (external) return { url: external.replace(/\/$/, ''), stop: async () => undefined };
  throw new Error('in-process registry not wired yet: set REGISTRY_URL');
}
