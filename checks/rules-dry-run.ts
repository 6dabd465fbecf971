/**
 * rules-dry-run (`--probe` only): applies the rules the mesh's init container would apply, with the
 * backend it would use, inside a throwaway network namespace (src/iptables/dry-run.ts), and reports the
 * table and extension that fail with iptables' own error line. If the probe itself made the kernel load a
 * module, the check says so: the probe runs as root on the host, where autoload is allowed. Where the
 * autoload judgement (src/autoload/judge.ts) says the mesh's pod could not have loaded it (SELinux
 * enforcing, legacy without ip_tables, modules disabled, …), that module counts against readiness
 * (fail); where the pod would autoload it too, it is a warning (the probe changed the host).
 */
import type { Check, CheckOutcome } from '../src/core/check.ts';
import type { MeshBackendChoice } from '../src/core/facts.ts';
import type { Family } from '../src/core/requirements.types.ts';
import { dryRunRules, type DryRunResult, type TableDryRun } from '../src/iptables/dry-run.ts';
import { probeMode, type ProbeStep } from '../src/iptables/mode-probe.ts';
import type { AutoloadJudgement } from '../src/autoload/types.ts';
import { PERSIST_FILE } from './modules.ts';

export interface RulesDryRunFacts {
  mesh: MeshBackendChoice;
  results: DryRunResult[];
  /** Families the mesh needs but for which the profile has no rule set. */
  noRuleset: Family[];
  /** Ambient and native nftables: ipset creation, `ip rule`, `nft -f` (src/iptables/mode-probe.ts). */
  steps?: ProbeStep[];
  /** Why the mode probe could not create its namespaces. */
  probeSkipped?: string;
  cleanupErrors?: string[];
  modulesLoadedByProbe?: string[];
  /** Whether the mesh's pod could have loaded what the probe loaded (judged before the probe ran). */
  autoload?: AutoloadJudgement;
}

// The file `mesh-preflight fix --persist` writes: both remedies name the same file.
const MODULES_LOAD_FILE = PERSIST_FILE;

