/**
 * Jest's Node environment, with one difference that makes the registry see errors as it does in production:
 * errors made by Node itself (a refused or reset socket) count as `instanceof Error` inside the test's
 * sandbox.
 *
 * Jest runs each test file in a vm context with globals of its own, while Node's built-in modules stay in
 * the outer realm, so their errors fail the sandbox's `instanceof Error`. The AWS SDK's retry layer takes
 * such an error for a non-error and rethrows it as `new Error('AWS SDK error wrapper for ...')`, losing its
 * name and code: the registry could not tell a backend fault (503) from a bug (500). In one realm, as
 * under `npm start` or in Lambda, that never happens.
 */
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import NodeEnvironment from 'jest-environment-node';

export default class OneRealmErrorsEnvironment extends NodeEnvironment {
  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    const sandboxError = this.global.Error as ErrorConstructor;
    const ordinary = Function.prototype[Symbol.hasInstance];
    // Defined on the sandbox's Error only: its subclasses (TypeError, the registry's own) inherit this
    // function but keep the ordinary check.
    Object.defineProperty(sandboxError, Symbol.hasInstance, {
      value(this: unknown, value: unknown): boolean {
        return ordinary.call(this, value) || (this === sandboxError && value instanceof Error);
      },
    });
  }
}
