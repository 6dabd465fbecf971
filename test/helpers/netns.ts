/**
 * Throwaway network namespaces for integration tests: a unique name per call (tests run in parallel),
 * deleted in t.teardown even when the test fails. Never touches the machine's own tables. Tests using
 * them register through `needs('root', 'netns', …)` (requirements.ts).
 */
import type { ExecutionContext } from 'ava';
import { realExec, type ExecResult } from '../../src/host/exec.ts';
import { addNetns, deleteNetns, execIn, randomNetnsName } from '../../src/iptables/netns.ts';

export interface TestNetns {
  name: string;
  /** Runs a command inside the namespace; throws with the command's stderr when it fails. */
  run(file: string, args: readonly string[], input?: string): Promise<ExecResult>;
}

/** Creates a namespace `mp-t-<hex>` deleted at teardown. */
export async function testNetns(t: ExecutionContext, prefix = 'mp-t-'): Promise<TestNetns> {
  const name = randomNetnsName(prefix);
  const added = await addNetns(realExec, name);
  if (!added.ok) throw new Error(`ip netns add ${name}: ${added.error}`);
  t.teardown(async () => {
    await deleteNetns(realExec, name);
  });
  return {
    name,
    async run(file, args, input) {
      const result = await execIn(realExec, name, file, args, { timeoutMs: 15_000, ...(input === undefined ? {} : { input }) });
      if (!result.ok) throw new Error(`${file} ${args.join(' ')} in ${name}: ${result.error}\n${result.stderr}`);
      return result;
    },
  };
}

/** Names of the namespaces that exist now (`ip netns list`). */
export async function listNetns(): Promise<string[]> {
  const result = await realExec('ip', ['netns', 'list']);
  return result.stdout.split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter(Boolean);
}
