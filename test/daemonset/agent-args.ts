/**
 * The `mesh-preflight agent` command line as the DaemonSet passes it: extraction from a rendered
 * DaemonSet, and a check of every flag against the agent's declared flags. The lead can feed
 * argsOf(...) to the real CLI parser as well; this list is the stand-in until then.
 */
import { z } from 'zod';

/** How a flag takes its value: none (boolean), any string, or one of a fixed set. */
export type FlagSpec = { kind: 'boolean' } | { kind: 'value'; pattern?: RegExp } | { kind: 'choice'; choices: readonly string[] };

/** Every flag `mesh-preflight agent` accepts (agent flags, then the shared check flags). */
export const AGENT_FLAGS: Readonly<Record<string, FlagSpec & { repeatable?: boolean }>> = {
  '--node-name': { kind: 'value' },
  '--listen': { kind: 'value', pattern: /^(\[[0-9a-fA-F:.]+\]|[^:\s]+):([1-9][0-9]{0,4})$/ },
  '--interval': { kind: 'value', pattern: /^([0-9]+(ms|s|m|h))+$/ },
  '--kubeconfig': { kind: 'value' },
  '--fix': { kind: 'choice', choices: ['off', 'now', 'persist', 'both'] },
  '--label-prefix': { kind: 'value' },
  '--recheck-auth': { kind: 'choice', choices: ['tokenreview', 'off'] },
  '--cleanup': { kind: 'boolean' },
  '--nfd-features-dir': { kind: 'value', pattern: /^\// },
  '--mesh-from-cluster': { kind: 'boolean' },
  '--mesh-namespace': { kind: 'value', pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/ },
  '--mesh': { kind: 'choice', choices: ['istio', 'linkerd'] },
  '--backend': { kind: 'choice', choices: ['auto', 'nft', 'legacy'] },
  '--dns-capture': { kind: 'boolean' },
  '--interception': { kind: 'choice', choices: ['redirect', 'tproxy'] },
  '--ipv6': { kind: 'boolean' },
  '--no-ipv6': { kind: 'boolean' },
  '--probe': { kind: 'boolean' },
  '--host-root': { kind: 'value', pattern: /^\// },
  '--init-container': { kind: 'value', repeatable: true },
};

const ContainerSchema = z.object({ name: z.string(), args: z.array(z.string()).optional(), command: z.array(z.string()).optional() }).loose();
const DaemonSetSchema = z
  .object({
    kind: z.literal('DaemonSet'),
    spec: z.object({ template: z.object({ spec: z.object({ containers: z.array(ContainerSchema).min(1) }).loose() }).loose() }).loose(),
  })
  .loose();

/** The args of the agent container (named `agent`, else the first) of a rendered DaemonSet. */
export function argsOf(renderedDaemonSet: unknown, containerName = 'agent'): string[] {
  const ds = DaemonSetSchema.parse(renderedDaemonSet);
  const containers = ds.spec.template.spec.containers;
  const container = containers.find((c) => c.name === containerName) ?? containers[0]!;
  return [...(container.args ?? [])];
}

/** One parsed flag occurrence. */
export interface ParsedFlag {
  flag: string;
  value?: string;
}

/** Parsed agent command line, with every problem found (empty when it is valid). */
export interface ParsedAgentArgs {
  command: string | undefined;
  flags: ParsedFlag[];
  problems: string[];
}

/** Parses `agent --flag=value --flag value --bool ...` against AGENT_FLAGS. */
export function parseAgentArgs(args: readonly string[]): ParsedAgentArgs {
  const [command, ...rest] = args;
  const problems: string[] = [];
  const flags: ParsedFlag[] = [];
  if (command !== 'agent') problems.push(`first argument must be the subcommand "agent", got ${JSON.stringify(command)}`);
  for (let i = 0; i < rest.length; i += 1) {
    const arg = rest[i]!;
    if (!arg.startsWith('--')) {
      problems.push(`unexpected positional argument ${JSON.stringify(arg)}`);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    let value = eq >= 0 ? arg.slice(eq + 1) : undefined;
    const spec = AGENT_FLAGS[flag];
    if (!spec) {
      problems.push(`unknown flag ${flag}`);
      continue;
    }
    if (spec.kind === 'boolean') {
      if (value !== undefined && !['true', 'false'].includes(value)) problems.push(`${flag} takes no value, got ${JSON.stringify(value)}`);
    } else {
      if (value === undefined) {
        const next = rest[i + 1];
        if (next === undefined || next.startsWith('--')) {
          problems.push(`${flag} needs a value`);
          continue;
        }
        value = next;
        i += 1;
      }
      if (spec.kind === 'choice' && !spec.choices.includes(value)) problems.push(`${flag}=${value}: expected one of ${spec.choices.join(', ')}`);
      if (spec.kind === 'value' && spec.pattern && !spec.pattern.test(value)) problems.push(`${flag}=${value}: does not match ${String(spec.pattern)}`);
      if (spec.kind === 'value' && value === '') problems.push(`${flag} has an empty value`);
    }
    if (!spec.repeatable && flags.some((f) => f.flag === flag)) problems.push(`${flag} given more than once`);
    flags.push(value === undefined ? { flag } : { flag, value });
  }
  return { command, flags, problems };
}

/** The value of a flag in parsed args (the last one wins, as in commander). */
export function flagValue(parsed: ParsedAgentArgs, flag: string): string | undefined {
  return parsed.flags.filter((f) => f.flag === flag).at(-1)?.value;
}
