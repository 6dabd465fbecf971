/**
 * Throwaway network namespaces through iproute2 (`ip netns add|exec|del`), so that probes never touch the
 * host's own tables. Every command goes through an Exec (argument arrays, timeouts).
 */
import type { Exec, ExecResult } from '../host/exec.ts';

/** Namespace names we create start with this, so a leftover is recognisable as ours. */
export const NETNS_PREFIX = 'mp-';

const NETNS_TIMEOUT_MS = 5_000;

/** A fresh, unique namespace name: `<prefix><8 hex>` (e.g. `mp-dry-1a2b3c4d`); at most 15 chars + prefix. */
export function randomNetnsName(prefix = 'mp-dry-'): string {
  // A name, not a secret: Math.random (seeded per process) avoids loading node:crypto on every check;
  // a clash only makes `ip netns add` refuse, which the probe reports.
  return `${prefix}${Math.floor(Math.random() * 0x1_0000_0000).toString(16).padStart(8, '0')}`;
}

/** `[file, args]` of a command run inside the namespace, or unchanged when none is given. */
export function inNetns(netns: string | undefined, file: string, args: readonly string[]): [string, string[]] {
  return netns === undefined ? [file, [...args]] : ['ip', ['netns', 'exec', netns, file, ...args]];
}

/** Runs a command inside the namespace (or on the host when netns is undefined). */
export function execIn(
  exec: Exec,
  netns: string | undefined,
  file: string,
  args: readonly string[],
  options?: Parameters<Exec>[2],
): Promise<ExecResult> {
  const [f, a] = inNetns(netns, file, args);
  return exec(f, a, options);
}

/** `ip netns exec NAME missing-binary` failed because the binary does not exist. */
export function execInNetnsNotFound(result: ExecResult): boolean {
  return result.notFound || /exec of "[^"]*" failed: No such file or directory/.test(result.stderr);
}

/** Creates a namespace; the result says why not (no privilege, no `ip`). */
export function addNetns(exec: Exec, name: string): Promise<ExecResult> {
  return exec('ip', ['netns', 'add', name], { timeoutMs: NETNS_TIMEOUT_MS });
}

/** Deletes a namespace; never throws (used in `finally`). */
export async function deleteNetns(exec: Exec, name: string): Promise<ExecResult | undefined> {
  try {
    return await exec('ip', ['netns', 'del', name], { timeoutMs: NETNS_TIMEOUT_MS });
  } catch {
    return undefined;
  }
}

/** One line saying why a namespace could not be created. */
export function netnsFailureReason(result: ExecResult): string {
  if (result.notFound) return 'iproute2 `ip` not found: cannot create a throwaway network namespace';
  const line = firstLine(result.stderr) ?? result.error ?? `exit ${result.exitCode ?? 'signal'}`;
  if (/Operation not permitted|Permission denied/i.test(line)) {
    return `no privilege to create a network namespace (needs root / CAP_SYS_ADMIN): ${line}`;
  }
  return `cannot create a network namespace: ${line}`;
}

function firstLine(text: string): string | undefined {
  return text.split('\n').map((l) => l.trim()).find((l) => l !== '');
}
