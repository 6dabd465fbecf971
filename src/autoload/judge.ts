/**
 * Will the mesh's pod get the modules it needs that are not loaded yet? A pure decision from the node
 * facts (src/autoload/read.ts) and the kernel data (checks/kernel-data/autoload.ts):
 *   - a module only the pod's own iptables would modprobe (ip_tables for legacy) or that nothing in the
 *     pod requests (br_netfilter): no;
 *   - an `install <module> /bin/false` (or /bin/true) line: no, naming the file and line;
 *   - modules disabled, an empty or neutralised kernel.modprobe, SELinux enforcing with a policy that
 *     refuses module_request to container domains: no for every module;
 *   - `blacklist <module>` with a request by alias: no (by name or as a dependency it still loads);
 *   - a fact that could not be read: unknown, saying which;
 *   - otherwise yes: the kernel requests it and the host's modprobe loads it.
 */
import type { ModuleReport, RuleBackend } from '../core/report.ts';
import {
  DISABLING_INSTALL_COMMANDS,
  UNCONFINED_CONTAINER_DOMAINS,
  containerPolicyFor,
  moduleRequest,
} from '../../checks/kernel-data/autoload.ts';
import type { AutoloadCause, AutoloadFacts, AutoloadJudgement, AutoloadValue, ModuleAutoload } from './types.ts';
import type { ModprobeDirective } from './modprobe-d.ts';

interface Cause {
  value: Exclude<AutoloadValue, 'yes'>;
  cause: string;
  label: AutoloadCause;
}

/** What stops every autoload on this node: the first blocking cause, else every unknown one together, or undefined. */
export function nodeBlock(facts: AutoloadFacts): Cause | undefined {
  const causes: Cause[] = [];
  if (facts.modulesDisabled === true) {
    causes.push({ value: 'no', label: 'modules-disabled', cause: `modules disabled (${facts.modulesDisabledSource}): no module can be loaded until reboot` });
  } else if (facts.modulesDisabled === undefined) {
    causes.push({ value: 'unknown', label: 'unreadable', cause: `kernel.modules_disabled unknown (${facts.modulesDisabledSource})` });
  }
  if (facts.modprobePath === '') {
    causes.push({ value: 'no', label: 'no-modprobe', cause: `no modprobe (${facts.modprobePathSource} is empty): the kernel's request_module() does nothing` });
  } else if (facts.modprobePath !== undefined && DISABLING_INSTALL_COMMANDS.includes(facts.modprobePath)) {
    causes.push({ value: 'no', label: 'no-modprobe', cause: `modprobe neutralised (${facts.modprobePathSource}): the kernel's requests load nothing` });
  } else if (facts.modprobePath === undefined) {
    causes.push({ value: 'unknown', label: 'unreadable', cause: `kernel.modprobe unknown (${facts.modprobePathSource})` });
  }
  const { selinux } = facts;
  if (selinux.mode === 'enforcing') {
    const policy = containerPolicyFor(facts.osId);
    const domain = selinux.containerDomain;
    const unconfined = domain !== undefined && UNCONFINED_CONTAINER_DOMAINS.some((d) => d.statement === domain.domain);
    if (!policy.grantsModuleRequest && !unconfined) {
      const runAs = domain ? `pods run as ${domain.domain} (${domain.source})` : 'pods run as container_t';
      causes.push({
        value: 'no',
        label: 'selinux-enforcing',
        cause: `SELinux enforcing (${selinux.evidence[0]}): ${runAs}, which may not trigger module loads (container-selinux grants module_request to the runtime domain only)`,
      });
    }
  } else if (selinux.mode === 'unknown') {
    causes.push({ value: 'unknown', label: 'unreadable', cause: `SELinux mode unknown: ${selinux.why ?? 'not readable'}` });
  }
  const blocking = causes.find((c) => c.value === 'no');
  if (blocking || causes.length === 0) return blocking;
  return { value: 'unknown', label: 'unreadable', cause: causes.map((c) => c.cause).join('; ') };
}

function isDisabling(command: string): boolean {
  const first = command.trim().split(/\s+/)[0] ?? '';
  return DISABLING_INSTALL_COMMANDS.includes(first);
}

/** Whether the install command still loads the module itself (`modprobe --ignore-install <module>`). */
function stillLoads(command: string, module: string): boolean {
  return /--ignore-install/.test(command) && command.replace(/-/g, '_').includes(module);
}

const where = (d: Pick<ModprobeDirective, 'file' | 'line' | 'text'>) => `${d.file}:${d.line}: ${d.text}`;

/**
 * Whether a modprobe.d line stops `modprobe <module>` (and systemd-modules-load) from loading it:
 * `install` with anything but a command that still inserts the module. `blacklist` does not stop a
 * load by name. Returns the `file:line: text` to cite, or undefined.
 */
