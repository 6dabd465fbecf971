/**
 * Running external commands: execa with argument arrays (never a shell string), a timeout on every
 * call, capped output, and a result value instead of an exception.
 */
import { execa } from 'execa';

export interface ExecOptions {
  timeoutMs?: number;
  input?: string;
  env?: Record<string, string>;
  maxBufferBytes?: number;
}

export interface ExecResult {
  file: string;
  args: string[];
  /** undefined when the process never ran or was killed. */
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  ok: boolean;
  timedOut: boolean;
  /** The binary does not exist (ENOENT). */
  notFound: boolean;
  /** One-line description of the failure, for evidence. */
  error?: string;
}

export type Exec = (file: string, args: readonly string[], options?: ExecOptions) => Promise<ExecResult>;

export const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_BUFFER = 16 * 1024 * 1024;

/** The real exec, through execa. */
export const realExec: Exec = async (file, args, options = {}) => {
  const result = await execa(file, [...args], {
    reject: false,
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    // No input: the child gets no stdin pipe at all (one pipe and stream fewer per process).
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
    env: options.env,
    extendEnv: true,
    maxBuffer: options.maxBufferBytes ?? DEFAULT_MAX_BUFFER,
    stripFinalNewline: false,
    encoding: 'utf8',
  });
  const notFound = (result as { code?: string }).code === 'ENOENT';
  const ok = !result.failed && result.exitCode === 0;
  return {
    file,
    args: [...args],
    exitCode: result.exitCode,
    stdout: typeof result.stdout === 'string' ? result.stdout : '',
    stderr: typeof result.stderr === 'string' ? result.stderr : '',
    ok,
    timedOut: Boolean(result.timedOut),
    notFound,
    error: ok ? undefined : describeFailure(file, result.exitCode, Boolean(result.timedOut), notFound, result.stderr),
  };
};

function describeFailure(
  file: string,
  exitCode: number | undefined,
  timedOut: boolean,
  notFound: boolean,
  stderr: unknown,
): string {
  if (notFound) return `${file}: not found`;
  if (timedOut) return `${file}: timed out`;
  const firstLine = typeof stderr === 'string' ? stderr.split('\n').find((l) => l.trim() !== '') : undefined;
  return `${file}: exit ${exitCode ?? 'signal'}${firstLine ? `: ${firstLine.trim()}` : ''}`;
}

/** `file arg1 arg2` for evidence lines (display only; never executed as a string). */
export function commandLine(file: string, args: readonly string[]): string {
  return [file, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
