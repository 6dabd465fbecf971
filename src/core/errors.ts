/** Named errors with stable codes. Only src/cli/main.ts turns them into exit codes. */

/** Bad input from the user (flags, files): exit 2 with a one-line message naming the input. */
export class UsageError extends Error {
  readonly code = 'E_USAGE';
  override name = 'UsageError';
}

/** The command ran and wants this exit code, having printed what it had to say. */
export class ExitError extends Error {
  readonly code = 'E_EXIT';
  override name = 'ExitError';
  readonly exitCode: number;

  constructor(exitCode: number, message = `exit ${exitCode}`) {
    super(message);
    this.exitCode = exitCode;
  }
}
