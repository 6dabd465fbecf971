/**
 * A fake Exec that answers from a host fixture's `commands/` directory instead of running anything, so
 * checks can run against test/fixtures/hosts/<name> without touching this machine.
 *
 * A call `file args…` is looked up under the name `basename(file) + args.join('')`, with characters
 * other than `[A-Za-z0-9._-]` replaced by `_` (`iptables --version` → `iptables--version`):
 * - `<name>.txt`: stdout; optional `<name>.stderr` and `<name>.exit` (exit code, default 0);
 * - `<name>.missing`: the binary does not exist (ENOENT), like `iptables-legacy-save` on RHEL 8;
 * - `<basename>.missing`: the binary is missing whatever the arguments;
 * - nothing recorded: a notFound result whose error names the fixture gap.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Exec, ExecResult } from '../../src/host/exec.ts';

/** One call made through a fixture exec. */
export interface FixtureCall {
  file: string;
  args: string[];
  /** The commands/ file name it was answered from, or undefined when nothing was recorded. */
  answeredBy?: string;
}

/** An Exec that also records its calls (for asserting that nothing unexpected, such as modprobe, ran). */
export type FixtureExec = Exec & { calls: FixtureCall[] };

/** The commands/ base name that answers `file args…`. */
export function commandFileName(file: string, args: readonly string[]): string {
  return (path.posix.basename(file) + args.join('')).replace(/[^A-Za-z0-9._-]/g, '_');
}

/** Exec answering from `<fixtureDir>/commands/`. */
export function fixtureExec(fixtureDir: string): FixtureExec {
  const commandsDir = path.join(fixtureDir, 'commands');
  const calls: FixtureCall[] = [];
  const exec: Exec = async (file, args) => {
    const name = commandFileName(file, args);
    const base = commandFileName(file, []);
    const at = (suffix: string, stem = name) => path.join(commandsDir, stem + suffix);
    if (existsSync(at('.txt'))) {
      calls.push({ file, args: [...args], answeredBy: `${name}.txt` });
      return recorded(file, args, name, at);
    }
    for (const stem of [name, base]) {
      if (existsSync(at('.missing', stem))) {
        calls.push({ file, args: [...args], answeredBy: `${stem}.missing` });
        return notFound(file, args, `${file}: not found`);
      }
    }
    calls.push({ file, args: [...args] });
    return notFound(file, args, `${file}: not found (fixture ${path.basename(fixtureDir)} has no commands/${name}.txt)`);
  };
  return Object.assign(exec, { calls });
}

function recorded(file: string, args: readonly string[], name: string, at: (suffix: string) => string): ExecResult {
  const stdout = readFileSync(at('.txt'), 'utf8');
  const stderr = existsSync(at('.stderr')) ? readFileSync(at('.stderr'), 'utf8') : '';
  const exitText = existsSync(at('.exit')) ? readFileSync(at('.exit'), 'utf8').trim() : '0';
  const exitCode = Number.parseInt(exitText, 10);
  if (!Number.isInteger(exitCode)) throw new Error(`commands/${name}.exit: not an exit code: ${exitText}`);
  const ok = exitCode === 0;
  const firstLine = stderr.split('\n').find((l) => l.trim() !== '');
  return {
    file,
    args: [...args],
    exitCode,
    stdout,
    stderr,
    ok,
    timedOut: false,
    notFound: false,
    error: ok ? undefined : `${file}: exit ${exitCode}${firstLine ? `: ${firstLine.trim()}` : ''}`,
  };
}

function notFound(file: string, args: readonly string[], error: string): ExecResult {
  return { file, args: [...args], exitCode: undefined, stdout: '', stderr: '', ok: false, timedOut: false, notFound: true, error };
}
