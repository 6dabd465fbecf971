/**
 * How the executable starts Node. The built entry (dist/mesh-preflight.js) is both a POSIX shell script
 * and an ES module: its first two lines are
 *
 *   #!/bin/sh
 *   ':' //; case "$1" in agent) exec node <AGENT_NODE_FLAGS> "$0" "$@";; esac; exec node "$0" "$@"
 *
 * The kernel runs it with /bin/sh, which `exec`s Node on the same file — with V8 flags for the agent —
 * so there is one process (same pid, signals, exit code and stdio as Node itself) and no re-exec. Node
 * skips the `#!` line and reads the second as the string ':' followed by a comment. `node
 * dist/mesh-preflight.js …` skips the shell and runs without the flags.
 */

/**
 * V8 flags of the long-running agent, which checks every ten minutes and idles in between: lite mode
 * (no optimizing compilers, lazy feedback, heap sized for memory; README "Benchmarks": ~75 → ~45 MiB of
 * its anonymous memory). `--no-expose-wasm` only silences V8's warning that lite mode turns it off.
 */
export const AGENT_NODE_FLAGS: readonly string[] = ['--lite-mode', '--no-expose-wasm'];

/** The two launcher lines that replace the entry's `#!/usr/bin/env node`. */
export function launcherLines(agentFlags: readonly string[] = AGENT_NODE_FLAGS): string {
  for (const flag of agentFlags) if (!/^--[a-z0-9-]+(=[\w.-]+)?$/.test(flag)) throw new Error(`unsafe node flag for the launcher: ${flag}`);
  return `#!/bin/sh\n':' //; case "$1" in agent) exec node ${agentFlags.join(' ')} "$0" "$@";; esac; exec node "$0" "$@"\n`;
}
