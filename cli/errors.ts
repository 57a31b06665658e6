/** An error the CLI prints as is (no stack): the message says what went wrong and what to do. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}
