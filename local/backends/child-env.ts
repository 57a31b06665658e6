/**
 * The environment the embedded backends' processes get: what a JVM or Node needs to run, nothing of the
 * registry's settings. STRATUS_ADMIN_PASSWORD, AWS keys and other secrets in `npm start`'s environment
 * (an EnvironmentFile, a CI secret) must not be readable in /proc/<pid>/environ of DynamoDB Local or the
 * local S3 server, nor be handed down to anything they run.
 */
const KEEP = /^(PATH|HOME|USER|LOGNAME|SHELL|LANG|LANGUAGE|LC_[A-Z_]+|TZ|TMPDIR|TERM|JAVA_HOME|JAVA_TOOL_OPTIONS|_JAVA_OPTIONS|NODE_OPTIONS|NODE_PATH|NODE_EXTRA_CA_CERTS|TSX_[A-Z_]+|ESBUILD_BINARY_PATH|AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED)$/;

/** A copy of `env` with only the variables a backend process needs to start. */
export function backendChildEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && KEEP.test(name)) out[name] = value;
  return out;
}