/** Evaluates dry-run results (pure). */
export function evaluateRulesDryRun(facts: Partial<RulesDryRunFacts>): CheckOutcome {
  const results = facts.results ?? [];
  const steps = facts.steps ?? [];
  const label = (r: DryRunResult) => `${r.scope === 'host' ? 'host netns ' : ''}${r.backend} ${r.family}`;
  const evidence = results.flatMap((r) => r.evidence.map((e) => `[${label(r)}] ${e}`));
  evidence.push(...steps.map((s) => `[${s.scope} netns] $ ${s.command}: ${s.ok ? 'ok' : s.error}`));
  for (const e of facts.cleanupErrors ?? []) evidence.push(`cleanup failed: ${e}`);
  if (facts.mesh) evidence.unshift(`mesh init container backend: ${facts.mesh.backend} (${facts.mesh.source}: ${facts.mesh.reason})`);
  for (const family of facts.noRuleset ?? []) evidence.push(`no ${family} rule set in the mesh profile: not tested`);
  const cleanup = results.filter((r) => r.cleanupError !== undefined);
  const cleanupRemediation = [
    ...cleanup.map((r) => `ip netns del ${r.namespace}   # left behind: ${r.cleanupError}`),
    ...(facts.cleanupErrors ?? []).map((e) => `${e.split(':')[0]}   # left behind: ${e}`),
  ];
  evidence.push(...cleanup.map((r) => `cleanup failed: ${r.cleanupError}`));

  const failures = results.flatMap((r) => r.tables.filter((t) => !t.ok).map((t) => ({ r, t })));
  const failedSteps = steps.filter((s) => !s.ok && !s.notFound);
  if (failures.length > 0 || failedSteps.length > 0) {
    for (const { t } of failures) if (t.ruleLine) evidence.push(`rule set line ${t.line}: ${t.ruleLine}`);
    return {
      status: 'fail',
      summary: `the mesh's rules do not apply: ${[...failures.map(({ r, t }) => describeFailure(r, t)), ...failedSteps.map((s) => `${s.what} (${s.scope} netns): ${s.error}`)].join('; ')}`,
      evidence,
      remediation: [...new Set([...failures.flatMap(({ r, t }) => failureRemediation(r, t)), ...failedSteps.flatMap(stepRemediation)])].concat(cleanupRemediation),
    };
  }
  if (facts.probeSkipped) {
    return {
      status: 'skip',
      summary: `dry-run could not run: ${facts.probeSkipped}`,
      evidence,
      remediation: ['Run the probe as root (creating a network namespace needs CAP_SYS_ADMIN; the agent DaemonSet needs privileged: true for --probe)'],
    };
  }
  if (results.length === 0 && steps.length > 0 && steps.every((s) => !s.ok || s.what === 'loopback up')) {
    return {
      status: 'skip',
      summary: `dry-run could not run: ${steps.filter((s) => !s.ok).map((s) => s.error).join('; ')}`,
      evidence,
      remediation: ['Install nftables, ipset and iproute2 (Debian/Ubuntu: apt-get install nftables ipset iproute2)'],
    };
  }
  if (results.length === 0 && steps.length > 0) {
    const untested = steps.filter((s) => s.notFound).map((s) => s.what);
    const loadedBySteps = facts.modulesLoadedByProbe ?? [];
    return {
      status: loadedBySteps.length > 0 || (facts.cleanupErrors ?? []).length > 0 ? 'warn' : 'pass',
      summary: `the mesh's rules apply in throwaway namespaces (${steps.filter((s) => s.ok && s.what !== 'loopback up').map((s) => s.what).join(', ')})${untested.length > 0 ? `; not tested, binary missing: ${untested.join(', ')}` : ''}${loadedBySteps.length > 0 ? `; the probe itself loaded ${loadedBySteps.join(', ')}` : ''}`,
      evidence,
      remediation: loadedBySteps.length > 0 ? [`modprobe -a ${loadedBySteps.join(' ')}`, `printf '%s\\n' ${loadedBySteps.join(' ')} > ${MODULES_LOAD_FILE}   # load at every boot (or: mesh-preflight fix)`] : [],
    };
  }
  if (results.length === 0) {
    return { status: 'skip', summary: 'no rule set to dry-run for this mesh and options', evidence: evidence.length > 0 ? evidence : ['no dry-run was run'], remediation: [] };
  }
  const skipped = results.filter((r) => r.skipped !== undefined);
  if (skipped.length > 0) {
    const privilege = skipped.some((r) => /privilege/.test(r.skipped ?? ''));
    return {
      status: 'skip',
      summary: `dry-run could not run: ${skipped.map((r) => `${r.backend} ${r.family}: ${r.skipped}`).join('; ')}`,
      evidence,
      remediation: privilege
        ? ['Run the probe as root (creating a network namespace needs CAP_SYS_ADMIN; the agent DaemonSet needs privileged: true for --probe)']
        : ['Install iptables with both backends and iproute2 (Debian/Ubuntu: apt-get install iptables iproute2)'],
    };
  }
  const loaded = [...new Set([...results.flatMap((r) => r.modulesLoadedByProbe), ...(facts.modulesLoadedByProbe ?? [])])].sort();
  const extra = steps.filter((s) => s.ok && s.what !== 'loopback up').map((s) => s.what);
  const untested = steps.filter((s) => s.notFound).map((s) => s.what);
  const tables =
    results.map((r) => `${label(r)}: ${r.tables.map((t) => t.table).join(', ')}`).join('; ') +
    (extra.length > 0 ? `; ${extra.join(', ')}` : '') +
    (untested.length > 0 ? `; not tested, binary missing: ${untested.join(', ')}` : '');
  if (loaded.length > 0 && facts.autoload?.value === 'no') {
    const judged = facts.autoload.modules.filter((m) => loaded.includes(m.module) && m.value === 'no');
    evidence.push(`autoload by the mesh's pod: no — ${facts.autoload.reason}`);
    return {
      status: 'fail',
      summary: `the rules apply (${tables}) only because the probe, as root on the host, loaded ${loaded.join(', ')}: the mesh's pod cannot load ${judged.length > 0 ? judged.map((m) => m.module).join(', ') : 'them'} (${facts.autoload.reason})`,
      evidence,
      remediation: [
        `mesh-preflight fix --now --persist --yes   # load ${loaded.join(' ')} on the host now and at every boot`,
        `printf '%s\\n' ${loaded.join(' ')} > ${PERSIST_FILE}   # by hand: load at every boot`,
        ...cleanupRemediation,
      ],
    };
  }
  if (loaded.length > 0) {
    return {
      status: 'warn',
      summary:
        facts.autoload?.value === 'yes'
          ? `the rules apply (${tables}); the probe loaded ${loaded.join(', ')}, which the kernel would also autoload for the mesh's pod (${facts.autoload.reason}); load them at boot to be independent of autoload`
          : `the rules apply (${tables}), but only because the probe itself loaded ${loaded.join(', ')}: a mesh init container cannot load modules, so after a reboot its rules fail until these are loaded at boot`,
      evidence,
      remediation: [`modprobe -a ${loaded.join(' ')}`, `printf '%s\\n' ${loaded.join(' ')} > ${MODULES_LOAD_FILE}   # load at every boot (or: mesh-preflight fix)`, ...cleanupRemediation],
    };
  }
  const unmeasured = results.some((r) => !r.modulesCompared) ? ' (whether the probe loaded modules could not be seen: no /proc/modules)' : '';
  return {
    status: cleanup.length > 0 ? 'warn' : 'pass',
    summary: `the mesh's rules apply in a throwaway namespace (${tables})${unmeasured}${cleanup.length > 0 ? '; a probe namespace could not be deleted' : ''}`,
    evidence,
    remediation: cleanupRemediation,
  };
}