export function installBlock(directive: Pick<ModprobeDirective, 'kind' | 'module' | 'file' | 'line' | 'text'>): string | undefined {
  if (directive.kind !== 'install') return undefined;
  const command = directive.text.trim().split(/\s+/).slice(2).join(' ');
  return stillLoads(command, directive.module) ? undefined : where(directive);
}

interface Context {
  backend: RuleBackend;
  node: Cause | undefined;
  /** Legacy mode: the family's core table module (ip_tables / ip6_tables) is not loaded. */
  noLegacyCore: { ipv4: boolean; ipv6: boolean };
}

const isIpv6Module = (name: string) => /^(ip6|nf_\w+_ipv6$)/.test(name);

/** The decision for one module that is loadable but not loaded. */
export function judgeModule(module: string, facts: AutoloadFacts, ctx: Context): ModuleAutoload {
  const { backend, node } = ctx;
  const name = module.replace(/-/g, '_');
  const install = facts.modprobeD.find((d) => d.kind === 'install' && d.module === name);
  if (install?.command !== undefined && !stillLoads(install.command, name)) {
    const blockedBy = where(install);
    return isDisabling(install.command)
      ? { module, value: 'no', label: 'install-blocked', cause: `install-blocked (${blockedBy}): modprobe runs ${install.command} instead of loading it`, blockedBy }
      : { module, value: 'unknown', label: 'install-command', cause: `modprobe.d runs a command instead of loading it (${blockedBy})`, blockedBy };
  }
  const ipv6 = isIpv6Module(name);
  const request = moduleRequest(name, ipv6 ? 'ipv6' : 'ipv4');
  const core = ipv6 ? 'ip6_tables' : 'ip_tables';
  if (backend === 'legacy' && (request.kind === 'pod-modprobe' || (ipv6 ? ctx.noLegacyCore.ipv6 : ctx.noLegacyCore.ipv4))) {
    const bootstrap = `legacy iptables cannot bootstrap: ${core} is not loaded, so the kernel requests nothing and iptables runs modprobe inside the pod, which has no module tree`;
    return {
      module,
      value: 'no',
      label: 'legacy-bootstrap',
      cause: node?.value === 'no' ? `${bootstrap}; and ${node.cause}` : bootstrap,
      ...(node?.value === 'no' ? { also: [node.label] } : {}),
    };
  }
  if (request.kind === 'host-only') {
    return { module, value: 'no', label: 'host-only', cause: `nothing in the mesh's pod loads ${name}: it must be loaded on the host` };
  }
  if (node) return { module, ...node };
  const blacklist = facts.modprobeD.find((d) => d.kind === 'blacklist' && d.module === name);
  if (blacklist && request.kind === 'alias') {
    const blockedBy = where(blacklist);
    return { module, value: 'no', label: 'blacklisted', cause: `blacklisted (${blockedBy}) and requested by the alias ${request.requested}: a blacklist stops alias loads`, blockedBy };
  }
  const how = request.kind === 'dependency' ? 'as a dependency' : `as ${request.requested}`;
  return { module, value: 'yes', label: 'autoload', cause: `the kernel requests it ${how} and the host's modprobe loads it` };
}

/** The judgement for one backend mode, from its required modules' states. */
export function judgeAutoload(facts: AutoloadFacts, backend: RuleBackend, modules: readonly ModuleReport[]): AutoloadJudgement {
  const node = nodeBlock(facts);
  const pending = [...new Set(modules.filter((m) => m.state === 'loadable').map((m) => m.name))];
  const absent = (core: string) => modules.some((m) => m.name === core && (m.state === 'loadable' || m.state === 'missing'));
  const ctx: Context = { backend, node, noLegacyCore: { ipv4: absent('ip_tables'), ipv6: absent('ip6_tables') } };
  const decided = pending.map((m) => judgeModule(m, facts, ctx));
  const value: AutoloadValue = decided.some((d) => d.value === 'no') ? 'no' : decided.some((d) => d.value === 'unknown') ? 'unknown' : 'yes';
  if (decided.length === 0) {
    const nodeValue = node?.value ?? 'yes';
    return {
      value: nodeValue,
      reason: `nothing to load (every required module is loaded or built in)${node ? `; pods could not load one here: ${node.cause}` : '; pods could autoload here'}`,
      modules: [],
    };
  }
  return { value, reason: reasonOf(value, decided), modules: decided };
}

/** `no: SELinux enforcing (…): … — iptable_raw, xt_CT; legacy iptables cannot bootstrap … — ip_tables`. */
function reasonOf(value: AutoloadValue, decided: ModuleAutoload[]): string {
  const relevant = decided.filter((d) => d.value === value);
  const byCause = new Map<string, string[]>();
  for (const d of relevant) byCause.set(d.cause, [...(byCause.get(d.cause) ?? []), d.module]);
  const parts = [...byCause].map(([cause, names]) => `${cause} — ${names.join(', ')}`);
  if (value === 'yes') return `the kernel will load ${relevant.map((d) => d.module).join(', ')} when the mesh's rules need them`;
  return parts.join('; ');
}
