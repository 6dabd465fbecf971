/**
 * The check flags every command that runs the checks takes (`check`, `fix`, `diagnose`, `agent`),
 * declared once, parsed into CheckOptions with zod.
 */
import { stat } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { z } from 'zod';
import { CheckOptionsSchema, type CheckOptions } from '../core/options.ts';
import { UsageError } from '../core/errors.ts';
import type { ListInterfaces } from '../host/ipv6-auto.ts';
import { dataplanes, meshes } from '../core/report-enums.ts';

/** Adds the shared check flags to a command. */
export function addCheckFlags(command: Command): Command {
  return command
    .addOption(new Option('--mesh <mesh>', 'mesh whose interception to check').choices([...meshes]).default('istio'))
    .addOption(
      new Option('--dataplane <dataplane>', 'sidecar proxies, or Istio ambient (ztunnel + istio-cni node agent)').choices([...dataplanes]).default('sidecar'),
    )
    .option('--native-nftables', 'the mesh writes nft rules itself (Istio values.global.nativeNftables): no iptables binary', false)
    .option('--cni', "sidecar rules are applied by the mesh's CNI plugin on the host (istio-cni, linkerd-cni, consul-cni) instead of an init container", false)
    .option('--mesh-version <X.Y>', 'mesh release whose requirements to check (default: the newest the profiles know)')
    .addOption(
      new Option('--backend <backend>', 'iptables mode of the mesh init container (auto: what the node uses)')
        .choices(['auto', 'nft', 'legacy'])
        .default('auto'),
    )
    .option('--dns-capture', 'the mesh captures DNS (Istio ISTIO_META_DNS_CAPTURE: raw table, CT zones)', false)
    .addOption(new Option('--interception <mode>', 'inbound interception mode').choices(['redirect', 'tproxy']).default('redirect'))
    .option('--ipv6', 'the mesh also programs ip6tables (default: auto, when this node has a global IPv6 address)')
    .option('--no-ipv6', 'the mesh programs no ip6tables (turns the auto decision off)')
    .option('--probe', 'apply the real rule set in a throwaway network namespace (touches the kernel)', false)
    .option('--host-root <dir>', 'read every host file below this directory', '/')
    .option('--init-container <name>', 'extra init container name to scan and watch (repeatable)', collect, [])
    .option('--node-name <name>', 'node name for the report (default: NODE_NAME, then the host name)')
    .hook('preAction', (_program, action) => {
      // Where each check flag's value came from, for the report's options.optionSources.
      const sources: Record<string, string> = {};
      for (const key of SOURCE_KEYS) {
        const source = action.getOptionValueSource(key);
        sources[key] = source === 'cli' || source === 'env' ? 'flag' : 'default';
      }
      action.setOptionValue(SOURCES_KEY, sources);
    });
}

const SOURCES_KEY = 'checkFlagSources';
const SOURCE_KEYS = ['mesh', 'dataplane', 'nativeNftables', 'cni', 'meshVersion', 'backend', 'dnsCapture', 'interception', 'ipv6', 'probe', 'hostRoot'] as const;

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

const RawCheckFlagsSchema = z.object({
  mesh: z.string(),
  backend: z.string(),
  dnsCapture: z.boolean(),
  interception: z.string(),
  dataplane: z.string().default('sidecar'),
  nativeNftables: z.boolean().default(false),
  cni: z.boolean().default(false),
  meshVersion: z.string().optional(),
  checkFlagSources: z.record(z.string(), z.string()).optional(),
  /** undefined: neither --ipv6 nor --no-ipv6 (auto). */
  ipv6: z.boolean().optional(),
  probe: z.boolean(),
  hostRoot: z.string(),
  initContainer: z.array(z.string()),
  nodeName: z.string().optional(),
});

const FLAG_NAMES: Record<string, string> = {
  hostRoot: '--host-root',
  initContainers: '--init-container',
  nodeName: '--node-name',
  dnsCapture: '--dns-capture',
  meshVersion: '--mesh-version',
  nativeNftables: '--native-nftables',
};

export interface CheckFlagDeps {
  /** The interfaces the `--ipv6` auto decision reads (default: systeminformation, loaded only then). */
  listInterfaces?: ListInterfaces;
  /** false when no check will run (plain `diagnose`): auto is not resolved, ipv6 stays at its default. */
  resolveIpv6Auto?: boolean;
}

/** Validates commander's parsed options into CheckOptions; a bad value is a one-line UsageError. */
export async function parseCheckFlags(
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
  deps: CheckFlagDeps = {},
): Promise<CheckOptions> {
  const flags = RawCheckFlagsSchema.parse(raw);
  const parsed = CheckOptionsSchema.safeParse({
    mesh: flags.mesh,
    backend: flags.backend,
    dnsCapture: flags.dnsCapture,
    interception: flags.interception,
    dataplane: flags.dataplane,
    nativeNftables: flags.nativeNftables,
    cni: flags.cni,
    meshVersion: flags.meshVersion,
    optionSources: Object.fromEntries(
      Object.entries(flags.checkFlagSources ?? {}).map(([key, source]) => [key, source === 'flag' ? 'flag' : 'default']),
    ),
    ipv6: flags.ipv6 ?? false,
    probe: flags.probe,
    hostRoot: flags.hostRoot,
    initContainers: flags.initContainer,
    nodeName: flags.nodeName ?? (env['NODE_NAME'] || undefined),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0] ?? '');
    const flag = FLAG_NAMES[key] ?? `--${key}`;
    throw new UsageError(`invalid ${flag}: ${issue.message}`);
  }
  const { mesh, dataplane } = parsed.data;
  // Loaded here, not at import: `--version` and `--help` never read the profiles.
  const { profiles } = await import('../../checks/profiles/index.ts');
  if (!profiles[mesh].dataplanes.includes(dataplane)) {
    throw new UsageError(`invalid --dataplane ${dataplane}: ${mesh} has no ${dataplane} dataplane (expected ${profiles[mesh].dataplanes.join(' or ')})`);
  }
  if (parsed.data.nativeNftables && profiles[mesh].nftables?.[dataplane] === undefined) {
    throw new UsageError(`invalid --native-nftables: ${mesh} ${dataplane} does not program nftables natively (only istio does)`);
  }
  const hostRoot = parsed.data.hostRoot;
  const info = await stat(hostRoot).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`invalid --host-root ${hostRoot}: expected an existing directory`);
  if (flags.ipv6 !== undefined) return { ...parsed.data, optionSources: { ...parsed.data.optionSources, ipv6: 'flag' } };
  if (deps.resolveIpv6Auto === false) return { ...parsed.data, optionSources: { ...parsed.data.optionSources, ipv6: 'default' } };
  const { resolveIpv6Auto, systemInterfaces } = await import('../host/ipv6-auto.ts');
  const auto = await resolveIpv6Auto(deps.listInterfaces ?? systemInterfaces(), hostRoot);
  return { ...parsed.data, ipv6: auto.ipv6, ipv6Reason: auto.reason, optionSources: { ...parsed.data.optionSources, ipv6: 'auto' } };
}
