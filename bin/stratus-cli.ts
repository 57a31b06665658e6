/**
 * `npx stratus ...`: users, grants, robot tokens, anonymous access and signing keys of a Stratus
 * registry, against a deployed table (see cli/cli.ts) or, without --table, the local backends of `npm start`:
 * this entry wires local/'s emulators in as the CLI's LocalFallback.
 */
import { runCli } from '../cli/cli';
import { localFallback } from '../local/cli-fallback';

// The pinned SDK runs on Node 20; its notice about future releases needing Node 22 is not for users here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

runCli(process.argv.slice(2), {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  local: localFallback,
}).then((code) => {
  process.exitCode = code;
});
