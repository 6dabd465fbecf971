/** Runs a commander program whose errors become exit codes (shared by `mesh-preflight` and the kubectl plugin). */
import type { Command } from 'commander';

export async function runProgram(program: Command, argv: string[], exitCodeFor: (error: unknown) => number): Promise<number> {
  program.exitOverride();
  program.configureOutput({ writeErr: (text) => process.stderr.write(text) });
  for (const command of program.commands) command.exitOverride();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    return exitCodeFor(error);
  }
}
