/** Human rendering of a report: a table readable at a glance. Colour decisions live only here. */
import { createColors } from 'picocolors';
import type { CheckStatus, ModuleState, Report } from '../core/report.ts';

export interface RenderOptions {
  color: boolean;
}

/** Colour unless NO_COLOR is set or the stream is not a TTY (FORCE_COLOR forces it). */
export function colorWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0') return true;
  return Boolean(stream.isTTY);
}

export function renderReport(report: Report, options: RenderOptions): string {
  const c = createColors(options.color);
  const statusColor: Record<CheckStatus, (s: string) => string> = { pass: c.green, warn: c.yellow, fail: c.red, skip: c.dim };
  const stateColor: Record<ModuleState, (s: string) => string> = {
    loaded: c.green,
    builtin: c.green,
    loadable: c.yellow,
    missing: c.red,
    unknown: c.dim,
  };
  const lines: string[] = [];
  const mode = report.iptables ? `${report.iptables.meshBackend} mode (${report.iptables.meshBackendSource === 'flag' ? '--backend' : 'auto'})` : 'backend unknown';
  lines.push(c.bold(`mesh-preflight · node ${report.node} · ${report.mesh} · ${mode}`));
  lines.push(`kernel ${report.kernel.release ?? '?'} · ${report.os.prettyName ?? report.os.id ?? 'unknown OS'}${report.iptables ? ` · node rules: ${report.iptables.backend}` : ''}`);
  if (report.options.ipv6Reason) lines.push(c.dim(`IPv6 ${report.options.ipv6 ? 'on' : 'off'}: ${report.options.ipv6Reason}`));
  lines.push('');

  const idWidth = Math.max(5, ...report.checks.map((check) => check.id.length));
  lines.push(c.dim(`${'STATUS'.padEnd(7)} ${'CHECK'.padEnd(idWidth)}  SUMMARY`));
  for (const check of report.checks) {
    const status = statusColor[check.status](check.status.toUpperCase().padEnd(7));
    lines.push(`${status} ${check.id.padEnd(idWidth)}  ${check.summary}`);
  }

  if (report.modules.length > 0) {
    lines.push('', c.bold(`Modules (${report.iptables?.meshBackend ?? '?'} mode)`));
    const nameWidth = Math.max(...report.modules.map((m) => m.name.length));
    for (const m of report.modules) {
      lines.push(`  ${m.name.padEnd(nameWidth)}  ${stateColor[m.state](m.state.padEnd(8))}  ${c.dim(m.source)}`);
    }
  }
  for (const mode of report.iptables?.modes ?? []) {
    if (mode.backend === report.iptables?.meshBackend) continue;
    const detail = mode.ready
      ? mode.notLoaded.length > 0 ? `ready once loaded: ${mode.notLoaded.join(', ')}` : 'ready'
      : `not ready: ${[mode.missing.length > 0 ? `missing ${mode.missing.join(', ')}` : '', ...mode.notes].filter(Boolean).join('; ')}`;
    lines.push('', `Other mode (${mode.backend}), for information: ${detail}`);
    if (mode.autoload && mode.notLoaded.length > 0) lines.push(`  autoload by the mesh's pod: ${mode.autoload.value} — ${mode.autoload.reason}`);
  }

  const modes = report.modes ?? [];
  if (modes.length > 0) {
    lines.push('', c.bold(`Which ${report.mesh} modes can run on this node`));
    const names = modes.map(modeName);
    const width = Math.max(...names.map((n) => n.length));
    modes.forEach((mode, i) => {
      const verdict = mode.ready ? (mode.notLoaded.length > 0 || mode.unknown.length > 0 ? c.yellow('ready*') : c.green('ready ')) : c.red('no    ');
      lines.push(`  ${mode.selected ? '▸' : ' '} ${names[i]!.padEnd(width)}  ${verdict}  ${modeDetail(mode)}`);
    });
    if (modes.some((m) => m.ready && (m.notLoaded.length > 0 || m.unknown.length > 0))) lines.push(c.dim('  * once the listed modules are loaded (mesh-preflight fix), or when their state can be read'));
  }
  for (const warning of report.warnings ?? []) lines.push('', c.yellow(`Warning: ${warning}`));

  for (const finding of report.initContainers) {
    if (lines.at(-1) !== '' && finding === report.initContainers[0]) lines.push('', c.bold('Init-container failures'));
    lines.push(`  ${finding.namespace}/${finding.pod} ${finding.container}: ${finding.category} — ${finding.explanation}`);
  }

  const remedies = report.checks.filter((check) => (check.status === 'fail' || check.status === 'warn') && check.remediation.length > 0);
  if (remedies.length > 0) {
    lines.push('', c.bold('To fix'));
    for (const check of remedies) {
      lines.push(`  ${statusColor[check.status](check.id)}:`);
      for (const step of check.remediation) lines.push(`    ${step}`);
    }
  }

  lines.push('', verdictLine(report, c));
  return lines.join('\n') + '\n';
}

function modeName(mode: NonNullable<Report['modes']>[number]): string {
  return `${mode.dataplane} ${mode.nativeNftables ? 'native nftables' : `iptables-${mode.backend}`}`;
}

function modeDetail(mode: NonNullable<Report['modes']>[number]): string {
  const parts: string[] = [];
  if (mode.missing.length > 0) parts.push(`missing ${mode.missing.join(', ')}`);
  if (mode.notLoaded.length > 0) parts.push(`not loaded ${mode.notLoaded.join(', ')}`);
  if (mode.unknown.length > 0) parts.push(`unknown ${mode.unknown.join(', ')}`);
  const blocking = mode.notes.filter((n) => /older than|no legacy xtables|has no native|must be ≥/.test(n));
  parts.push(...blocking);
  if (mode.probe) parts.push(`probe ${mode.probe.ok ? 'ok' : `failed: ${mode.probe.detail}`}`);
  if (mode.autoload) parts.push(`autoload ${mode.autoload.value}`);
  return parts.join('; ');
}

function verdictLine(report: Report, c: ReturnType<typeof createColors>): string {
  const count = (status: CheckStatus) => report.checks.filter((check) => check.status === status).length;
  const tally = `${count('pass')} pass, ${count('warn')} warn, ${count('fail')} fail, ${count('skip')} skip`;
  switch (report.verdict) {
    case 'ready':
      return c.green(c.bold(`Verdict: READY — ${report.mesh} can set up interception on ${report.node} (${tally})`));
    case 'degraded':
      return c.yellow(c.bold(`Verdict: DEGRADED — ${report.mesh} should work on ${report.node}, with warnings (${tally})`));
    default:
      return c.red(c.bold(`Verdict: NOT READY — ${report.mesh} cannot set up interception on ${report.node} (${tally})`));
  }
}
