/**
 * Checking a node: build the context, run every listed check, assemble the report. This is the one
 * function that `check`, `fix`, `diagnose` and the agent call.
 */
import os from 'node:os';
import type { CheckContext } from './check.ts';
import { HostFacts } from './host-facts.ts';
import { iptablesSection } from './iptables-section.ts';
import { modesSection } from './modes-section.ts';
import { resolveMeshVersion } from './mesh-version.ts';
import { profiles } from '../../checks/profiles/index.ts';
import { autoloadSection } from '../autoload/report-section.ts';
import type { CheckOptions } from './options.ts';
import { verdictOf } from './report-enums.ts';
import type { Report } from './report.ts';
import { runChecks } from './runner.ts';
import { allChecks } from '../../checks/index.ts';
import type { AnyCheck, ObservedFindings } from './check.ts';
import { realExec, type Exec } from '../host/exec.ts';
import { HostRoot } from '../host/root.ts';
import type { ModuleKnowledge } from '../modules/state.ts';

export interface CheckNodeDeps {
  exec?: Exec;
  now?: () => Date;
  checks?: readonly AnyCheck[];
  knowledge?: ModuleKnowledge;
  observed?: ObservedFindings;
}

export async function checkNode(options: CheckOptions, deps: CheckNodeDeps = {}): Promise<Report> {
  const host = new HostRoot(options.hostRoot, { snapshot: true });
  const exec = deps.exec ?? realExec;
  const now = deps.now ?? (() => new Date());
  const facts = new HostFacts({ options, host, exec, knowledge: deps.knowledge });
  const ctx: CheckContext = { options, host, exec, facts, now, observed: deps.observed };

  const runs = await runChecks(deps.checks ?? allChecks, ctx);
  const checks = runs.map((run) => run.result);
  const [kernel, osInfo, modules, iptables, autoload, meshBackend] = await Promise.all([
    facts.kernel(),
    facts.os(),
    facts.moduleStates().catch(() => []),
    iptablesSection(facts).catch(() => undefined),
    autoloadSection(facts).catch(() => undefined),
    facts.meshBackend().catch(() => undefined),
  ]);
  const selected = { dataplane: options.dataplane, backend: meshBackend?.backend ?? 'nft', nativeNftables: options.nativeNftables };
  const modes = await modesSection(facts, options, { exec, host, selected }).catch(() => undefined);
  const version = resolveMeshVersion(profiles[options.mesh], options.meshVersion);

  // Built to the Report type and returned as is: parsing our own output through ReportSchema cost about a
  // fifth of a one-shot check (zod compiles a parser per object schema). The tests parse every report
  // the fixtures produce and require the parse to change nothing (test/core/report-shape.test.ts).
  const report: Report = {
    schemaVersion: 1,
    node: options.nodeName ?? os.hostname(),
    mesh: options.mesh,
    verdict: verdictOf(checks),
    generatedAt: now().toISOString(),
    options: {
      mesh: options.mesh,
      backend: options.backend,
      dnsCapture: options.dnsCapture,
      interception: options.interception,
      ipv6: options.ipv6,
      probe: options.probe,
      hostRoot: options.hostRoot,
      dataplane: options.dataplane,
      nativeNftables: options.nativeNftables,
      cni: options.cni,
      ...(version.version === undefined ? {} : { meshVersion: version.version }),
      ...(Object.keys(options.optionSources).length > 0 ? { optionSources: options.optionSources } : {}),
      ...(options.ipv6Reason ? { ipv6Reason: options.ipv6Reason } : {}),
    },
    kernel: { release: kernel.release, version: kernel.version },
    os: { id: osInfo.id, prettyName: osInfo.prettyName, family: osInfo.family },
    checks,
    modules,
    iptables,
    autoload,
    initContainers: runs.flatMap((run) => run.sections.initContainers ?? []),
    fixes: [],
    ...(modes === undefined ? {} : { modes }),
    warnings: version.warning === undefined ? [] : [version.warning],
  };
  return report;
}
