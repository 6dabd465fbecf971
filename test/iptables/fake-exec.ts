/** A scripted Exec for unit tests: answers by command line, records every call. */
import type { Exec, ExecOptions, ExecResult } from '../../src/host/exec.ts';

export interface Scripted {
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  notFound?: boolean;
  timedOut?: boolean;
}

export interface Call {
  file: string;
  args: string[];
  options?: ExecOptions;
}

/** Exec answering from `script` keyed by `file args...`; a function key matcher may be given instead. */
export function scriptedExec(script: Record<string, Scripted> | ((line: string, call: Call) => Scripted | undefined)): Exec & { calls: Call[] } {
  const calls: Call[] = [];
  const exec = (async (file: string, args: readonly string[], options?: ExecOptions): Promise<ExecResult> => {
    const call = { file, args: [...args], ...(options ? { options } : {}) };
    calls.push(call);
    const line = [file, ...args].join(' ');
    const answer = typeof script === 'function' ? script(line, call) : script[line];
    const s: Scripted = answer ?? { notFound: true };
    const exitCode = s.notFound ? undefined : s.timedOut ? undefined : (s.exitCode ?? 0);
    const ok = exitCode === 0;
    return {
      file,
      args: [...args],
      exitCode,
      stdout: s.stdout ?? '',
      stderr: s.stderr ?? '',
      ok,
      timedOut: Boolean(s.timedOut),
      notFound: Boolean(s.notFound),
      ...(ok ? {} : { error: s.notFound ? `${file}: not found` : s.timedOut ? `${file}: timed out` : `${file}: exit ${exitCode}${s.stderr ? `: ${s.stderr.split('\n')[0]}` : ''}` }),
    };
  }) as Exec & { calls: Call[] };
  exec.calls = calls;
  return exec;
}
