/**
 * Join a log diagnosis with what a node's agent published (the report annotation and backend label),
 * the way `diagnose --on-node` joins it with a full report. The summary names the missing modules and
 * the failing and warning checks, not each module's state: what it cannot tell is said so.
 */
import type { Diagnosis, NodeJoin, NodeModuleJoin } from './types.ts';

/** The parts of a published summary the join reads. */
export interface PublishedSummary {
  verdict: 'ready' | 'degraded' | 'not-ready';
  failing: string[];
  warning?: string[];
  missing: string[];
  truncated?: boolean;
}

export function joinWithPublished(
  diagnosis: Pick<Diagnosis, 'modules' | 'backend'>,
  node: { name: string; backend?: string; summary?: PublishedSummary },
): NodeJoin {
  const { summary } = node;
  if (summary === undefined) {
    return { modules: [], lines: [`Node ${node.name} has no published mesh-preflight report (no agent has checked it yet): run the DaemonSet there, or \`mesh-preflight diagnose --on-node\` on the node`] };
  }
  const modules: NodeModuleJoin[] = diagnosis.modules.map((name) => {
    if (summary.missing.includes(name)) {
      return { name, state: 'missing', line: `${name} is missing from ${node.name}'s kernel (its published report): the node needs a kernel or modules package that has it` };
    }
    if (summary.truncated) return { name, state: 'unknown', line: `${name}: ${node.name}'s published module list was truncated; its agent's /v1/report has the whole list` };
    return {
      name,
      state: 'unknown',
      line: `${name} is not missing on ${node.name} (its published report): loaded, built in or loadable — its agent's /v1/report says which (loadable: run \`mesh-preflight fix\` there)`,
    };
  });
  const lines = modules.map((m) => m.line);
  const observed = node.backend;
  if (diagnosis.backend && (observed === 'nft' || observed === 'legacy') && observed !== diagnosis.backend) {
    lines.push(`The failing binary used ${diagnosis.backend}; ${node.name}'s rules are in ${observed}: configure the mesh for ${observed}`);
  }
  if (summary.verdict === 'not-ready') lines.push(`${node.name} is not ready for the mesh: failing checks ${summary.failing.join(', ') || '(not named)'}`);
  else if (summary.verdict === 'degraded') lines.push(`${node.name} is degraded: warning checks ${(summary.warning ?? []).join(', ') || '(not named)'}`);
  else lines.push(`${node.name} passed its own check (ready)`);
  const explainedHere = modules.some((m) => m.state === 'missing') ? true : undefined;
  return { ...(explainedHere !== undefined ? { explainedHere } : {}), modules, lines };
}
