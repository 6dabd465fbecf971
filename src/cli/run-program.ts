/** Runs a commander program whose errors become exit codes (shared by `mesh-preflight` and the kubectl plugin). */
import { CommanderError, type Command } from 'commander';
import { ExitError, UsageError } from '../core/errors.ts';

/**
 * Runs the program; an error either CLI knows ends as its exit code (a deliberate exit, commander's own,
 * a usage error: one line on stderr, prefixed with `name`), anything else as `unexpected` decides.
 */
export async function runProgram(program: Command, argv: string[], name: string, unexpected: (error: unknown) => number): Promise<number> {
  program.exitOverride();
  program.configureOutput({ writeErr: (text) => process.stderr.write(text) });
  for (const command of program.commands) command.exitOverride();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    return knownExitCode(name, error) ?? unexpected(error);
  }
}

function knownExitCode(name: string, error: unknown): number | undefined {
  if (error instanceof ExitError) {
    if (error.message !== `exit ${error.exitCode}`) process.stderr.write(`${name}: ${error.message.split('\n')[0]}\n`);
    return error.exitCode;
  }
  // commander already printed its one-line message; help and version are successes.
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  if (error instanceof UsageError) {
    process.stderr.write(`${name}: ${error.message}\n`);
    return 2;
  }
  return undefined;
}

/** The process exit code from a CLI's run (2 should the run itself reject). */
export function exitWith(run: Promise<number>): void {
  run.then(
    (code) => {
      process.exitCode = code;
    },
    () => {
      process.exitCode = 2;
    },
  );
}