function describeFailure(r: DryRunResult, t: TableDryRun): string {
  const what = t.extension ? `${t.extension} in table ${t.table}` : `table ${t.table}`;
  return `${r.scope === 'host' ? 'host netns ' : ''}${r.backend} ${r.family} ${what} (${t.stage === 'test' ? 'iptables-restore --test' : 'restore'}): ${t.errorLine ?? 'failed'}`;
}

/** What to do when an ipset, ip rule or nft step failed. */
function stepRemediation(s: ProbeStep): string[] {
  if (s.what.startsWith('ipset')) {
    return ['modprobe -a ip_set ip_set_hash_ip xt_set   # the kernel side of the ambient probe set (hash:ip with comments)', 'mesh-preflight check --dataplane ambient   # the modules check names what is missing'];
  }
  if (s.what.startsWith('policy routing') || s.what.startsWith('local route')) {
    return ['The kernel needs policy routing (CONFIG_IP_MULTIPLE_TABLES=y; CONFIG_IPV6_MULTIPLE_TABLES=y for IPv6): it cannot be loaded as a module'];
  }
  if (s.what.startsWith('nft')) {
    return ['mesh-preflight check --native-nftables   # the modules check lists the nft_* modules the rules need', 'Or keep the iptables backend (values.global.nativeNftables=false)'];
  }
  return [];
}

/** Likely kernel module for what iptables could not load; a hint, the modules check has the full picture. */
function failureRemediation(r: DryRunResult, t: TableDryRun): string[] {
  const hints: string[] = [];
  const ext = t.extension ?? '';
  const match = /^match (\S+)$/.exec(ext);
  const target = /^target (\S+)$/.exec(ext);
  const table = /^table (\S+)$/.exec(ext) ?? (t.extension === undefined ? ['', t.table] : null);
  if (match) hints.push(`modprobe xt_${match[1]}   # kernel side of match ${match[1]}`);
  else if (target) hints.push(`modprobe xt_${target[1]}   # kernel side of target ${target[1]}`);
  else if (table && r.backend === 'legacy') hints.push(`modprobe ${r.family === 'ipv6' ? 'ip6table' : 'iptable'}_${table[1]}   # legacy table ${table[1]}`);
  else if (table?.[1] === 'nat') hints.push('modprobe nft_chain_nat   # nat chains for iptables-nft');
  hints.push('mesh-preflight check   # the kernel-modules check lists every module the mesh needs and its state', 'mesh-preflight fix     # loads and persists the missing modules');
  return hints;
}

/** The rules-dry-run check. */
export const rulesDryRunCheck = {
  id: 'rules-dry-run',
  title: 'Mesh rules dry-run in a throwaway network namespace',
  skipReason(options) {
    return options.probe ? undefined : 'the dry-run creates a throwaway network namespace and applies rules there; enable it with --probe';
  },
  async collect(ctx) {
    const mesh = await ctx.facts.meshBackend();
    const requirements = await ctx.facts.requirements(mesh.backend);
    // Judged (and the module inventory read) before the probe can load anything.
    const autoload = await ctx.facts.autoload(mesh.backend).catch(() => undefined);
    const beyondRestore =
      requirements.engine === 'nftables' || (requirements.ipRules ?? []).length > 0 || (requirements.ipsets ?? []).length > 0 || Object.keys(requirements.hostRuleset ?? {}).length > 0;
    if (beyondRestore) {
      // Ambient and native nftables: namespaces shared by the restore, ipset, ip rule and nft steps.
      const probe = await probeMode(ctx.exec, requirements, { host: ctx.host });
      return {
        mesh,
        results: probe.iptables,
        noRuleset: [],
        steps: probe.steps,
        ...(probe.skipped === undefined ? {} : { probeSkipped: probe.skipped }),
        cleanupErrors: probe.cleanupErrors,
        modulesLoadedByProbe: probe.modulesLoadedByProbe,
        ...(autoload ? { autoload } : {}),
      };
    }
    const results: DryRunResult[] = [];
    const noRuleset: Family[] = [];
    for (const family of requirements.families) {
      const rules = requirements.ruleset[family];
      if (rules === undefined || rules.trim() === '') {
        noRuleset.push(family);
        continue;
      }
      results.push(await dryRunRules(ctx.exec, { backend: mesh.backend, family, rules, tables: requirements.tables[family] ?? [], host: ctx.host }));
    }
    return { mesh, results, noRuleset, ...(autoload ? { autoload } : {}) };
  },
  evaluate(facts) {
    return evaluateRulesDryRun(facts ?? {});
  },
} satisfies Check<RulesDryRunFacts>;
