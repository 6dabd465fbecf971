/** The report's top-level `autoload` section: the node facts behind every mode's judgement, with evidence. */
import type { Facts } from '../core/facts.ts';
import type { AutoloadReport, ModuleReport } from '../core/report.ts';

const loadedOrBuiltin = (modules: readonly ModuleReport[], name: string): boolean | undefined => {
  const m = modules.find((x) => x.name === name);
  if (!m || m.state === 'unknown') return undefined;
  return m.state === 'loaded' || m.state === 'builtin';
};

export async function autoloadSection(facts: Facts): Promise<AutoloadReport> {
  const [autoload, nft, legacy] = await Promise.all([facts.autoloadFacts(), facts.moduleStates('nft'), facts.moduleStates('legacy')]);
  const required = new Set([...nft, ...legacy].map((m) => m.name));
  const modprobeD = autoload.modprobeD
    .filter((d) => required.has(d.module))
    .map(({ kind, module, file, line, text }) => ({ kind, module, file, line, text }));
  const ipTables = loadedOrBuiltin(legacy, 'ip_tables');
  const ip6Tables = loadedOrBuiltin(legacy, 'ip6_tables');
  const evidence = [
    ...autoload.selinux.evidence,
    ...(autoload.selinux.why ? [`SELinux: ${autoload.selinux.why}`] : []),
    autoload.modulesDisabledSource,
    autoload.modprobePathSource,
    autoload.modprobeDFiles.length > 0 ? `modprobe.d files read: ${autoload.modprobeDFiles.join(', ')}` : 'modprobe.d: no *.conf file found',
    ...modprobeD.map((d) => `${d.file}:${d.line}: ${d.text}`),
    ...legacy.filter((m) => m.name === 'ip_tables' || m.name === 'ip6_tables').map((m) => `${m.name}: ${m.state} (${m.source})`),
  ];
  return {
    selinux: { mode: autoload.selinux.mode, ...(autoload.selinux.policyType ? { policyType: autoload.selinux.policyType } : {}) },
    ...(autoload.modulesDisabled === undefined ? {} : { modulesDisabled: autoload.modulesDisabled }),
    ...(autoload.modprobePath === undefined ? {} : { modprobePath: autoload.modprobePath }),
    modprobeD,
    ...(ipTables === undefined ? {} : { ipTablesLoaded: ipTables }),
    ...(ip6Tables === undefined ? {} : { ip6TablesLoaded: ip6Tables }),
    evidence,
  };
}
