/** Plain-text rendering of a fix plan, its actions and the before → after module states. */
import type { FixAction, ModuleState, Report } from '../core/report.ts';
import { commandLine } from '../host/exec.ts';
import { modprobeArgs, type ModuleDir } from './apply.ts';
import type { FixPlan } from './plan.ts';

/** The dry-run text: exactly what `--yes` would do, and what it cannot. */
export function renderPlan(plan: FixPlan, moduleDir?: ModuleDir): string {
  const out: string[] = [];
  if (plan.rejected.length > 0) {
    out.push('Refused (invalid module names, nothing will run):');
    for (const r of plan.rejected) out.push(`  ${JSON.stringify(r.module)}: ${r.reason}`);
  }
  if (plan.now) {
    if (plan.load.length > 0) {
      out.push('Load now:');
      for (const l of plan.load) {
        const why = l.requiredFor.length ? `  # ${l.requiredFor.join(', ')}` : '';
        out.push(`  $ ${commandLine('modprobe', modprobeArgs(l.module, moduleDir))}${why}`);
      }
    } else if (plan.rebootNeeded) {
      out.push('Load now: nothing can be loaded until the node reboots (kernel.modules_disabled=1); modprobe is not tried.');
    } else {
      out.push('Load now: nothing to load.');
    }
  }
  const step = plan.persistStep;
  if (step) {
    switch (step.kind) {
      case 'write': {
        const verb = { create: 'Create', update: 'Update', unchanged: 'Already up to date (no write):', 'replace-foreign': 'Replace (foreign file, backup kept):' }[step.change];
        out.push(`Persist: ${verb} ${step.hostPath}`);
        if (step.change !== 'unchanged') out.push(...step.content.trimEnd().split('\n').map((l) => `  | ${l}`));
        break;
      }
      case 'foreign-file':
        out.push(`Persist: ${step.message}`);
        break;
      case 'os-managed':
        out.push(`Persist (${step.advice.os}): ${step.advice.why} Not writing a file; do this instead:`);
        for (const s of step.advice.steps) out.push(...s.split('\n').map((l) => `  ${l}`));
        for (const src of step.advice.sources) out.push(`  source: ${src}`);
        break;
      case 'none':
        out.push(`Persist: ${step.reason}`);
        break;
    }
  }
  if (plan.alreadyOk.length > 0) out.push(`Already fine: ${plan.alreadyOk.map((m) => `${m.module} (${m.state})`).join(', ')}`);
  for (const b of plan.blocked) {
    out.push(`Blocked by modprobe.d, not tried: ${b.module}${b.requiredFor.length ? ` — needed for ${b.requiredFor.join(', ')}` : ''}: ${b.by}`);
  }
  for (const u of plan.unfixable) {
    out.push(`Cannot fix ${u.module} (${u.state})${u.requiredFor.length ? ` — needed for ${u.requiredFor.join(', ')}` : ''}:`);
    for (const a of u.advice) out.push(`  - ${a}`);
  }
  for (const n of plan.notes) out.push(`Note: ${n}`);
  return out.join('\n') + '\n';
}

/** One line per action. */
export function renderActions(actions: readonly FixAction[]): string {
  return actions.map((a) => `${a.ok ? 'ok  ' : 'FAIL'} ${a.kind} ${a.target}: ${a.message}`).join('\n') + (actions.length ? '\n' : '');
}

export interface ModuleChange {
  module: string;
  before: ModuleState | 'absent';
  after: ModuleState | 'absent';
}

/** State of each module before and after, looked up by name or by providedBy. */
export function moduleChanges(before: Report, after: Report, modules: readonly string[]): ModuleChange[] {
  const stateIn = (report: Report, name: string): ModuleState | 'absent' =>
    report.modules.find((m) => (m.providedBy ?? m.name) === name)?.state ?? report.modules.find((m) => m.name === name)?.state ?? 'absent';
  return modules.map((module) => ({ module, before: stateIn(before, module), after: stateIn(after, module) }));
}

/** `iptable_nat: loadable → loaded` lines and the verdict change. */
export function renderChanges(before: Report, after: Report, changes: readonly ModuleChange[]): string {
  const lines = changes.map((c) => `  ${c.module}: ${c.before} → ${c.after}`);
  return [`Verdict: ${before.verdict} → ${after.verdict}`, ...(lines.length ? ['Modules:', ...lines] : [])].join('\n') + '\n';
}
