/**
 * `init-containers`: reads this node's pod logs for failed mesh init containers (istio-init,
 * istio-validation, linkerd-init and any --init-container names) and the mesh node agents (istio-cni's
 * install-cni, ztunnel; src/core/mesh-agents.ts) and explains the newest failure of each. fail: a recent failure this node explains (kernel, modules, backend, SELinux, IPv6); warn: a
 * failure from configuration or of unknown cause, or an old node failure; pass: none; skip: no
 * /var/log/pods below the host root.
 */
import type { Check } from '../src/core/check.ts';
import type { InitContainerFinding, RuleBackend } from '../src/core/report.ts';
import { PODS_DIR, scanInitContainerLogs, type ScannedFinding } from '../src/logscan/scan.ts';

/** A node failure older than this no longer fails the check (the node may have been fixed since). */
export const RECENT_MS = 24 * 60 * 60 * 1000;

export interface InitContainersFacts {
  podsDirPresent: boolean;
  findings: ScannedFinding[];
  filesRead: number;
  truncated: boolean;
  /** ISO time of the scan, so evaluate can judge recency without a clock. */
  scannedAt: string;
  backend?: RuleBackend;
  /** Log files or directories there but unreadable, one line each. */
  unreadable?: string[];
}

/** The findings of a scan, for report.initContainers. */
export function findingsOf(facts: Pick<InitContainersFacts, 'findings'>): InitContainerFinding[] {
  return facts.findings.map((f) => f.finding);
}

export const initContainersCheck = {
  id: 'init-containers',
  title: 'Mesh init container failures',
  async collect(ctx) {
    let backend: RuleBackend | undefined;
    try {
      backend = (await ctx.facts.meshBackend()).backend;
    } catch {
      backend = undefined; // the log's own version string is enough to name modules
    }
    const scan = await scanInitContainerLogs(ctx.host, { extraContainers: ctx.options.initContainers, backend });
    const watched = (ctx.observed?.initContainers?.() ?? []).map((finding) => ({ finding, file: 'seen by the agent pod watch' }));
    return {
      ...scan,
      podsDirPresent: scan.podsDirPresent || watched.length > 0,
      findings: newestPerContainer([...scan.findings, ...watched]),
      scannedAt: ctx.now().toISOString(),
      ...(backend ? { backend } : {}),
    };
  },
  reportSections: (facts) => ({ initContainers: findingsOf(facts) }),
  evaluate(facts) {
    if (!facts.podsDirPresent) {
      if (facts.unreadable?.length) {
        return { status: 'skip', summary: `pod logs cannot be read: ${facts.unreadable[0]}`, evidence: facts.unreadable, remediation: [] };
      }
      return {
        status: 'skip',
        summary: `${PODS_DIR} is absent below the host root: no pod logs to scan (not a Kubernetes node, or logs kept elsewhere)`,
        evidence: [`${PODS_DIR}: not found`],
        remediation: [],
      };
    }
    const unreadable = facts.unreadable ?? [];
    const scanned = `${facts.filesRead} log file${facts.filesRead === 1 ? '' : 's'} read${facts.truncated ? ', capped' : ''}${unreadable.length ? `, ${unreadable.length} unreadable` : ''}`;
    if (facts.findings.length === 0) {
      return { status: 'pass', summary: `No failed mesh init containers in ${PODS_DIR} (${scanned})`, evidence: unreadable, remediation: [] };
    }
    const now = Date.parse(facts.scannedAt);
    const recent = (f: InitContainerFinding) => !f.observedAt || !(now - Date.parse(f.observedAt) > RECENT_MS);
    const node = facts.findings.filter((s) => s.finding.nodeProblem && recent(s.finding));
    const evidence = [
      ...facts.findings.map(({ finding: f, file }) => `${f.namespace}/${f.pod} ${f.container} [${f.category}]: ${f.matchedLine} (${file})`),
      ...unreadable,
    ];
    const remediation = unique((node.length > 0 ? node : facts.findings).flatMap((s) => s.finding.remediation));
    if (node.length > 0) {
      const modules = unique(node.flatMap((s) => s.finding.modules));
      return {
        status: 'fail',
        summary: `${node.length} recent init container failure${node.length === 1 ? '' : 's'} explained by this node (${unique(node.map((s) => s.finding.category)).join(', ')}${modules.length ? `: ${modules.join(' ')}` : ''})`,
        evidence,
        remediation,
      };
    }
    return {
      status: 'warn',
      summary: `${facts.findings.length} init container failure${facts.findings.length === 1 ? '' : 's'} not explained by this node (${unique(facts.findings.map((s) => s.finding.category)).join(', ')})`,
      evidence,
      remediation,
    };
  },
} satisfies Check<InitContainersFacts>;

/** One finding per (namespace, pod, container): the newest, whether scanned from logs or watched. */
function newestPerContainer(findings: ScannedFinding[]): ScannedFinding[] {
  const newest = new Map<string, ScannedFinding>();
  for (const scanned of findings) {
    const f = scanned.finding;
    const key = `${f.namespace}/${f.pod}/${f.container}`;
    const seen = newest.get(key);
    if (!seen || (f.observedAt ?? '') >= (seen.finding.observedAt ?? '')) newest.set(key, scanned);
  }
  return [...newest.values()];
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
