/**
 * `npx stratus ...`: users, grants, robot tokens, anonymous access and signing keys of a Stratus
 * registry, against the local backends of `npm start` or a deployed table (see cli/cli.ts).
 */
import { runCli } from '../cli/cli';

// The pinned SDK runs on Node 20; its notice about future releases needing Node 22 is not for users here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

runCli(process.argv.slice(2), {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then((code) => {
  process.exitCode = code;
});
