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
import type { AutoloadJudgement } from '../src/autoload/types.ts';
import { PERSIST_FILE } from './modules.ts';

export interface RulesDryRunFacts {
  mesh: MeshBackendChoice;
  results: DryRunResult[];
  /** Families the mesh needs but for which the profile has no rule set. */
  noRuleset: Family[];
  /** Whether the mesh's pod could have loaded what the probe loaded (judged before the probe ran). */
  autoload?: AutoloadJudgement;
}

const MODULES_LOAD_FILE = '/etc/modules-load.d/mesh-preflight.conf';

/** Evaluates dry-run results (pure). */
export function evaluateRulesDryRun(facts: Partial<RulesDryRunFacts>): CheckOutcome {
  const results = facts.results ?? [];
  const evidence = results.flatMap((r) => r.evidence.map((e) => `[${r.backend} ${r.family}] ${e}`));
  if (facts.mesh) evidence.unshift(`mesh init container backend: ${facts.mesh.backend} (${facts.mesh.source}: ${facts.mesh.reason})`);
  for (const family of facts.noRuleset ?? []) evidence.push(`no ${family} rule set in the mesh profile: not tested`);
  const cleanup = results.filter((r) => r.cleanupError !== undefined);
  const cleanupRemediation = cleanup.map((r) => `ip netns del ${r.namespace}   # left behind: ${r.cleanupError}`);
  evidence.push(...cleanup.map((r) => `cleanup failed: ${r.cleanupError}`));

  const failures = results.flatMap((r) => r.tables.filter((t) => !t.ok).map((t) => ({ r, t })));
  if (failures.length > 0) {
    for (const { t } of failures) if (t.ruleLine) evidence.push(`rule set line ${t.line}: ${t.ruleLine}`);
    return {
      status: 'fail',
      summary: `the mesh's rules do not apply: ${failures.map(({ r, t }) => describeFailure(r, t)).join('; ')}`,
      evidence,
      remediation: [...new Set(failures.flatMap(({ r, t }) => failureRemediation(r, t)))].concat(cleanupRemediation),
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
  const loaded = [...new Set(results.flatMap((r) => r.modulesLoadedByProbe))].sort();
  const tables = results.map((r) => `${r.backend} ${r.family}: ${r.tables.map((t) => t.table).join(', ')}`).join('; ');
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
  return `${r.backend} ${r.family} ${what} (${t.stage === 'test' ? 'iptables-restore --test' : 'restore'}): ${t.errorLine ?? 'failed'}`;
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
