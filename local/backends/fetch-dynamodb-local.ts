/**
 * Pre-fetches DynamoDB Local into the cache (for CI, before the integration suite) and prints its
 * directory: `npx tsx local/backends/fetch-dynamodb-local.ts`.
 */
import { ensureDynamoDbLocal } from './dynamodb-local';
import { ensureBindLocalLauncher } from './dynamodb-local-cache';

async function main(): Promise<void> {
  const emulator = await ensureDynamoDbLocal();
  const launcher = await ensureBindLocalLauncher(emulator);
  if (!launcher) console.error('no javac found: DynamoDB Local will listen on all interfaces');
  console.log(emulator);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
