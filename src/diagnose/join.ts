/**
 * Join a log diagnosis with the node's own report: for each module the log implicates, what this node
 * says about it (loaded, built in, loadable, missing), and so whether the node explains the failure.
 */
import type { Report } from '../core/report.ts';
import type { Diagnosis, NodeJoin, NodeModuleJoin } from './types.ts';

/** Lines and per-module states for one diagnosis against this node's report. */
export function joinWithReport(diagnosis: Pick<Diagnosis, 'modules' | 'category' | 'backend'>, report: Pick<Report, 'modules' | 'iptables'>): NodeJoin {
  const modules: NodeModuleJoin[] = diagnosis.modules.map((name) => {
    const entry = report.modules.find((m) => m.name === name || m.providedBy === name);
    if (!entry) {
      return { name, state: 'not-checked', line: `${name} is not among the modules this node's report checked` };
    }
    const where = entry.source ? ` (${entry.source})` : '';
    const by = entry.providedBy && entry.providedBy !== name ? ` via ${entry.providedBy}` : '';
    switch (entry.state) {
      case 'loadable':
        return { name, state: 'loadable', source: entry.source, line: `${name} is loadable but not loaded here${where}: run \`mesh-preflight fix\`` };
      case 'missing':
        return { name, state: 'missing', source: entry.source, line: `${name} is missing from this kernel${where}: the node needs a kernel (or modules package) that has it` };
      case 'builtin':
        return { name, state: 'builtin', source: entry.source, line: `${name} is built in here${by}${where}: the failure came from elsewhere (privileges, backend, or another node)` };
      case 'loaded':
        return { name, state: 'loaded', source: entry.source, line: `${name} is loaded here${by}${where}: the failure came from elsewhere (privileges, backend, or another node)` };
      default:
        return { name, state: 'unknown', source: entry.source, line: `${name}: its state could not be established on this node${where}` };
    }
  });

  const lines = modules.map((m) => m.line);
  const observed = report.iptables?.backend;
  if (diagnosis.backend && observed && (observed === 'nft' || observed === 'legacy') && observed !== diagnosis.backend) {
    lines.push(`The failing binary used ${diagnosis.backend}; this node's rules are in ${observed}: configure the mesh for ${observed}`);
  }

  let explainedHere: boolean | undefined;
  if (modules.some((m) => m.state === 'missing' || m.state === 'loadable')) explainedHere = true;
  else if (modules.length > 0 && modules.every((m) => m.state === 'loaded' || m.state === 'builtin')) explainedHere = false;
  if (lines.length === 0) lines.push('The log names no kernel module to check against this node');
  return { ...(explainedHere !== undefined ? { explainedHere } : {}), modules, lines };
}
